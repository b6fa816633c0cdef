"""Work steps on work orders: opened at dispatch by the complaint's service commitment,
recorded by the unit (a feasibility reply, the technician's arrival, service restored), each
on its own clock and audited on the complaint's trail (``domain.sla.steps``).

A step's limit is its policy's limit under the step's name; its clock starts at the
dispatch, or at the appointment or payment time the dispatcher gave. An open step past its
due time is overdue when read, so pages, answers and counts never wait for a sweep;
:func:`sweep_steps` only announces each breach once on the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm.attributes import flag_modified

from careloop.domain import time_bounds
from careloop.domain.errors import DomainError
from careloop.domain.lifecycle.tickets import OPEN_WORK_ORDER_STATUSES
from careloop.domain.lifecycle.tickets import WORK_ORDER_LIFECYCLE as LIFECYCLE
from careloop.domain.sla import steps as rules
from careloop.domain.sla.clocks import add_duration
from careloop.domain.sla.policies import limit_of
from careloop.domain.sla.rules import stored_basis
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.complaints import audit
from careloop.services.complaints.lifecycle import check_version, commit_or_conflict
from careloop.services.sla.calendar import calendar_data, calendar_for
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, SlaPolicy, WorkOrder, WorkOrderStep


def check_dispatch_times(
    now: datetime, appointment_at: datetime | None, paid_at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The appointment and payment times a dispatcher gave, as instants the clocks can
    start from (refused with the field named otherwise)."""
    appointment = time_bounds.instant("appointment_at", appointment_at) if appointment_at else None
    paid = time_bounds.instant("paid_at", paid_at) if paid_at else None
    if appointment is not None and appointment > now + time_bounds.DUE_HORIZON:
        time_bounds.due_time("appointment_at", appointment, now)  # refuses: too far ahead
    rules.check_given_times(now, appointment, paid)
    return appointment, paid


def open_steps(
    uow: UnitOfWork,
    complaint: Complaint,
    order: WorkOrder,
    now: datetime,
    appointment_at: datetime | None = None,
    paid_at: datetime | None = None,
) -> list[WorkOrderStep]:
    """The steps the complaint's commitment sets for a new work order, due on the policy's
    calendar (added to the session; the dispatch's audit event lists them)."""
    policy = (
        uow.session.get(SlaPolicy, complaint.sla_policy_id) if complaint.sla_policy_id else None
    )
    if policy is None:
        return []
    limits = {kind: limit_of(policy, kind) for kind in rules.STEP_KINDS}
    planned = rules.plan_steps(limits, now, appointment_at, paid_at)
    if not planned:
        return []
    calendar = calendar_for(calendar_data(uow), policy)
    made = []
    for plan in planned:
        limit = limits[plan.kind]
        assert limit is not None
        step = WorkOrderStep(
            work_order_id=order.id,
            complaint_id=complaint.id,
            kind=plan.kind,
            anchor=plan.anchor,
            sla_policy_id=policy.id,
            started_at=plan.started_at,
            limit_minutes=limit.minutes,
            basis=stored_basis(limit),
            due_at=add_duration(plan.started_at, limit, calendar),
            state="open",
        )
        uow.session.add(step)
        made.append(step)
    return made


def described(made: list[WorkOrderStep]) -> list[dict[str, str]]:
    """The steps as the dispatch's audit event records them."""
    return [{"step": s.kind, "due_at": s.due_at.isoformat(), "from": s.anchor} for s in made]


def _open_step(order: WorkOrder, kind: str) -> WorkOrderStep:
    step = next((s for s in order.steps if s.kind == kind and s.state == "open"), None)
    if step is None:
        raise DomainError(
            "no_open_step",
            step_zh=rules.step_label(kind, "zh"),
            step_en=rules.step_label(kind, "en"),
        )
    return step


