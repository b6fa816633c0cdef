"""SLA clocks applied to stored complaints and work orders (DOMAIN.md §3 Time limits).

The rules live in the domain (``domain.sla.rules``: when each clock starts, stops and
pauses; ``domain.sla.policies``: which commitment holds a complaint). This module loads
what they read — policies, the working calendar, events — and :func:`clocks_for` runs them
into :class:`ClockView` objects. The API's clock explanation, the ``?sla=`` filter and the
sweeper all go through it.

Policies are versioned rows (``policies``); the working calendar is data (``calendar``)
seeded from ``chinese-calendar``: a year nobody entered uses the weekends-only fallback
and is logged here, never guessed in silence. The terms a complaint gets at intake and a
work order at dispatch, and re-applying today's policy, are computed here too.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import (
    DEFAULT_WARN_SHARE,
    ClockState,
    Pause,
    SlaLimit,
    add_duration,
    compute_clock,
    period_end,
)
from careloop.domain.sla.facts import (
    ClockEvent,
    ClockSubject,
    ComplaintFacts,
    EventFact,
    WorkOrderFacts,
)
from careloop.domain.sla.policies import STAGES, Criteria, limit_of
from careloop.domain.sla.rules import (
    APPEAL_ANSWER,
    CLOCK_ACTIONS,
    FALLBACK_WORK_ORDER,
    OUTER_CLOCKS,
    OUTER_LIMITS,
    OUTER_REPLY,
    clock_runs,
    limit_until,
)
from careloop.services.access.actors import Actor
from careloop.services.complaints import audit
from careloop.services.sla import reference_versions
from careloop.services.sla.calendar import (
    CalendarBook,
    CalendarData,
    calendar_data,
    calendar_for,
    shared_calendar,
)
from careloop.services.sla.policies import (
    ActivePolicies,
    active_policies,
    check_policy_role,
    criteria_of,
    match_policy,
)
from careloop.services.sla.read_models import PolicyHold
from careloop.services.snapshots import snapshot
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    Complaint,
    Event,
    SlaPolicy,
    WorkOrder,
)

log = logging.getLogger("careloop.sla")

_logged_fallback: set[int] = set()
"""Years whose weekends-only fallback was logged already: once each per process."""


def _log_fallback(years: Iterable[int], what: str) -> None:
    new = sorted(set(years) - _logged_fallback)
    if new:
        _logged_fallback.update(new)
        log.warning(
            "working calendar has no holiday notice for %s (%s): weekends-only fallback; "
            "import the State Council notice with `careloop sla calendar import`",
            new,
            what,
        )


# --- clocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    """One deadline of a complaint, explained: what it measures, under which policy, how far."""

    name: str
    subject: str
    complaint_id: int
    work_order_id: int | None
    policy: SlaPolicy | None
    limit: SlaLimit
    pauses: tuple[Pause, ...]
    state: ClockState

    @property
    def regulatory(self) -> bool:
        """A regulatory outer limit: law, not policy, and never paused."""
        return self.name in OUTER_CLOCKS

    def explanation(self, lang: str = "zh") -> str:
        """Why the clock stands where it does, in words a person reads: the clock and the
        state by name, durations in days and hours, the due time in Beijing time."""
        s = self.state
        en = lang.startswith("en")

        def words(pair: tuple[str, str]) -> str:
            return pair[1] if en else pair[0]

        basis = words(_BASIS_LABELS[s.basis])
        policy = f"{self.policy.code} v{self.policy.version}" if self.policy else "-"
        name = words(CLOCK_LABELS.get(self.name, (self.name, self.name)))
        state = words(CLOCK_STATE_LABELS.get(s.state, (s.state, s.state)))
        due = local_due(s.due_at)
        used, paused = _minutes(s.used_minutes, en), _minutes(s.paused_minutes, en)
        left = _minutes(abs(s.remaining_minutes), en)
        if en:
            left = f"{left} left" if s.remaining_minutes >= 0 else f"{left} over"
        else:
            left = f"剩余 {left}" if s.remaining_minutes >= 0 else f"超出 {left}"
        if self.regulatory:
            source_zh, source_en = REGULATORY_LABELS[self.name]
            if en:
                return (
                    f"{name}: {source_en}, {self.limit.describe('en')}; cannot be paused; "
                    f"used {used}, {left}; due {due} (Beijing time); {state}"
                )
            return (
                f"{name}：{source_zh}，{self.limit.describe('zh')}；不可暂停；已用 {used}，"
                f"{left}；到期 {due}（北京时间）；{state}"
            )
        limit = (
            self.limit.describe("en" if en else "zh")
            if s.limit_days is not None
            else _minutes(s.limit_minutes, en)
        )
        if en:
            return (
                f"{name}: {limit} of {basis} under policy {policy}; used {used}, paused "
                f"{paused}, {left}; due {due} (Beijing time); {state}"
            )
        return (
            f"{name}：按服务承诺 {policy} 限时 {limit}（{basis}）；已用 {used}，暂停 {paused}，"
            f"{left}；到期 {due}（北京时间）；{state}"
        )


LOCAL_TIME = ZoneInfo("Asia/Shanghai")
"""The business calendar's zone, in which people read a due time (DESIGN.md)."""

