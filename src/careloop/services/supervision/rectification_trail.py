"""The task's audit trail: each action one row, and the domain event it stands for (published
after the commit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from careloop.domain import events as domain_events
from careloop.domain.events import DomainEvent
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.rectification import (
    RectificationEvent,
    RectificationTask,
)

# --- writing -----------------------------------------------------------------------------


def record(
    uow: UnitOfWork,
    task: RectificationTask,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """One audit row, and the domain event the action stands for (published on commit)."""
    uow.session.add(
        RectificationEvent(
            task_id=task.id,
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            cycle=task.cycle,
            before=before or None,
            after=after or None,
            note=note,
        )
    )
    name = domain_events.RECTIFICATION_EVENTS.get(action)
    if name is not None:
        payload = {
            "rectification_id": task.id,
            "number": task.number,
            "unit_id": task.unit_id,
            "cycle": task.cycle,
            "source_kind": task.source_kind,
            "source_id": task.source_id,
            "source_item": task.source_item,
            **(after or {}),
            "note": note,
        }
        complaint_id = task.source_id if task.source_kind == "complaint" else None
        uow.events.append(
            DomainEvent(name, complaint_id, None, action, at, actor.staff_id, payload)
        )


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
