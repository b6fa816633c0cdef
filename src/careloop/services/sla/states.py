"""Which complaints have a clock in a given state now: the SQL pre-filter and the judge.

The list's ``?sla=`` filter and the dashboard's warning and breached counts ask this. The
answer is always the sweeper's own (``clocks.clock_states``); the SQL conditions here only
keep out of Python the complaints that cannot be in the state (:func:`sla_candidates`) or
settle the plainly breached ones without judging them (:func:`sla_certainly_breached`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, get_args

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from careloop.domain.lifecycle.tickets import Status
from careloop.domain.sla import rules
from careloop.domain.sla.clocks import DEFAULT_WARN_SHARE, ClockStatus
from careloop.domain.sla.policies import limit_of
from careloop.services.sla import clocks as sla
from careloop.services.sla.calendar import CalendarBook, calendar_data
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, SlaPolicy, WorkOrder

SLA_STATES: Final = get_args(ClockStatus)
"""The states a clock can be in (``domain.sla.clocks``), in the order the filter lists them."""
SLA_TOTAL_CAP = 1_000
"""An ``?sla=`` list judges its candidates with the clock functions; it counts at most this
many (and at least one past its page) before answering "1 000 or more" (``total_capped``)."""
JUDGE_BATCH = 500

# The clock rules' own sets (domain.sla.rules), as the SQL conditions compare them.
_REPLY_RUNNING = sorted(status.value for status in rules.REPLY_RUNNING)
_CALLBACK_RUNNING = sorted(status.value for status in rules.CALLBACK_RUNNING)
_FIRST_CONTACT_ACTIONS = sorted(rules.FIRST_CONTACT_ACTIONS)
_PAUSE_STARTS = sorted(rules.PAUSE_STARTS | rules.REPLY_PAUSE_STARTS)
"""Events that start a pause of some clock (``pause`` for all, ``reply`` for the reply's)."""
_REPLY_PAUSE_STARTS = sorted(rules.REPLY_PAUSE_STARTS)
_CALLBACK_STOPS = sorted(rules.CALLBACK_STOPS)
_SLACK_SECONDS = 5.0
"""Epochs (whole seconds on SQLite) are compared with seconds to spare: a bound may only
ever be too wide, never too narrow."""


def epoch(uow: UnitOfWork, column: Any) -> ColumnElement[float]:
    """Seconds since 1970 (UTC) of a stored instant, on either engine (SQLite: whole
    seconds, rounded down; it stores naive UTC)."""
    if uow.session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return cast(func.strftime("%s", column), Integer)


def sla_candidates(
    uow: UnitOfWork, state: str, now: datetime, open_complaints: ColumnElement[bool]
) -> ColumnElement[bool]:
    """A condition every complaint with a clock in ``state`` at ``now`` satisfies.

    Necessary, not sufficient: the answer is still judged by ``services.sla.clocks_for``
    (the sweeper's rule), this only keeps the complaints that cannot be in ``state`` out
    of Python. Each bound follows from the clock rule itself: a limit of L minutes
    (working or calendar; a period in days has L = days × 1440 and ends later still)
    cannot run out in less than L real minutes, nor warn before warn_share·L; pauses only
    push deadlines later; and a stored due time
    (``reply_due_at``, a work order's ``due_at``: set at intake or dispatch without pauses,
    or by the sweep with the pauses so far) is never later than the real one.

    ``open_complaints`` is the caller's spelling of "the complaint is open" (the list's,
    written to match its partial indexes): only open complaints have a clock still running.
    """
    # Most complaints have a running or a stopped clock: those are judged in the page's
    # order, only up to the cap.
    if state in ("met", "met_late"):
        return true()
    if state == "running":
        return open_complaints
    live = Complaint.status.in_(_REPLY_RUNNING)
    if state == "paused":
        waits = select(Event.id).where(
            Event.complaint_id == Complaint.id, Event.action.in_(_PAUSE_STARTS)
        )
        return and_(open_complaints, waits.exists())
    warning = state == "warning"
    policies = list(uow.session.scalars(select(SlaPolicy)))
    share = {p.id: p.warn_share for p in policies}

    def minutes(stage: str) -> ColumnElement[Any] | None:
        """Per complaint: the real minutes after its start before ``stage`` can be in state."""
        by_policy = {}
        for p in policies:
            limit = limit_of(p, stage)
            if limit is not None:
                by_policy[p.id] = limit.minutes * (p.warn_share if warning else 1.0)
        if not by_policy:
            return None
        return case(by_policy, value=Complaint.sla_policy_id, else_=None)

    now_s = now.timestamp() + _SLACK_SECONDS
    reached = lambda start, mins: epoch(uow, start) + mins * 60.0 <= now_s  # noqa: E731
    branches: list[ColumnElement[bool]] = []
    first_contact = minutes("first_contact")
    if first_contact is not None:
        contacted = select(Event.id).where(
            Event.complaint_id == Complaint.id, Event.action.in_(_FIRST_CONTACT_ACTIONS)
        )
        branches.append(
            and_(live, ~contacted.exists(), reached(Complaint.accepted_at, first_contact))
        )
    reply = minutes("reply")
    if reply is not None:
        term = and_(live, reached(Complaint.accepted_at, reply))
        if not warning:
            term = and_(term, or_(Complaint.reply_due_at.is_(None), Complaint.reply_due_at <= now))
        branches.append(term)
    # The regulatory outer limits (rules.outer_limits): every complaint has them, whatever
    # its policy; they stop at the first reply and never pause, and none can run out (or
    # warn) before its days × 1440 real minutes times the smallest warning share.
    replied = select(Event.id).where(
        Event.complaint_id == Complaint.id, Event.action == rules.CALLBACK_START
    )
    outer_share = min([DEFAULT_WARN_SHARE, *share.values()]) if warning else 1.0
    shortest = min(limit.minutes for _, limit in rules.OUTER_LIMITS) * outer_share
    branches.append(and_(live, ~replied.exists(), reached(Complaint.accepted_at, shortest)))
    callback = minutes("callback")
    if callback is not None:
        replies = select(Event.id).where(
            Event.complaint_id == Complaint.id,
            Event.action == rules.CALLBACK_START,
            reached(Event.at, callback),
        )
        branches.append(and_(Complaint.status.in_(_CALLBACK_RUNNING), replies.exists()))
    # Work orders: acceptance (policy limit) and the order's own limit (work_order_limit).
    order_terms: list[ColumnElement[bool]] = []
    acceptance = minutes("acceptance")
    if acceptance is not None:
        order_terms.append(
            and_(
                WorkOrder.accepted_at.is_(None),
                WorkOrder.finished_at.is_(None),
                reached(WorkOrder.dispatched_at, acceptance),
            )
        )
    own_limit = case(
        (
            and_(WorkOrder.sla_limit_minutes.is_not(None), WorkOrder.sla_basis.is_not(None)),
            cast(WorkOrder.sla_limit_minutes, Float),
        ),
        else_=(epoch(uow, WorkOrder.due_at) - epoch(uow, WorkOrder.dispatched_at)) / 60.0,
    )
    started = func.coalesce(WorkOrder.sla_started_at, WorkOrder.dispatched_at)
    if warning:
        order_share: Any = (
            case(share, value=Complaint.sla_policy_id, else_=DEFAULT_WARN_SHARE)
            if share
            else DEFAULT_WARN_SHARE
        )
        order_terms.append(
            and_(WorkOrder.finished_at.is_(None), reached(started, own_limit * order_share))
        )
    else:
        order_terms.append(
            and_(
                WorkOrder.finished_at.is_(None),
                WorkOrder.due_at <= now,
                reached(started, own_limit),
            )
        )
    orders = select(WorkOrder.id).where(WorkOrder.complaint_id == Complaint.id, or_(*order_terms))
    branches.append(orders.exists())
    return and_(open_complaints, or_(*branches))


def sla_certainly_breached(uow: UnitOfWork, now: datetime) -> ColumnElement[bool]:
    """A condition only complaints with a breached clock at ``now`` satisfy.

    Sufficient, not necessary (the converse of :func:`sla_candidates`), for the two plain
    cases that make up most of a breached backlog, where a calendar-time clock counted from
    the instant (``hours``, not a period in days, which ends later) has no pause to subtract
    and ``clocks_for`` finds it breached once ``now`` is past start + L:

    - the reply clock still runs (accepted, in progress, waiting on the customer), the
      policy's reply limit is calendar time, and there was never a ``pause`` or ``reply``
      (the only starts of a reply-clock pause): due at ``accepted_at`` + L;
    - the complaint is replied, the policy's callback limit is calendar time, nothing
      stopped a callback clock yet (no callback, reopen, cancel or merge at all), and every
      ``reply`` is older than L: the latest reply starts the callback clock, which never
      pauses, so it was due at that reply + L.

    The board and the breached list count such complaints without judging them (at 10⁵
    about 90 % of the breached backlog); every other candidate is still judged.
    """

    def calendar_minutes(stage: str) -> dict[int, int]:
        found = {}
        for policy in policies:
            limit = limit_of(policy, stage)
            # From the instant only: a period in days ends later than start + L.
            if limit is not None and limit.count == "hours":
                found[policy.id] = limit.minutes
        return found

    def events(*actions: str) -> Select[tuple[int]]:
        return select(Event.id).where(Event.complaint_id == Complaint.id, Event.action.in_(actions))

    policies = list(uow.session.scalars(select(SlaPolicy)))
    latest = now.timestamp() - _SLACK_SECONDS
    branches: list[ColumnElement[bool]] = []
    reply = calendar_minutes("reply")
    if reply:
        minutes = case(reply, value=Complaint.sla_policy_id, else_=None)
        branches.append(
            and_(
                Complaint.status.in_(_REPLY_RUNNING),
                Complaint.sla_policy_id.in_(sorted(reply)),
                epoch(uow, Complaint.accepted_at) + minutes * 60.0 < latest,
                ~events(*_REPLY_PAUSE_STARTS).exists(),
            )
        )
    callback = calendar_minutes("callback")
    if callback:
        minutes = case(callback, value=Complaint.sla_policy_id, else_=None)
        recent = events(rules.CALLBACK_START).where(epoch(uow, Event.at) + minutes * 60.0 >= latest)
        branches.append(
            and_(
                Complaint.status == Status.REPLIED.value,
                Complaint.sla_policy_id.in_(sorted(callback)),
                events(rules.CALLBACK_START).exists(),
                ~recent.exists(),
                ~events(*_CALLBACK_STOPS).exists(),
            )
        )
    return or_(*branches) if branches else false()


def certainly(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """``condition`` as a 0/1 column (selected beside an id, on either engine)."""
    return case((condition, 1), else_=0)


def judge(
    uow: UnitOfWork, ids: Sequence[int], now: datetime, verdicts: dict[int, frozenset[str]]
) -> None:
    """The states of every clock of ``ids`` at ``now`` (services.sla.clock_states: the
    sweeper's clocks_for on the columns it reads), in batches of a fixed size: three
    queries per batch, whatever the number of complaints, and one calendar for all."""
    todo = [i for i in ids if i not in verdicts]
    if not todo:
        return
    book = CalendarBook(calendar_data(uow))
    for start in range(0, len(todo), JUDGE_BATCH):
        verdicts.update(sla.clock_states(uow, todo[start : start + JUDGE_BATCH], now, book))


def ids_in_state(
    uow: UnitOfWork,
    candidates: Select[tuple[Complaint]],
    state: str,
    now: datetime,
    verdicts: dict[int, frozenset[str]],
    want: int,
    order_by: Sequence[Any],
) -> list[int]:
    """The first ``want`` ids of ``candidates`` (in ``order_by``) with a clock in ``state``.

    Judged a batch at a time, and only until ``want`` are found; on the breached list the
    plainly breached (:func:`sla_certainly_breached`) are taken without judging.
    ``verdicts`` carries the judged states from one call to the next.
    """
    sure = certainly(sla_certainly_breached(uow, now)) if state == "breached" else literal(0)
    rows = uow.session.execute(
        candidates.with_only_columns(Complaint.id, sure).order_by(*order_by)
    ).all()
    found: list[int] = []
    for start in range(0, len(rows), JUDGE_BATCH):
        batch = rows[start : start + JUDGE_BATCH]
        judge(uow, [i for i, certain in batch if not certain], now, verdicts)
        found += [i for i, certain in batch if certain or state in verdicts[i]]
        if len(found) >= want:
            break
    return found[:want]