def _record(
    uow: UnitOfWork,
    work_order_id: int,
    name: str,
    actor: Actor,
    version: int,
    now: datetime,
    done_at: datetime | None,
    note: str | None,
    extra: dict[str, object] | None = None,
) -> WorkOrder:
    """Record the step transition ``name`` finishes: the role, the scope, the version, the
    state, then the step itself, done at ``done_at`` (default now) and judged once."""
    from careloop.services.complaints.work_orders import load_work_order

    kind = rules.STEP_TRANSITIONS[name]
    field = {"arrive": "arrived_at", "restore": "restored_at"}.get(name, "at")
    LIFECYCLE.check_role(name, actor.role)
    order = load_work_order(uow, work_order_id, actor, to_act=True)
    check_version(order.version, version)
    LIFECYCLE.apply(order.status, name, actor.role)
    step = _open_step(order, kind)
    if kind == "arrival" and (actor.staff_id is None or actor.staff_id != order.owner_id):
        # The technician who took the order records being there: nobody else can vouch.
        raise DomainError("not_assignee")
    when = now if done_at is None else time_bounds.instant(field, done_at)
    rules.check_done_at(field, when, order.dispatched_at, now)
    state = rules.judge(step.due_at, when, now)
    before, after = audit.changes(
        step, done_at=when, done_by_id=actor.staff_id, state=state, note=note
    )
    after = {"step": kind, "due_at": step.due_at.isoformat(), **after, **(extra or {})}
    flag_modified(order, "status")  # the order's version moves: a stale reader must reload
    uow.session.add(
        audit.record(
            order.complaint,
            actor,
            LIFECYCLE.audit_action(name),
            now,
            {"step": kind, **before},
            after,
            note=note,
            work_order_id=order.id,
        )
    )
    commit_or_conflict(uow, version)
    return order


def reply_feasibility(
    uow: UnitOfWork,
    work_order_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    feasible: bool,
    answer: str | None = None,
) -> WorkOrder:
    """答复能否装机: whether the installation is possible, within the commitment's 24 h."""
    answer = LIFECYCLE.clean_field("feasibility_reply", "answer", answer)
    verdict = "可以装机" if feasible else "不具备装机条件"
    note = f"{verdict}：{answer}" if answer else verdict
    return _record(
        uow,
        work_order_id,
        "feasibility_reply",
        actor,
        version,
        now,
        None,
        note,
        {"feasible": bool(feasible)},
    )


def record_arrival(
    uow: UnitOfWork,
    work_order_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    arrived_at: datetime | None = None,
) -> WorkOrder:
    """上门到场: the assignee records being on site, with the time they arrived."""
    return _record(uow, work_order_id, "arrive", actor, version, now, arrived_at, None)


def record_restore(
    uow: UnitOfWork,
    work_order_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    restored_at: datetime | None = None,
    answer: str | None = None,
) -> WorkOrder:
    """恢复服务: service is back (a repair, or a line reconnected after payment)."""
    answer = LIFECYCLE.clean_field("restore", "answer", answer)
    return _record(uow, work_order_id, "restore", actor, version, now, restored_at, answer)


# --- what other work-order transitions do to the steps --------------------------------------


def finish_on_completion(uow: UnitOfWork, order: WorkOrder, actor: Actor, now: datetime) -> None:
    """Completing a repair or installation order means the service is restored or the line
    is in: its open restore and installation steps are done now (audited each)."""
    for step in order.steps:
        if step.state == "open" and step.kind in rules.FINISHED_BY_COMPLETION:
            _close(uow, order, step, actor, now, rules.judge(step.due_at, now, now), now)


def cancel_on_return(uow: UnitOfWork, order: WorkOrder, actor: Actor, now: datetime) -> None:
    """A returned order owes nothing more: the owner dispatches again, with new steps."""
    for step in order.steps:
        if step.state == "open":
            _close(uow, order, step, actor, now, "cancelled", None)


def move_on_transfer(
    uow: UnitOfWork, order: WorkOrder, successor: WorkOrder, actor: Actor, now: datetime
) -> None:
    """A transfer moves the work, not the promise: open steps go to the new order with
    their clocks running (as the order's own due time does)."""
    for step in list(order.steps):
        if step.state == "open":
            step.work_order_id = successor.id
            uow.session.add(
                audit.record(
                    order.complaint,
                    actor,
                    "work_order_step_moved",
                    now,
                    {"step": step.kind, "work_order_id": order.id},
                    {"step": step.kind, "work_order_id": successor.id},
                    work_order_id=successor.id,
                )
            )
    uow.session.expire(order, ["steps"])


