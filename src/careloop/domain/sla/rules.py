"""When each SLA clock of a complaint starts, stops and pauses (DOMAIN.md §3 Time limits).

The one definition of the clock rules: the sweeper, the clock explanation on pages and in
the API, and the SQL pre-filter of the ``?sla=`` lists and the board (which reads the
action and status sets below) all follow it.

- first contact: from acceptance to the first action on the complaint (or its reply);
- reply: from acceptance to the answer to the customer (答复);
- callback: from the latest reply to the callback (回访), either outcome;
- acceptance: from dispatch until the unit accepts (or finishes) its work order (接单);
- work order: from dispatch (or the unit's own start) until the unit finishes.

Waiting on the customer (``pause`` … ``resume``) stands still for every clock but the
callback's; for the reply clock so does the time between a reply and the dissatisfied
callback's ``reopen``: the customer had an answer meanwhile.

Beside them run the **regulatory outer limits**, which are law, not policy, so no policy
sets them and no pause stops them (DOMAIN.md §3; MIIT order 35 and the Telecommunications
Regulations): an ordinary complaint must be answered within 15 days of acceptance
(``outer_reply``); a complaint the regulator transferred (an appeal) must be taken up within
5 working days (``appeal_accept``: to the first action on it) and answered within 30 days
(``appeal_answer``). Each stops at the first reply: the customer got an answer in time, and
a later reopen does not make that answer late.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, cast

from careloop.domain.lifecycle.tickets import Status
from careloop.domain.sla.clocks import Basis, Pause, SlaLimit
from careloop.domain.sla.facts import ClockEvent, ClockOrder, ClockSubject
from careloop.domain.sla.policies import PolicyLimits, limit_of

FIRST_CONTACT_ACTIONS: Final = frozenset(
    {"handle", "dispatch", "pause", "reply", "cancel", "reject", "merge"}
)
"""Events that are a first contact: the first of them stops the first-contact clock."""
PAUSE_STARTS: Final = frozenset({"pause"})
PAUSE_ENDS: Final = frozenset({"resume"})
"""Waiting on the customer: ``pause`` … ``resume`` (an open pause runs on to now)."""
REPLY_PAUSE_STARTS: Final = PAUSE_STARTS | {"reply"}
REPLY_PAUSE_ENDS: Final = PAUSE_ENDS | {"reopen"}
"""The reply clock also stands still from a reply to a dissatisfied callback's reopen."""
CALLBACK_START: Final = "reply"
"""The latest reply starts the callback clock."""
CALLBACK_STOPS: Final = frozenset(
    {"callback_satisfied", "reopen", "close_unreachable", "callback_declined", "cancel", "merge"}
)
"""Events after the latest reply that stop its callback clock (either outcome, or gone)."""
CLOCK_ACTIONS: Final = (
    FIRST_CONTACT_ACTIONS
    | REPLY_PAUSE_STARTS
    | REPLY_PAUSE_ENDS
    | {CALLBACK_START}
    | CALLBACK_STOPS
)
"""Every event action a clock reads (pauses, first contact, the callback window); any other
event (notes, work-order steps, surveys …) moves no clock, so judging need not load it."""

REPLY_STOPPED: Final = frozenset({Status.REPLIED, Status.CLOSED, Status.ARCHIVED})
"""Answered: the reply clock stopped when the complaint was replied (or closed)."""
ENDED: Final = frozenset({Status.CANCELLED, Status.REJECTED, Status.MERGED})
"""Gone without an answer: every complaint clock stopped when it ended."""
REPLY_RUNNING: Final = frozenset(Status) - REPLY_STOPPED - ENDED
"""Statuses in which the reply (and first-contact) clock still runs."""
CALLBACK_RUNNING: Final = frozenset({Status.REPLIED, Status.IN_PROGRESS, Status.ACCEPTED})
"""Statuses in which a callback clock a reply started, and no event stopped, still runs."""

