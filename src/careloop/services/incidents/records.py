"""Loading incidents within a reader's scope and appending to their audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, exists, literal, or_, select, true

from careloop.domain.errors import DomainError
from careloop.domain.incidents import OPENER_ROLES, AffectedArea, IncidentFacts, Window, not_found
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Incident, IncidentEvent, IncidentRegion


def check_role(actor: Actor, action: str) -> None:
    """Opening, editing, resolving and linking: domain.incidents.OPENER_ROLES."""
    if actor.role not in OPENER_ROLES or actor.staff_id is None:
        raise DomainError("role_not_allowed", role=actor.role, action=action)


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Incident`: one of its regions overlaps the actor's scope, either
    way (domain.incidents.overlaps): a county outage is seen by its city and the province,
    a province-wide billing error by every city; another city's outage by nobody here."""
    reach = actor.scope
    if reach == "/":
        return true()
    return exists().where(
        IncidentRegion.incident_id == Incident.id,
        or_(
            IncidentRegion.path.startswith(reach, autoescape=True),
            literal(reach, String).startswith(IncidentRegion.path),
        ),
    )


def load_incident(uow: UnitOfWork, incident_id: int, actor: Actor) -> Incident:
    """The incident if the actor may see it; 404 otherwise (never 403: an incident outside
    the caller's scope does not exist for them)."""
    if not scope.is_row_id(incident_id):
        raise not_found(incident_id)
    found = uow.session.scalar(
        select(Incident).where(Incident.id == incident_id, visible_to(actor))
    )
    if found is None:
        raise not_found(incident_id)
    return found


def region_paths(uow: UnitOfWork, incident_id: int) -> tuple[str, ...]:
    return tuple(
        uow.session.scalars(
            select(IncidentRegion.path)
            .where(IncidentRegion.incident_id == incident_id)
            .order_by(IncidentRegion.path)
        )
    )


def facts_of(incident: Incident, paths: tuple[str, ...]) -> IncidentFacts:
    return IncidentFacts(
        incident.id,
        AffectedArea(paths, tuple(incident.categories or ()), tuple(incident.products or ())),
        Window(incident.starts_at, incident.ended_at),
    )


def record(
    uow: UnitOfWork,
    incident: Incident,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Append one row to the incident's audit trail (append-only in the database)."""
    uow.session.add(
        IncidentEvent(
            incident_id=incident.id,
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
