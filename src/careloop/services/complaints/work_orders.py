"""Dispatch (派单) and the responsible unit's handling of its work order.

The complaint's first-question owner never changes here: a unit that transfers or returns a
work order only moves the work, with a reason on the record, and the owner stays accountable.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, true

from careloop.domain import time_bounds
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.lifecycle.tickets import COMPLAINT_LIFECYCLE, WorkOrderStatus
from careloop.domain.lifecycle.tickets import WORK_ORDER_LIFECYCLE as LIFECYCLE
from careloop.domain.sla.rules import stored_basis
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import audit, work_steps
from careloop.services.complaints.lifecycle import (
    apply_transition,
    check_version,
    commit_or_conflict,
    load_complaint,
)
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, WorkOrder

DEFAULT_WORK_ORDER_HOURS = 48
"""Internal limit for a unit when the dispatcher gives none (DOMAIN.md §3: 24–48 h)."""

MAX_WORK_ORDER_HOURS = 24 * 30


def _unit(uow: UnitOfWork, code: str) -> OrgUnit:
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if code.isprintable()
        else None
    )
    if unit is None:
        raise InvalidInput("unit", f"未知单位 / unknown unit '{code}'")
    if unit.kind == "group":
        raise DomainError("not_a_department", field="unit", ident=code)
    return unit


def _due(now: datetime, due_at: datetime | None, due_hours: float | None) -> datetime:
    if due_at is not None:
        return time_bounds.due_time("due_at", due_at, now)
    hours = DEFAULT_WORK_ORDER_HOURS if due_hours is None else due_hours
    if not 0 < hours <= MAX_WORK_ORDER_HOURS:
        raise InvalidInput("due_hours", f"应在 0 到 {MAX_WORK_ORDER_HOURS} 之间 / out of range")
    return now + timedelta(hours=hours)


def _next_seq(uow: UnitOfWork, complaint_id: int) -> int:
    current = uow.session.scalar(
        select(func.max(WorkOrder.seq)).where(WorkOrder.complaint_id == complaint_id)
    )
    return (current or 0) + 1


def dispatch(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    unit_code: str,
    instructions: str | None = None,
    due_at: datetime | None = None,
    due_hours: float | None = None,
    appointment_at: datetime | None = None,
    paid_at: datetime | None = None,
) -> WorkOrder:
    """派单: hand the complaint to a responsible unit with its own due time, and the work
    steps its service commitment times (``work_steps``), counted from the dispatch or from
    the appointment or payment given."""
    instructions = COMPLAINT_LIFECYCLE.clean_field("dispatch", "instructions", instructions)
    unit = _unit(uow, unit_code)
    due = _due(now, due_at, due_hours) if due_at is not None or due_hours is not None else None
    appointment_at, paid_at = work_steps.check_dispatch_times(now, appointment_at, paid_at)
    assert actor.staff_id is not None or actor.role == "system"
    complaint = apply_transition(uow, complaint_id, "dispatch", actor, version, now)
    # The unit's clock: the dispatcher's due time, else the complaint's policy (issue 3).
    terms = sla.work_order_terms(uow, complaint, now, due_at, due_hours)
    due = terms.due_at
    order = WorkOrder(
        complaint_id=complaint.id,
        seq=_next_seq(uow, complaint.id),
        unit_id=unit.id,
        status=WorkOrderStatus.DISPATCHED.value,
        dispatched_by_id=actor.staff_id,
        dispatched_at=now,
        due_at=due,
        instructions=instructions,
        sla_policy_id=terms.policy_id,
        sla_started_at=terms.started_at,
        sla_limit_minutes=terms.limit.minutes,
        sla_basis=stored_basis(terms.limit),
    )
    uow.session.add(order)
    uow.session.flush()
    made = work_steps.open_steps(uow, complaint, order, now, appointment_at, paid_at)
    dispatched: dict[str, object] = {
        "work_order_id": order.id,
        "unit": unit.code,
        "due_at": due.isoformat(),
    }
    if made:
        dispatched["steps"] = work_steps.described(made)
    uow.session.add(
        audit.record(
            complaint,
            actor,
            "work_order_dispatched",
            now,
            after=dispatched,
            note=order.instructions,
            work_order_id=order.id,
        )
    )
    commit_or_conflict(uow, version)
    return order


def load_work_order(
    uow: UnitOfWork, work_order_id: int, actor: Actor, *, to_act: bool = False
) -> WorkOrder:
    """The work order if its complaint is visible to the actor (404 otherwise); with
    `to_act`, only if the actor may also work on it (`works_on`), else 404 as well."""
    if not scope.is_row_id(work_order_id):
        raise NotFound("work order", work_order_id)
    query = (
        select(WorkOrder)
        .join(Complaint, Complaint.id == WorkOrder.complaint_id)
        .where(WorkOrder.id == work_order_id, scope.visible_to(actor))
    )
    if to_act:
        query = query.where(works_on(actor))
    order = uow.session.scalar(query)
    if order is None:
        raise NotFound("work order", work_order_id)
    return order


ACT_ANYWHERE_ROLES = frozenset({"supervisor", "admin", "system"})
"""Who may act on any work order in their scope (the province's quality staff); everyone
else acts only on the work orders of their own unit and the units below it."""


def works_on(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `WorkOrder`: the actor may accept, complete, return or transfer it.

    Seeing a complaint is not owning its work: a city's billing department sees the
    city's complaints, but the work order sent to a county's network department is that
    department's (and its unit lead's above it) to accept and complete. Outside this the
    work order answers 404, as anything outside a scope does."""
    reach = actor.scope if actor.role in ACT_ANYWHERE_ROLES else actor.org_path
    if reach == "/":
        return true()
    units = select(OrgUnit.id).where(OrgUnit.path.startswith(reach, autoescape=True))
    return WorkOrder.unit_id.in_(units)


def _load_to_act(uow: UnitOfWork, work_order_id: int, name: str, actor: Actor) -> WorkOrder:
    """The work order `actor` means to fire `name` on: the role first, then whether the actor
    works on it (404 otherwise), as for complaints."""
    LIFECYCLE.check_role(name, actor.role)
    return load_work_order(uow, work_order_id, actor, to_act=True)


def _act(
    uow: UnitOfWork,
    order: WorkOrder,
    name: str,
    actor: Actor,
    version: int,
    now: datetime,
    note: str | None = None,
    **fields: object,
) -> None:
    """The version, then the state, then the change and its event on the complaint's trail."""
    check_version(order.version, version)
    status = LIFECYCLE.apply(order.status, name, actor.role)
    before, after = audit.changes(order, status=status, **fields)
    uow.session.add(
        audit.record(
            order.complaint,
            actor,
            LIFECYCLE.audit_action(name),
            now,
            before,
            after,
            note=note,
            work_order_id=order.id,
        )
    )


def accept(
    uow: UnitOfWork, work_order_id: int, actor: Actor, version: int, now: datetime
) -> WorkOrder:
    """接单: whoever accepts becomes the unit's own first-question owner for this order."""
    order = _load_to_act(uow, work_order_id, "accept", actor)
    owner = order.owner_id if order.owner_id is not None else actor.staff_id
    _act(uow, order, "accept", actor, version, now, owner_id=owner, accepted_at=now)
    commit_or_conflict(uow, version)
    return order


def complete(
    uow: UnitOfWork, work_order_id: int, actor: Actor, version: int, now: datetime, result: str
) -> WorkOrder:
    result = LIFECYCLE.clean_field("complete", "result", result)
    order = _load_to_act(uow, work_order_id, "complete", actor)
    owner = order.owner_id if order.owner_id is not None else actor.staff_id
    _act(
        uow,
        order,
        "complete",
        actor,
        version,
        now,
        note=result,
        result=result,
        owner_id=owner,
        finished_at=now,
    )
    work_steps.finish_on_completion(uow, order, actor, now)
    commit_or_conflict(uow, version)
    return order


def return_to_owner(
    uow: UnitOfWork, work_order_id: int, actor: Actor, version: int, now: datetime, reason: str
) -> WorkOrder:
    """退单: the unit says it is not responsible; the complaint owner must dispatch again."""
    reason = LIFECYCLE.clean_field("return", "reason", reason)
    order = _load_to_act(uow, work_order_id, "return", actor)
    _act(
        uow,
        order,
        "return",
        actor,
        version,
        now,
        note=reason,
        reason=reason,
        finished_at=now,
    )
    work_steps.cancel_on_return(uow, order, actor, now)
    commit_or_conflict(uow, version)
    return order


def transfer(
    uow: UnitOfWork,
    work_order_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    unit_code: str,
    reason: str,
    due_at: datetime | None = None,
) -> WorkOrder:
    """转派: the work moves to another unit; the new order keeps the old due time by default."""
    reason = LIFECYCLE.clean_field("transfer", "reason", reason)
    target = _unit(uow, unit_code)
    order = _load_to_act(uow, work_order_id, "transfer", actor)
    if order.unit_id == target.id:
        raise DomainError("same_unit_transfer", field="unit", ident=unit_code)
    new_due = _due(now, due_at, None) if due_at is not None else order.due_at
    _act(
        uow,
        order,
        "transfer",
        actor,
        version,
        now,
        note=reason,
        reason=reason,
        finished_at=now,
    )
    successor = WorkOrder(
        complaint_id=order.complaint_id,
        seq=_next_seq(uow, order.complaint_id),
        unit_id=target.id,
        status=WorkOrderStatus.DISPATCHED.value,
        dispatched_by_id=actor.staff_id if actor.staff_id is not None else order.dispatched_by_id,
        dispatched_at=now,
        due_at=new_due,
        instructions=order.instructions,
        transferred_from_id=order.id,
        # A transfer moves the work, not the deadline: the clock keeps its start and limit
        # unless the transferring unit sets a new due time.
        sla_policy_id=order.sla_policy_id,
        sla_started_at=now if due_at is not None else (order.sla_started_at or order.dispatched_at),
        sla_limit_minutes=(
            max(1, -(-int((new_due - now).total_seconds()) // 60))
            if due_at is not None
            else order.sla_limit_minutes
        ),
        sla_basis="calendar" if due_at is not None else order.sla_basis,
    )
    uow.session.add(successor)
    uow.session.flush()
    work_steps.move_on_transfer(uow, order, successor, actor, now)
    uow.session.add(
        audit.record(
            load_complaint(uow, order.complaint_id, actor),
            actor,
            "work_order_dispatched",
            now,
            after={
                "work_order_id": successor.id,
                "unit": target.code,
                "due_at": new_due.isoformat(),
                "transferred_from_id": order.id,
            },
            note=reason,
            work_order_id=successor.id,
        )
    )
    commit_or_conflict(uow, version)
    return successor
