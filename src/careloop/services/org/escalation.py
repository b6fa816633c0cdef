"""Where an escalation goes and who hears of it, shared by every loop that escalates late
work up the org tree (rectification tasks, spam enforcement cases): the unit above, or the
province; the target unit's leads and supervisors, else the unit itself; and its alert row
recorded once whatever the number of sweeps that race for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, Staff


def superior(uow: UnitOfWork, unit: OrgUnit, target: str) -> OrgUnit:
    """``province``: the province above `unit`; anything else: its parent (the province
    itself escalates to itself)."""
    if target == "province":
        ids = [int(p) for p in unit.path.strip("/").split("/") if p]
        chain = {u.id: u for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
        for unit_id in ids:
            if chain.get(unit_id) is not None and chain[unit_id].kind == "province":
                return chain[unit_id]
    parent = uow.session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    return parent or unit


def leads(uow: UnitOfWork, unit: OrgUnit) -> list[str]:
    """Outbox recipients: the unit's active leads and supervisors, else the unit."""
    people = uow.session.scalars(
        select(Staff.username).where(
            Staff.org_unit_id == unit.id,
            Staff.active.is_(True),
            Staff.role.in_(("unit_lead", "supervisor")),
        )
    )
    return sorted(f"staff:{u}" for u in people) or [f"unit:{unit.code}"]


def record_alert_once(
    uow: UnitOfWork, model: Any, unique: Sequence[str], values: dict[str, Any]
) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: the alert's id if this call recorded it (the
    database's UNIQUE, not luck, makes two sweeps at once record it once)."""
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(model.id)
    )
    return uow.session.scalar(stmt)