_BASIS_LABELS: dict[str, tuple[str, str]] = {
    "calendar": ("自然时间", "calendar time"),
    "working": ("工作时间", "working time"),
}

CLOCK_LABELS: dict[str, tuple[str, str]] = {
    "acceptance": ("接单时限", "acceptance limit"),
    "first_contact": ("首次响应时限", "first-contact limit"),
    "reply": ("答复时限", "reply limit"),
    "work_order": ("工单办结时限", "work-order limit"),
    "callback": ("回访时限", "callback limit"),
    "outer_reply": ("法定答复时限", "regulatory reply limit"),
    "appeal_accept": ("申诉受理时限", "appeal acceptance limit"),
    "appeal_answer": ("申诉答复时限", "appeal answer limit"),
}
"""Each clock by name, as its explanation opens."""

CLOCK_STATE_LABELS: dict[str, tuple[str, str]] = {
    "running": ("计时中", "running"),
    "warning": ("即将超时", "due soon"),
    "breached": ("已超时", "breached"),
    "met": ("按时完成", "met"),
    "met_late": ("超时完成", "met late"),
    "paused": ("已暂停", "paused"),
}


def local_due(moment: datetime) -> str:
    """A due time in Beijing time; one at midnight reads as the end of the day before
    ("2026-10-08 24:00"), as the law states a period's last day and the pages show it."""
    local = moment.astimezone(LOCAL_TIME)
    if (local.hour, local.minute) == (0, 0):
        return f"{local - timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def _minutes(minutes: int, en: bool) -> str:
    """A duration as people say it: 2天3小时, 1 d 4 h, 45 min."""
    days, rest = divmod(max(0, minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "天", "d"), (hours, "小时", "h"), (mins, "分钟", "min")]
    shown = [f"{n} {u_en}" if en else f"{n}{u_zh}" for n, u_zh, u_en in parts if n]
    return (" " if en else "").join(shown) or ("0 min" if en else "0分钟")


REGULATORY_LABELS: dict[str, tuple[str, str]] = {
    "outer_reply": (
        "法定答复时限（工信部令第35号：投诉15日内未答复可申诉）",
        "regulatory reply limit (MIIT order 35: no answer in 15 days opens an appeal)",
    ),
    "appeal_accept": (
        "申诉受理时限（5个工作日）",
        "appeal acceptance limit (5 working days)",
    ),
    "appeal_answer": (
        "申诉答复时限（电信条例：30日内答复）",
        "appeal answer limit (Telecommunications Regulations: 30 days)",
    ),
}
"""What each regulatory outer limit is, in words (zh, en)."""


@dataclass(frozen=True)
class ComplaintClocks:
    complaint_id: int
    policy: SlaPolicy | None
    clocks: tuple[ClockView, ...]
    now: datetime

    @property
    def reply(self) -> ClockView | None:
        return next((c for c in self.clocks if c.name == "reply"), None)


def clocks_for(
    complaint: ClockSubject,
    events: Sequence[ClockEvent],
    policy: SlaPolicy | None,
    calendars: CalendarBook,
    now: datetime,
) -> ComplaintClocks:
    """Every deadline of one complaint at ``now``: the single rule behind API and sweeper
    (``domain.sla.rules.clock_runs``), each measured on the policy's working calendar."""
    calendar = calendars(policy)
    warn_share = policy.warn_share if policy else DEFAULT_WARN_SHARE
    views: list[ClockView] = []
    for run in clock_runs(complaint, events, policy, now):
        try:
            state = compute_clock(
                run.started_at, run.limit, calendar, now, run.pauses, warn_share, run.stopped_at
            )
        except (OverflowError, ValueError):
            # A time stored before inputs were bounded (domain.time_bounds) or by hand must
            # not take every page, list and sweep that reads this complaint down with it:
            # this one clock is left out, logged, and the rest are computed.
            log.warning("clock %s skipped: a stored time is out of range", run.subject)
            continue
        if state.fallback_years:
            _log_fallback(state.fallback_years, run.subject)
        views.append(
            ClockView(
                run.name,
                run.subject,
                complaint.id,
                run.work_order_id,
                policy,
                run.limit,
                run.pauses,
                state,
            )
        )
    return ComplaintClocks(complaint.id, policy, tuple(views), now)


