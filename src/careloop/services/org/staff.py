"""Who works here: the staff list as plain values, for channels that must not read rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Staff


@dataclass(frozen=True, slots=True)
class StaffMember:
    username: str
    role: str
    org_unit_id: int | None


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    """Every account, oldest first (the demo's first agent is the one people know)."""
    rows = uow.session.execute(
        select(Staff.username, Staff.role, Staff.org_unit_id).order_by(Staff.id)
    )
    return [StaffMember(username, role, unit) for username, role, unit in rows]