OUTER_REPLY: Final = SlaLimit.in_days(15, "calendar")
"""No answer within 15 days lets the user appeal to the regulator (MIIT order 35, 2016)."""
APPEAL_ACCEPT: Final = SlaLimit.in_days(5, "working")
"""An appeal is accepted or refused within 5 working days (MIIT order 35)."""
APPEAL_ANSWER: Final = SlaLimit.in_days(30, "calendar")
"""An accepted appeal is answered within 30 days (Telecommunications Regulations, 2016)."""
OUTER_LIMITS: Final = (
    ("outer_reply", OUTER_REPLY),
    ("appeal_accept", APPEAL_ACCEPT),
    ("appeal_answer", APPEAL_ANSWER),
)
"""Each regulatory outer limit by its clock's name."""
OUTER_ANSWER_CLOCKS: Final = frozenset({"outer_reply", "appeal_answer"})
"""The regulatory outer limits on the answer, which no pause stops (DOMAIN.md §3): 15 days
for a complaint, 30 days for a regulator appeal; stored as ``outer_due_at``."""
OUTER_CLOCKS: Final = OUTER_ANSWER_CLOCKS | {"appeal_accept"}
"""Every regulatory outer limit: the answers', and a regulator appeal's 5 working days to
accept it."""

FALLBACK_WORK_ORDER: Final = SlaLimit(48 * 60, "calendar")
"""A unit's limit when neither the dispatcher nor the policy gives one (DOMAIN.md §3:
fault repair within 48 h)."""


@dataclass(frozen=True, slots=True)
class ClockRun:
    """One clock of a complaint as the rules set it: what it measures and against which
    limit, when it started, when it stopped (None: still running) and where it stood still.
    ``domain.sla.clocks.compute_clock`` turns it into a state with a calendar."""

    name: str
    subject: str
    """A stable name for alerts and logs: ``complaint:7:reply``, ``work_order:3:acceptance``."""
    work_order_id: int | None
    limit: SlaLimit
    started_at: datetime
    stopped_at: datetime | None
    pauses: tuple[Pause, ...]


def _order(event: ClockEvent) -> tuple[datetime, int]:
    return event.at, event.id or 0


def pauses_from_events(events: Sequence[ClockEvent], *, reply_gaps: bool = False) -> list[Pause]:
    """Waiting on the customer: ``pause`` … ``resume`` (an open pause runs on to now).

    With ``reply_gaps`` the time between a reply and a dissatisfied callback's ``reopen``
    also stands still for the reply clock: the customer had an answer meanwhile.
    """
    pauses: list[Pause] = []
    opened: datetime | None = None
    starts = REPLY_PAUSE_STARTS if reply_gaps else PAUSE_STARTS
    ends = REPLY_PAUSE_ENDS if reply_gaps else PAUSE_ENDS
    for event in sorted(events, key=_order):
        if event.action in starts and opened is None:
            opened = event.at
        elif event.action in ends and opened is not None:
            pauses.append(Pause(opened, event.at))
            opened = None
    if opened is not None:
        pauses.append(Pause(opened, None))
    return pauses


def reply_stop(complaint: ClockSubject) -> datetime | None:
    """When the reply clock stopped: at the reply (or close) once answered, at the end
    once cancelled, rejected or merged; None while it runs."""
    status = Status(complaint.status)
    if status in REPLY_STOPPED:
        return complaint.replied_at or complaint.closed_at or complaint.updated_at
    if status in ENDED:
        return complaint.closed_at or complaint.updated_at
    return None


def first_contact_stop(complaint: ClockSubject, events: Sequence[ClockEvent]) -> datetime | None:
    """The first first-contact event stops the clock; without one, whatever stops the reply."""
    times = [e.at for e in events if e.action in FIRST_CONTACT_ACTIONS]
    if times:
        return min(times)
    return reply_stop(complaint)


def callback_window(
    complaint: ClockSubject, events: Sequence[ClockEvent]
) -> tuple[datetime, datetime | None] | None:
    """The latest reply starts the callback clock; the callback (either outcome) stops it.

    Without a stopping event, a complaint that left the callback's statuses (closed, gone)
    stopped it when it did. None: never replied, no callback clock.
    """
    replies = [e for e in events if e.action == CALLBACK_START]
    if not replies:
        return None
    last = max(replies, key=_order)
    after = [e.at for e in events if _order(e) > _order(last) and e.action in CALLBACK_STOPS]
    if after:
        return last.at, min(after)
    finished = Status(complaint.status) not in CALLBACK_RUNNING
    return last.at, (complaint.closed_at or complaint.updated_at) if finished else None


def limit_until(start: datetime, due: datetime) -> SlaLimit:
    """A due time given as an instant, as a calendar-time limit from ``start`` (a begun
    minute counts; at least one): a dispatcher's own due time."""
    return SlaLimit(max(1, math.ceil((due - start) / timedelta(minutes=1))), "calendar")