def load_events(
    uow: UnitOfWork, complaint_ids: Sequence[int], actions: Collection[str] | None = None
) -> dict[int, list[EventFact]]:
    """The clock-relevant facts of every event of ``complaint_ids`` (only those whose action
    is in ``actions``, e.g. :data:`CLOCK_ACTIONS`), in one query."""
    grouped: dict[int, list[EventFact]] = {cid: [] for cid in complaint_ids}
    if not complaint_ids:
        return grouped
    query = select(Event.complaint_id, Event.id, Event.at, Event.action).where(
        Event.complaint_id.in_(complaint_ids)
    )
    if actions is not None:
        query = query.where(Event.action.in_(sorted(actions)))
    rows = uow.session.execute(query.order_by(Event.id))
    for complaint_id, event_id, at, action in rows:
        grouped[complaint_id].append(EventFact(event_id, at, action))
    return grouped


def load_clock_facts(uow: UnitOfWork, complaint_ids: Sequence[int]) -> list[ComplaintFacts]:
    """What the clocks of ``complaint_ids`` read, in two narrow queries (ids' order kept;
    work orders in ``seq`` order, as the ORM relationship gives them)."""
    if not complaint_ids:
        return []
    orders: dict[int, list[WorkOrderFacts]] = {}
    for row in uow.session.execute(
        select(
            WorkOrder.complaint_id,
            WorkOrder.id,
            WorkOrder.dispatched_at,
            WorkOrder.due_at,
            WorkOrder.accepted_at,
            WorkOrder.finished_at,
            WorkOrder.sla_started_at,
            WorkOrder.sla_limit_minutes,
            WorkOrder.sla_basis,
        )
        .where(WorkOrder.complaint_id.in_(complaint_ids))
        .order_by(WorkOrder.complaint_id, WorkOrder.seq)
    ):
        orders.setdefault(row.complaint_id, []).append(WorkOrderFacts(*row[1:]))
    found = {
        row.id: ComplaintFacts(
            *row[:7], work_orders=tuple(orders.get(row.id, ())), regulator_transfer=bool(row[7])
        )
        for row in uow.session.execute(
            select(
                Complaint.id,
                Complaint.status,
                Complaint.accepted_at,
                Complaint.replied_at,
                Complaint.closed_at,
                Complaint.updated_at,
                Complaint.sla_policy_id,
                Complaint.regulator_transfer,
            ).where(Complaint.id.in_(complaint_ids))
        )
    }
    return [found[i] for i in complaint_ids if i in found]


def clock_states(
    uow: UnitOfWork,
    complaint_ids: Sequence[int],
    now: datetime,
    calendars: CalendarBook | None = None,
) -> dict[int, frozenset[str]]:
    """The state of every clock of ``complaint_ids`` at ``now``, by :func:`clocks_for` itself
    (the sweeper's rule) on only what it reads: for the ``?sla=`` lists and the board's
    counts, which need the verdicts of thousands of complaints, not their explanations.
    Pass ``calendars`` to share one book across batches."""
    judged = _clocks(
        uow, load_clock_facts(uow, complaint_ids), now, actions=CLOCK_ACTIONS, book=calendars
    )
    return {cid: frozenset(view.state.state for view in c.clocks) for cid, c in judged.items()}


def load_policies(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, SlaPolicy]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {p.id: p for p in uow.session.scalars(select(SlaPolicy).where(SlaPolicy.id.in_(wanted)))}


def explain(
    uow: UnitOfWork, complaints: Sequence[Complaint], now: datetime
) -> dict[int, ComplaintClocks]:
    """Clocks for a page of complaints, with three queries whatever the page size."""
    return _clocks(uow, complaints, now)


