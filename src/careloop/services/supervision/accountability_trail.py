"""The responsibility cases' audit trail: one append-only row per change (of a case or of
the catalogue of rules), written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from careloop.services.access.actors import Actor
from careloop.services.complaints.audit import jsonable
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase, AccountabilityEvent


def record(
    uow: UnitOfWork,
    case: AccountabilityCase | None,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    rule_code: str | None = None,
) -> None:
    """Append one row to the audit trail (append-only in the database)."""
    uow.session.add(
        AccountabilityEvent(
            case_id=case.id if case is not None else None,
            rule_code=rule_code,
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            before={k: jsonable(v) for k, v in before.items()} if before else None,
            after={k: jsonable(v) for k, v in after.items()} if after else None,
            note=note,
        )
    )
