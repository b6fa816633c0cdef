"""What every inspection use case shares: who may, what a reader sees, the audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, true

from careloop.domain.errors import DomainError
from careloop.domain.permissions import check_permission
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Inspection, InspectionEvent, InspectionSubject


def require(actor: Actor, permission: str) -> None:
    """The role holds `permission` and the actor is a person (or the system for jobs)."""
    check_permission(permission, actor.role)
    if actor.staff_id is None and actor.role != "system":
        raise DomainError("role_not_allowed", role=actor.role, action=permission)


def inspection_visible_to(actor: Actor) -> ColumnElement[bool]:
    """An inspection is seen within the reader's scope (by the region inspected), and by the
    inspector sent to do it, wherever it is (a county's staff visit the next county's
    stores: they see the visits they were sent on and nothing else there)."""
    if actor.scope == "/":
        return true()
    within = Inspection.region_path.startswith(actor.scope, autoescape=True)
    if actor.staff_id is None:
        return within
    return or_(within, Inspection.inspector_id == actor.staff_id)


def subject_visible_to(actor: Actor) -> ColumnElement[bool]:
    if actor.scope == "/":
        return true()
    return InspectionSubject.region_path.startswith(actor.scope, autoescape=True)


def record(
    uow: UnitOfWork,
    actor: Actor,
    subject: str,
    ref: object,
    action: str,
    at: datetime,
    *,
    inspection_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Append one row to the inspections' audit trail (append-only in the database)."""
    uow.session.add(
        InspectionEvent(
            inspection_id=inspection_id,
            subject=subject,
            subject_ref=str(ref)[:60],
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            before=before or None,
            after=after or None,
            note=note,
        )
    )
