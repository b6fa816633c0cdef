"""Appending to the audit trail: every change to a complaint goes through `record`."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from careloop.services.access.actors import Actor
from careloop.store.models import Complaint, Event


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def changes(obj: Any, **new_values: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply `new_values` to `obj`; return (before, after) of the fields that really changed."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in new_values.items():
        old = getattr(obj, name)
        if old != value:
            before[name] = jsonable(old)
            after[name] = jsonable(value)
            setattr(obj, name, value)
    return before, after


def record(
    complaint: Complaint,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    work_order_id: int | None = None,
) -> Event:
    event = Event(
        complaint_id=complaint.id,
        work_order_id=work_order_id,
        at=at,
        actor_id=actor.staff_id,
        actor=actor.username,
        role=actor.role,
        action=action,
        before=before or None,
        after=after or None,
        note=note,
    )
    return event
