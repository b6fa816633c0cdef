"""Who reaches a responsibility case: the person concerned their own, a unit lead their
unit's (and below), supervisors, administrators and inspectors their area. A case outside
that answers 404, never 403, so its existence is not given away."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from careloop.domain.permissions import PROVINCE_WIDE_ROLES
from careloop.domain.supervision import accountability as rules
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on a case: what `actor` may read (module docstring)."""
    if actor.role == "system":
        return true()
    own = AccountabilityCase.staff_id == actor.staff_id if actor.staff_id is not None else false()
    if actor.role in PROVINCE_WIDE_ROLES:
        return or_(AccountabilityCase.unit_path.startswith(actor.scope, autoescape=True), own)
    if actor.role == "unit_lead":
        return or_(AccountabilityCase.unit_path.startswith(actor.org_path, autoescape=True), own)
    return own


def load_case(uow: UnitOfWork, case_id: int, actor: Actor) -> AccountabilityCase:
    """The case, if `actor` may read it; else the same 404 as a case that never was."""
    if not scope.is_row_id(case_id):
        raise rules.not_found(case_id)
    found = uow.session.scalar(
        select(AccountabilityCase).where(AccountabilityCase.id == case_id, visible_to(actor))
    )
    if found is None:
        raise rules.not_found(case_id)
    return found


def concerned(case: AccountabilityCase, actor: Actor) -> bool:
    """The person concerned, or the lead of the unit concerned (or above it)."""
    if actor.staff_id is not None and actor.staff_id == case.staff_id:
        return True
    return actor.role == "unit_lead" and case.unit_path.startswith(actor.org_path)
