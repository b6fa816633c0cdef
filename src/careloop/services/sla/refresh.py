"""Stored clocks that are always right: recompute a ticket's SLA columns when it changes.

The SLA columns on complaints and work orders (``reply_due_at``, ``due_at``, ``sla_state``,
``sla_warn_at``, the regulatory ``outer_due_at``/``outer_state`` and the working handle
minutes) are derived state. Lists, the board and the indicators read them, so they must not
wait for a sweep to be true (the on-time rate read ``reply_due_at`` and gave 4 of 8 before a
sweep and 5 of 8 after). :func:`refresh_stored_clocks` recomputes them with the sweep's own
rule (``services.sla.clocks.clocks_for``) at every transition, pause and resume
(``services.complaints.lifecycle.commit_or_conflict`` calls :func:`refresh_changed`), when a
policy is saved or retired, and when a holiday notice is entered. It sends no alert: alerts
stay the sweep's job, which looks at a clock again at the stored next-check time
(``sla_warn_at``), computed here from the alerts already sent.

The rows are written with plain UPDATEs that leave ``version`` alone, like the sweep's, so
refreshing never turns a user's save into a 409.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.orm import Session, selectinload

from careloop.domain.lifecycle.tickets import OPEN_STATUSES, Status
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import working_minutes
from careloop.domain.sla.escalation import escalation_steps, next_check
from careloop.domain.sla.facts import ClockEvent
from careloop.domain.sla.rules import OUTER_ANSWER_CLOCKS, REPLY_STOPPED, pauses_from_events
from careloop.services.sla import clocks as sla
from careloop.services.sla.calendar import CalendarBook, calendar_data
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, SlaAlert, WorkOrder

BATCH: Final = 200
"""Complaints recomputed per round of queries when refreshing every open complaint."""

_COMPLAINT_COLUMNS: Final = (
    "sla_warn_at",
    "sla_state",
    "sla_overrun_minutes",
    "reply_due_at",
    "outer_due_at",
    "outer_state",
    "reply_work_minutes",
)
_ORDER_COLUMNS: Final = (
    "sla_warn_at",
    "sla_state",
    "sla_overrun_minutes",
    "due_at",
    "work_minutes",
)


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    real = [t for t in times if t is not None]
    return min(real) if real else None


def complaint_row(
    complaint: Complaint,
    views: Sequence[sla.ClockView],
    sent: Mapping[str, set[str]],
    next_by_subject: Mapping[str, datetime | None],
    now: datetime,
    reply_work: int | None,
) -> dict[str, Any]:
    """A complaint's stored SLA columns (as ``b_*`` bind names): the reply clock's due time
    and state, the outer limit's, the earliest next check of its own clocks, and the first
    warning and breach instants once their alerts were sent."""
    mine = [v for v in views if v.work_order_id is None]
    reply = next((v for v in mine if v.name == "reply"), None)
    outer = next((v for v in mine if v.name in OUTER_ANSWER_CLOCKS), None)
    fired = sent.get(reply.subject, set()) if reply else set()
    return {
        "b_id": complaint.id,
        "b_next": _earliest(next_by_subject.get(v.subject) for v in mine),
        "b_evaluated": now,
        "b_state": reply.state.state if reply else complaint.sla_state,
        "b_overrun": reply.state.overrun_minutes if reply else complaint.sla_overrun_minutes,
        "b_due": reply.state.due_at if reply else complaint.reply_due_at,
        "b_outer_due": outer.state.due_at if outer else None,
        "b_outer_state": outer.state.state if outer else None,
        "b_reply_work": reply_work,
        "b_warned": now if "warning" in fired else None,
        "b_breached": now if "breach" in fired else None,
    }


def work_order_row(
    order: WorkOrder,
    views: Sequence[sla.ClockView],
    sent: Mapping[str, set[str]],
    next_by_subject: Mapping[str, datetime | None],
    now: datetime,
    work: int | None,
) -> dict[str, Any] | None:
    """A work order's stored SLA columns, from its own clock (None: it has none)."""
    mine = [v for v in views if v.work_order_id == order.id]
    main = next((v for v in mine if v.name == "work_order"), None)
    if main is None:
        return None
    fired = sent.get(main.subject, set())
    return {
        "b_id": order.id,
        "b_next": _earliest(next_by_subject.get(v.subject) for v in mine),
        "b_state": main.state.state,
        "b_overrun": main.state.overrun_minutes,
        "b_due": main.state.due_at,
        "b_work": work,
        "b_warned": now if "warning" in fired else None,
        "b_breached": now if "breach" in fired else None,
    }