def _clocks(
    uow: UnitOfWork,
    complaints: Sequence[Complaint] | Sequence[ComplaintFacts],
    now: datetime,
    actions: Collection[str] | None = None,
    book: CalendarBook | None = None,
) -> dict[int, ComplaintClocks]:
    """:func:`clocks_for` of each complaint, its events (only ``actions`` if given), policy
    and calendar loaded in one query each (``book``: a calendar shared across batches)."""
    events = load_events(uow, [c.id for c in complaints], actions)
    policies = load_policies(uow, (c.sla_policy_id for c in complaints))
    book = book if book is not None else CalendarBook(calendar_data(uow))
    return {
        c.id: clocks_for(c, events[c.id], policies.get(c.sla_policy_id or -1), book, now)
        for c in complaints
    }


# --- terms set at intake and dispatch -------------------------------------------------------


@dataclass(frozen=True)
class IntakeTerms:
    policy: SlaPolicy | None
    reply_due_at: datetime
    warn_at: datetime
    calendar: CalendarData | None = None
    """The calendar data the terms were computed with (clocks for the answer reuse it)."""
    outer_due: tuple[datetime, datetime] | None = None
    """The regulatory answer limits from acceptance: (15 days, a regulator appeal's 30 days)."""

    def outer_due_at(self, regulator_transfer: bool) -> datetime | None:
        """The stored ``outer_due_at`` of a complaint accepted on these terms
        (``rules.outer_limits``): its answer's regulatory limit, no pause yet to move it."""
        if self.outer_due is None:
            return None
        return self.outer_due[1] if regulator_transfer else self.outer_due[0]


@dataclass(frozen=True)
class IntakeReference:
    """What intake reads besides the complaint itself, loaded once per use case (a batch
    shares one): the active policies and the working calendar, both cached by stamp."""

    policies: ActivePolicies
    calendar: CalendarData


def intake_reference(uow: UnitOfWork) -> IntakeReference:
    policy_stamp, calendar_stamp = reference_versions.stamps(uow)
    return IntakeReference(active_policies(uow, policy_stamp), calendar_data(uow, calendar_stamp))


def intake_terms(
    uow: UnitOfWork,
    criteria: Criteria,
    now: datetime,
    fallback: SlaLimit,
    reference: IntakeReference | None = None,
) -> IntakeTerms:
    """The policy a new complaint is held to and its first reply deadline."""
    if reference is None:
        reference = intake_reference(uow)
    policy = match_policy(uow, criteria, reference.policies)
    limit = limit_of(policy, "reply")
    calendar = shared_calendar(reference.calendar, policy)
    if limit is None:
        # No policy answers for the reply: the fallback, counted as the law counts days
        # (the 15-day answer ends at 24:00, a holiday moves it on).
        due = period_end(now, fallback, calendar)
        return IntakeTerms(policy, due, now, reference.calendar, _outer_due(now, calendar))
    state = compute_clock(
        now, limit, calendar, now, (), policy.warn_share if policy else DEFAULT_WARN_SHARE
    )
    if state.fallback_years:
        _log_fallback(state.fallback_years, "intake")
    return IntakeTerms(policy, state.due_at, now, reference.calendar, _outer_due(now, calendar))


def _outer_due(now: datetime, calendar: WorkingCalendar) -> tuple[datetime, datetime]:
    return period_end(now, OUTER_REPLY, calendar), period_end(now, APPEAL_ANSWER, calendar)


def clocks_of_new(
    complaint: Complaint, events: Sequence[Event], terms: IntakeTerms, now: datetime
) -> ComplaintClocks:
    """The clocks of a complaint just accepted, from what intake already holds (no re-read):
    the same :func:`clocks_for` the sweeper runs, with the policy and calendar it used."""
    data = terms.calendar if terms.calendar is not None else CalendarData((), frozenset())
    book = CalendarBook(data)
    return clocks_for(complaint, events, terms.policy, book, now)


@dataclass(frozen=True)
class WorkOrderTerms:
    policy_id: int | None
    limit: SlaLimit
    started_at: datetime
    due_at: datetime


def work_order_terms(
    uow: UnitOfWork,
    complaint: Complaint,
    now: datetime,
    explicit_due: datetime | None,
    due_hours: float | None,
) -> WorkOrderTerms:
    """A dispatcher's own due time wins (calendar time); otherwise the complaint's policy."""
    policy = (
        uow.session.get(SlaPolicy, complaint.sla_policy_id) if complaint.sla_policy_id else None
    )
    if explicit_due is not None:
        limit = limit_until(now, explicit_due)
        return WorkOrderTerms(policy and policy.id, limit, now, explicit_due)
    if due_hours is not None:
        limit = SlaLimit(max(1, round(due_hours * 60)), "calendar")
        return WorkOrderTerms(policy and policy.id, limit, now, now + limit.duration)
    limit = limit_of(policy, "work_order") or FALLBACK_WORK_ORDER
    due = add_duration(now, limit, calendar_for(calendar_data(uow), policy))
    return WorkOrderTerms(policy and policy.id, limit, now, due)