def _close(
    uow: UnitOfWork,
    order: WorkOrder,
    step: WorkOrderStep,
    actor: Actor,
    now: datetime,
    state: str,
    done_at: datetime | None,
) -> None:
    before, after = audit.changes(step, state=state, done_at=done_at)
    uow.session.add(
        audit.record(
            order.complaint,
            actor,
            "work_order_step_done" if done_at else "work_order_step_cancelled",
            now,
            {"step": step.kind, **before},
            {"step": step.kind, **after},
            work_order_id=order.id,
        )
    )


# --- the sweep and the figures --------------------------------------------------------------


def sweep_steps(uow: UnitOfWork, now: datetime, batch: int = 500) -> int:
    """Announce each open step of an open work order that passed its due time, once, on the
    complaint's trail (``work_order_step_breached``); commits. The step is overdue whether
    or not this ran: this only makes the breach an event others can act on."""
    due = uow.session.scalars(
        select(WorkOrderStep)
        .join(WorkOrder, WorkOrder.id == WorkOrderStep.work_order_id)
        .where(
            WorkOrderStep.state == "open",
            WorkOrderStep.due_at < now,
            WorkOrderStep.breached_at.is_(None),
            WorkOrder.status.in_(sorted(OPEN_WORK_ORDER_STATUSES)),
        )
        .order_by(WorkOrderStep.due_at, WorkOrderStep.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=WorkOrderStep)  # workers share the sweep
    ).all()
    for step in due:
        step.breached_at = now
        uow.session.add(
            audit.record(
                uow.session.get_one(Complaint, step.complaint_id),
                SYSTEM,
                "work_order_step_breached",
                now,
                None,
                {
                    "step": step.kind,
                    "due_at": step.due_at.isoformat(),
                    "overrun_minutes": int((now - step.due_at).total_seconds() // 60),
                },
                work_order_id=step.work_order_id,
            )
        )
    uow.commit()
    return len(due)


@dataclass(frozen=True)
class StepCounts:
    """Steps of work orders dispatched in a period, judged at ``now``: ``late`` counts
    those done after their due time and those still open past it (``overdue``)."""

    total: int
    on_time: int
    late: int
    overdue: int
    open: int

    @property
    def on_time_rate(self) -> float | None:
        finished = self.on_time + self.late - self.overdue
        return self.on_time / finished if finished else None


def step_counts(
    uow: UnitOfWork,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    region_path: str | None = None,
    kind: str | None = None,
) -> StepCounts:
    """How many steps (started in [start, end), of complaints in ``region_path``'s subtree,
    of one ``kind``) were on time, late, or are overdue now: from times, not flags."""
    is_open = WorkOrderStep.state == "open"
    overdue = and_(is_open, WorkOrderStep.due_at < now)
    query = select(
        func.count(),
        func.coalesce(func.sum(case((WorkOrderStep.state == "on_time", 1), else_=0)), 0),
        func.coalesce(func.sum(case((WorkOrderStep.state == "late", 1), else_=0)), 0),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(is_open, WorkOrderStep.due_at >= now), 1), else_=0)), 0),
    ).where(WorkOrderStep.state != "cancelled")
    if start is not None:
        query = query.where(WorkOrderStep.started_at >= start)
    if end is not None:
        query = query.where(WorkOrderStep.started_at < end)
    if kind is not None:
        query = query.where(WorkOrderStep.kind == kind)
    if region_path is not None and region_path != "/":
        query = query.join(Complaint, Complaint.id == WorkOrderStep.complaint_id).where(
            Complaint.region_id.in_(
                select(OrgUnit.id).where(OrgUnit.path.startswith(region_path, autoescape=True))
            )
        )
    total, on_time, late, over, still_open = uow.session.execute(query).one()
    return StepCounts(int(total), int(on_time), int(late) + int(over), int(over), int(still_open))