def store_rows(
    session: Session,
    complaints: list[dict[str, Any]],
    orders: list[dict[str, Any]],
    *,
    evaluated: bool,
) -> None:
    """Derived SLA state in two executemany UPDATEs; ``version`` is left alone, and the
    first warning/breach instant is kept (COALESCE) whichever writer comes last.
    ``evaluated``: the sweep looked (``sla_evaluated_at``); a refresh leaves it alone."""
    extra = {"sla_evaluated_at": bindparam("b_evaluated")} if evaluated else {}
    _store_states(
        session,
        Complaint.__table__,
        complaints,
        {
            **extra,
            "outer_due_at": bindparam("b_outer_due"),
            "outer_state": bindparam("b_outer_state"),
            "reply_work_minutes": bindparam("b_reply_work"),
        },
        due="reply_due_at",
    )
    _store_states(
        session, WorkOrder.__table__, orders, {"work_minutes": bindparam("b_work")}, due="due_at"
    )


def _store_states(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    extra: dict[str, Any],
    due: str,
) -> None:
    if not rows:
        return
    c = table.c
    session.execute(
        update(table)
        .where(c.id == bindparam("b_id"))
        .values(
            sla_warn_at=bindparam("b_next"),
            **extra,
            sla_state=bindparam("b_state"),
            sla_overrun_minutes=bindparam("b_overrun"),
            **{due: bindparam("b_due")},
            sla_warned_at=func.coalesce(c.sla_warned_at, bindparam("b_warned")),
            sla_breached_at=func.coalesce(c.sla_breached_at, bindparam("b_breached")),
        ),
        rows,
    )


def handle_minutes(
    complaint: Complaint,
    events: Sequence[ClockEvent],
    calendar: WorkingCalendar,
) -> tuple[int | None, dict[int, int | None]]:
    """Working handle minutes (DOMAIN.md §4: average handle time in working hours): the
    complaint's from acceptance to its reply, net of the waits on the customer (and of the
    time between a reply and a dissatisfied callback's reopen, as the reply clock counts
    it); each work order's from its start to its finish, net of the waits. None while the
    stage is not finished."""
    reply: int | None = None
    if Status(complaint.status) in REPLY_STOPPED and complaint.replied_at is not None:
        reply = working_minutes(
            complaint.accepted_at,
            max(complaint.replied_at, complaint.accepted_at),
            pauses_from_events(events, reply_gaps=True),
            calendar,
        )
    waits = pauses_from_events(events)
    orders: dict[int, int | None] = {}
    for order in complaint.work_orders:
        start = order.sla_started_at or order.dispatched_at
        orders[order.id] = (
            None
            if order.finished_at is None
            else working_minutes(start, max(order.finished_at, start), waits, calendar)
        )
    return reply, orders


def sent_alerts(session: Session, complaint_ids: Sequence[int]) -> dict[str, set[str]]:
    """The alerts recorded so far for ``complaint_ids``, by clock subject."""
    sent: dict[str, set[str]] = {}
    for subject, kind in session.execute(
        select(SlaAlert.subject, SlaAlert.kind).where(SlaAlert.complaint_id.in_(complaint_ids))
    ):
        sent.setdefault(subject, set()).add(kind)
    return sent


def _stored(obj: Any, columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in columns)


def _complaint_values(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        row["b_next"],
        row["b_state"],
        row["b_overrun"],
        row["b_due"],
        row["b_outer_due"],
        row["b_outer_state"],
        row["b_reply_work"],
    )


