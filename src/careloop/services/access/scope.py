"""Organisation scoping on the read side: what part of the org tree an actor may see.

Every read of a complaint (lists, one complaint, its events, notes, attachments, work
orders) and every load before a change goes through `visible_to`, so an endpoint cannot
forget it. A complaint is visible if its region, its owner unit or any of its work
orders' units lies within the actor's scope (domain.permissions.scope_path): a
cross-domain work order (跨域) is visible to both the owning and the receiving unit.
Outside the scope a complaint does not exist for the caller: 404, never 403, so that its
existence is not leaked.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import aliased

from careloop.services.access.actors import Actor
from careloop.store.models import Complaint, OrgUnit, WorkOrder

MAX_ROW_ID = 2**63 - 1
"""Ids are 64-bit at most on both engines; anything larger cannot exist (and must not reach
the driver, which would fail with an overflow instead of a clean 404)."""


def is_row_id(value: int) -> bool:
    return 0 < value <= MAX_ROW_ID


# An alias of its own, so a query that itself selects work orders (a unit's queue) does not
# swallow the subquery's FROM by auto-correlation. Built once: a fresh alias per call made
# SQLAlchemy adapt its columns again on every scoped read (a quarter of a page's CPU).
_SCOPE_ORDERS = aliased(WorkOrder, name="scope_orders")


def _units_within(scope: str):  # type: ignore[no-untyped-def]
    return select(OrgUnit.id).where(OrgUnit.path.startswith(scope, autoescape=True))


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Complaint`: the complaint lies within the actor's scope."""
    scope = actor.scope
    if scope == "/":
        return true()
    units = _units_within(scope)
    # Correlated EXISTS, not "id IN (every work order of the scope)": its cost follows the
    # complaints a page looks at, through the work_orders.complaint_id index, instead of
    # the number of work orders a city has ever had (flat lists at 10⁷).
    orders = _SCOPE_ORDERS
    has_order_here = exists().where(orders.complaint_id == Complaint.id, orders.unit_id.in_(units))
    return or_(
        Complaint.region_id.in_(units),
        Complaint.owner_unit_id.in_(units),
        has_order_here,
    )


def involvement(complaint: Complaint, actor: Actor) -> tuple[bool, bool]:
    """(owns, handles) for the masking rule in domain.privacy.

    owns: the actor is the first-question owner or the owner unit lies in their own unit's
    subtree; handles: one of its work orders is theirs or sits in their unit's subtree.
    Their own unit, not their scope: a province supervisor's scope is everything.
    """
    own_path = actor.org_path
    owns = (actor.staff_id is not None and complaint.first_owner_id == actor.staff_id) or (
        complaint.owner_unit.path.startswith(own_path)
    )
    handles = any(
        (o.owner_id is not None and o.owner_id == actor.staff_id)
        or o.unit.path.startswith(own_path)
        for o in complaint.work_orders
    )
    return owns, handles