def reapply_policy(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime
) -> PolicyHold:
    """Hold an open complaint to today's matching policy: an explicit, audited act."""
    from careloop.services.complaints.lifecycle import (
        check_version,
        commit_or_conflict,
        load_complaint,
    )

    check_policy_role(actor)
    complaint = load_complaint(uow, complaint_id, actor)
    check_version(complaint.version, version)
    policy = match_policy(uow, criteria_of(uow, complaint))
    if policy is None:
        raise DomainError("not_found", what="SLA policy", ident="(matching)")
    old = uow.session.get(SlaPolicy, complaint.sla_policy_id) if complaint.sla_policy_id else None
    events = load_events(uow, [complaint.id])[complaint.id]
    complaint.sla_policy_id = policy.id
    reply = clocks_for(complaint, events, policy, CalendarBook(calendar_data(uow)), now).reply
    due = reply.state.due_at if reply else complaint.reply_due_at
    before = {
        "sla_policy": f"{old.code} v{old.version}" if old else None,
        "reply_due_at": audit.jsonable(complaint.reply_due_at),
    }
    after = {"sla_policy": f"{policy.code} v{policy.version}", "reply_due_at": audit.jsonable(due)}
    complaint.reply_due_at = due
    complaint.sla_evaluated_at = None  # let the sweeper look again
    complaint.updated_at = now
    uow.session.add(audit.record(complaint, actor, "sla_policy_reapplied", now, before, after))
    commit_or_conflict(uow, version)
    return snapshot(PolicyHold, complaint)


# --- "when is it due?" for an agent or an auditor ---------------------------------------


@dataclass(frozen=True)
class DueAnswer:
    """When a limit started at ``started_at`` runs out, and on what it rests: the counting
    rule applied (zh, en) and the years whose holiday notice was not entered."""

    started_at: datetime
    due_at: datetime
    limit: SlaLimit
    rule_zh: str
    rule_en: str
    fallback_years: tuple[int, ...]
    timezone: str
    policy: str | None
    clock: str | None


def due_answer(
    uow: UnitOfWork,
    started_at: datetime,
    limit: SlaLimit | None = None,
    policy_code: str | None = None,
    clock: str = "reply",
) -> DueAnswer:
    """The due instant of ``limit`` (or of ``policy_code``'s ``clock``: a stage of the
    policy, or a regulatory outer limit) started at ``started_at``, on the policy's working
    calendar (the default one without a policy): by ``compute_clock`` itself, the function
    every clock runs on, so the answer is the one the clocks and the sweep will hold to."""
    policy = None
    if policy_code is not None:
        policy = uow.session.scalar(
            select(SlaPolicy)
            .where(SlaPolicy.code == policy_code, SlaPolicy.active.is_(True))
            .order_by(SlaPolicy.version.desc())
            .limit(1)
        )
        if policy is None:
            raise DomainError("not_found", what="SLA policy", ident=policy_code)
    if limit is None:
        limit = _clock_limit(policy, clock)
    calendar = calendar_for(calendar_data(uow), policy)
    state = compute_clock(started_at, limit, calendar, started_at)
    if state.fallback_years:
        _log_fallback(state.fallback_years, "due")
    return DueAnswer(
        started_at=started_at,
        due_at=state.due_at,
        limit=limit,
        rule_zh=limit.describe("zh"),
        rule_en=limit.describe("en"),
        fallback_years=tuple(sorted(state.fallback_years)),
        timezone=calendar.timezone,
        policy=f"{policy.code} v{policy.version}" if policy else None,
        clock=clock if policy_code is not None else None,
    )


def _clock_limit(policy: SlaPolicy | None, clock: str) -> SlaLimit:
    outer = {name: limit for name, limit in OUTER_LIMITS}
    if clock in outer:
        return outer[clock]
    if clock not in STAGES:
        known = ", ".join([*STAGES, *outer])
        raise InvalidInput("clock", f"未知时限 / unknown clock '{clock}' ({known})")
    limit = limit_of(policy, clock)
    if limit is None:
        ident = f"{policy.code}" if policy else "-"
        raise InvalidInput(
            "clock", f"政策 {ident} 未设置此环节时限 / policy {ident} sets no limit for '{clock}'"
        )
    return limit