def _order_values(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (row["b_next"], row["b_state"], row["b_overrun"], row["b_due"], row["b_work"])


def _refresh_batch(uow: UnitOfWork, ids: Sequence[int], now: datetime, book: CalendarBook) -> int:
    session = uow.session
    complaints = list(
        session.scalars(
            select(Complaint)
            .where(Complaint.id.in_(ids), Complaint.accepted_at <= now)
            .options(selectinload(Complaint.work_orders))
            .order_by(Complaint.id)
            # Flushed above, so nothing unsaved is lost: a work order added this transaction
            # (dispatch) joins a collection the session loaded before it existed.
            .execution_options(populate_existing=True)
        )
    )
    if not complaints:
        return 0
    cids = [c.id for c in complaints]
    events = sla.load_events(uow, cids)
    policies = sla.load_policies(uow, (c.sla_policy_id for c in complaints))
    sent = sent_alerts(session, cids)
    complaint_rows: list[dict[str, Any]] = []
    order_rows: list[dict[str, Any]] = []
    touched: list[Any] = []
    for complaint in complaints:
        policy = policies.get(complaint.sla_policy_id or -1)
        try:
            judged = sla.clocks_for(complaint, events[complaint.id], policy, book, now)
            steps = escalation_steps(policy)
            next_by_subject = {
                v.subject: next_check(v.state, sent.get(v.subject, set()), steps, now)
                for v in judged.clocks
            }
            reply_work, order_work = handle_minutes(complaint, events[complaint.id], book(policy))
            row = complaint_row(complaint, judged.clocks, sent, next_by_subject, now, reply_work)
            rows = [
                work_order_row(o, judged.clocks, sent, next_by_subject, now, order_work[o.id])
                for o in complaint.work_orders
            ]
        except (OverflowError, ValueError):
            continue  # a time out of range: left as it is, as the sweep leaves it
        if _complaint_values(row) != _stored(complaint, _COMPLAINT_COLUMNS):
            complaint_rows.append(row)
            touched.append(complaint)
        for order, order_row in zip(complaint.work_orders, rows, strict=True):
            if order_row is not None and _order_values(order_row) != _stored(order, _ORDER_COLUMNS):
                order_rows.append(order_row)
                touched.append(order)
    store_rows(session, complaint_rows, order_rows, evaluated=False)
    for obj in touched:
        # The rows changed under the ORM: read them afresh when next asked (no version bump).
        session.expire(
            obj, [*_COMPLAINT_COLUMNS] if isinstance(obj, Complaint) else [*_ORDER_COLUMNS]
        )
    return len(complaint_rows) + len(order_rows)


def refresh_stored_clocks(
    uow: UnitOfWork, complaint_ids: Sequence[int] | None, now: datetime
) -> int:
    """Recompute and store the SLA columns of ``complaint_ids`` (None: every open complaint)
    and their work orders at ``now``; how many rows changed. Within the caller's
    transaction (it commits); no alert is sent."""
    session = uow.session
    session.flush()
    if complaint_ids is None:
        ids = list(
            session.scalars(
                select(Complaint.id)
                .where(Complaint.status.in_(sorted(s.value for s in OPEN_STATUSES)))
                .order_by(Complaint.id)
            )
        )
    else:
        ids = sorted(set(complaint_ids))
    if not ids:
        return 0
    book = CalendarBook(calendar_data(uow))
    return sum(
        _refresh_batch(uow, ids[start : start + BATCH], now, book)
        for start in range(0, len(ids), BATCH)
    )


_CHANGED_KEY: Final = "careloop.sla.changed"
"""``session.info`` key: complaint id → latest time of the events flushed so far in this
transaction (a use case may flush before it commits, e.g. to number a work order)."""


def _note_events(session: Session, objects: Iterable[Any]) -> None:
    changed: dict[int, datetime] = session.info.setdefault(_CHANGED_KEY, {})
    for obj in objects:
        if isinstance(obj, Event) and obj.complaint_id is not None and obj.at is not None:
            at = changed.get(obj.complaint_id)
            changed[obj.complaint_id] = obj.at if at is None else max(at, obj.at)


@event.listens_for(Session, "before_flush")
def _remember_flushed_events(session: Session, flush_context: Any, instances: Any) -> None:
    _note_events(session, session.new)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    session.info.pop(_CHANGED_KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_events(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_CHANGED_KEY, None)


DEFER_KEY: Final = "careloop.sla.defer"
"""``session.info`` key: while true, :func:`refresh_changed` only notes which complaints
changed and when, and the next call without it refreshes them all. For a replay of many
transitions in one transaction (the demo's): each complaint's clocks are computed once, at
its latest event, which is what the last of the per-transition refreshes would store."""


def refresh_changed(uow: UnitOfWork) -> int:
    """Refresh the complaints whose events this transaction is adding, at the latest of
    those events' times (every transition, pause and resume records one): called right
    before the commit, so the stored clocks change in the same transaction."""
    session = uow.session
    _note_events(session, session.new)
    if session.info.get(DEFER_KEY):
        return 0
    changed: dict[int, datetime] = session.info.pop(_CHANGED_KEY, {})
    return sum(refresh_stored_clocks(uow, [cid], at) for cid, at in sorted(changed.items()))