STORED_DAY_BASES: Final = {"cal_days": "calendar", "work_days": "working"}
"""A work order's ``sla_basis`` for a period in days (the column holds ten characters);
``sla_limit_minutes`` is then the days × 1440."""


def stored_basis(limit: SlaLimit) -> str:
    """How a work order stores ``limit``'s basis: ``calendar``/``working`` for a limit from
    the instant, ``cal_days``/``work_days`` for a period in days."""
    if limit.days is None:
        return limit.basis
    return "cal_days" if limit.basis == "calendar" else "work_days"


def work_order_limit(order: ClockOrder) -> SlaLimit:
    """The limit a work order was dispatched with; an order stored before limits were kept
    has the calendar time from dispatch to its due time."""
    if order.sla_limit_minutes and order.sla_basis:
        day_basis = STORED_DAY_BASES.get(order.sla_basis)
        if day_basis is not None:
            return SlaLimit.in_days(order.sla_limit_minutes // 1440, cast(Basis, day_basis))
        return SlaLimit(order.sla_limit_minutes, cast(Basis, order.sla_basis))
    return limit_until(order.dispatched_at, order.due_at)


def first_reply(events: Sequence[ClockEvent]) -> datetime | None:
    """When the customer first had an answer (the first ``reply`` event)."""
    times = [e.at for e in events if e.action == CALLBACK_START]
    return min(times) if times else None


def outer_limits(complaint: ClockSubject) -> tuple[tuple[str, SlaLimit], ...]:
    """The regulatory outer limits that hold ``complaint`` (module docstring)."""
    if complaint.regulator_transfer:
        return (("appeal_accept", APPEAL_ACCEPT), ("appeal_answer", APPEAL_ANSWER))
    return (("outer_reply", OUTER_REPLY),)


def _clamp(moment: datetime | None, start: datetime, now: datetime) -> datetime | None:
    if moment is None:
        return None
    return min(max(moment, start), now)


def clock_runs(
    complaint: ClockSubject,
    events: Sequence[ClockEvent],
    policy: PolicyLimits | None,
    now: datetime,
) -> list[ClockRun]:
    """Every clock of one complaint at ``now``, in a fixed order: first contact, reply,
    callback, the regulatory outer limits (:func:`outer_limits`, never paused), then
    acceptance and work order of each work order.

    A stage the policy sets no limit for has no clock (work orders always do: their own
    limit), nor does one that has not started by ``now``. A stop is clamped into
    [start, now]: a clock cannot stop before it started, nor in the future.
    """
    runs: list[ClockRun] = []

    def add(
        name: str,
        subject: str,
        order: ClockOrder | None,
        limit: SlaLimit | None,
        start: datetime,
        stop: datetime | None,
        pauses: Sequence[Pause],
    ) -> None:
        if limit is None or start > now:
            return
        runs.append(
            ClockRun(
                name,
                subject,
                order.id if order else None,
                limit,
                start,
                _clamp(stop, start, now),
                tuple(pauses),
            )
        )

    waits = pauses_from_events(events)
    accepted = complaint.accepted_at
    add(
        "first_contact",
        f"complaint:{complaint.id}:first_contact",
        None,
        limit_of(policy, "first_contact"),
        accepted,
        first_contact_stop(complaint, events),
        waits,
    )
    add(
        "reply",
        f"complaint:{complaint.id}:reply",
        None,
        limit_of(policy, "reply"),
        accepted,
        reply_stop(complaint),
        pauses_from_events(events, reply_gaps=True),
    )
    window = callback_window(complaint, events)
    if window is not None:
        add(
            "callback",
            f"complaint:{complaint.id}:callback",
            None,
            limit_of(policy, "callback"),
            window[0],
            window[1],
            (),
        )
    answered = first_reply(events)
    for name, outer in outer_limits(complaint):
        if name == "appeal_accept":
            stop = first_contact_stop(complaint, events)
        else:
            stop = answered or reply_stop(complaint)
        add(name, f"complaint:{complaint.id}:{name}", None, outer, accepted, stop, ())
    acceptance = limit_of(policy, "acceptance")
    for order in complaint.work_orders:
        add(
            "acceptance",
            f"work_order:{order.id}:acceptance",
            order,
            acceptance,
            order.dispatched_at,
            order.accepted_at or order.finished_at,
            waits,
        )
        add(
            "work_order",
            f"work_order:{order.id}:work_order",
            order,
            work_order_limit(order),
            order.sla_started_at or order.dispatched_at,
            order.finished_at,
            waits,
        )
    return runs
