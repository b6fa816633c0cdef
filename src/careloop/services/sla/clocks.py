"""SLA clocks applied to stored complaints and work orders (DOMAIN.md §3 Time limits).

The rules live in the domain (``domain.sla.rules``: when each clock starts, stops and
pauses; ``domain.sla.policies``: which commitment holds a complaint). This module loads
what they read — policies, the working calendar, events — and :func:`clocks_for` runs them
into :class:`ClockView` objects. The API's clock explanation, the ``?sla=`` filter and the
sweeper all go through it.

- Policies are versioned rows (``sla_policies``); a complaint keeps the version it was
  accepted under unless someone re-applies the current one, which is an audit event.
- The working calendar is data (``calendar_days``, ``calendar_years``) seeded from
  ``chinese-calendar``; a year nobody entered uses the weekends-only fallback and is
  logged, never guessed in silence.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached

from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.sla.calendar import (
    DEFAULT_TIMEZONE,
    DayOverride,
    WorkingCalendar,
    parse_hours,
)
from careloop.domain.sla.clocks import (
    DEFAULT_WARN_SHARE,
    ClockState,
    Pause,
    SlaLimit,
    add_duration,
    compute_clock,
)
from careloop.domain.sla.facts import (
    ClockEvent,
    ClockSubject,
    ComplaintFacts,
    EventFact,
    WorkOrderFacts,
)
from careloop.domain.sla.policies import Criteria, best_policy, check_policy_terms, limit_of
from careloop.domain.sla.rules import (
    CLOCK_ACTIONS,
    FALLBACK_WORK_ORDER,
    clock_runs,
    limit_until,
)
from careloop.domain.text import check_code, required_text
from careloop.services.access.actors import Actor
from careloop.services.complaints import audit
from careloop.services.sla import reference_versions
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    CalendarDay,
    CalendarYear,
    Complaint,
    Event,
    OrgUnit,
    SlaPolicy,
    WorkOrder,
)

log = logging.getLogger("careloop.sla")

POLICY_ROLES: Final = frozenset({"admin", "supervisor"})
"""Who may change service commitments and the calendar."""

# --- policies --------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicySpec:
    """What an operator enters for a service commitment (API and CLI)."""

    name: str
    limits: Mapping[str, Mapping[str, Any]]
    rank: int = 0
    match_category: str | None = None
    match_channel: str | None = None
    match_tier: str | None = None
    match_region: str | None = None
    match_escalated: bool | None = None
    match_priority: str | None = None
    warn_share: float = DEFAULT_WARN_SHARE
    timezone: str = DEFAULT_TIMEZONE
    hours: Mapping[str, Sequence[Sequence[str]]] | None = None
    escalation: Sequence[Mapping[str, Any]] = field(default_factory=list)
    reminder_channel: str = "sms"


def _check_policy_role(actor: Actor) -> None:
    if actor.role not in POLICY_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="manage SLA policies")


def _validated_spec(uow: UnitOfWork, spec: PolicySpec) -> PolicySpec:
    # The name is shown on pages and in reports: the one text sanitiser (domain.text).
    spec = replace(spec, name=required_text(spec.name, "name", 200, multiline=False))
    check_code(spec.match_region, "match_region")
    check_policy_terms(spec)
    if (
        spec.match_region is not None
        and uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == spec.match_region)) is None
    ):
        raise InvalidInput("match_region", f"未知单位 / unknown unit '{spec.match_region}'")
    return spec


def _policy_row(
    spec: PolicySpec, code: str, version: int, actor: Actor, now: datetime
) -> SlaPolicy:
    return SlaPolicy(
        code=code,
        version=version,
        name=spec.name.strip(),
        active=True,
        rank=spec.rank,
        match_category=spec.match_category,
        match_channel=spec.match_channel,
        match_tier=spec.match_tier,
        match_region=spec.match_region,
        match_escalated=spec.match_escalated,
        match_priority=spec.match_priority,
        limits={
            k: {"minutes": int(v["minutes"]), "basis": v.get("basis", "working")}
            for k, v in spec.limits.items()
        },
        warn_share=spec.warn_share,
        timezone=spec.timezone,
        hours={k: [list(w) for w in v] for k, v in spec.hours.items()} if spec.hours else None,
        escalation=[dict(step) for step in spec.escalation],
        reminder_channel=spec.reminder_channel,
        created_at=now,
        created_by=actor.username,
    )


def list_policies(uow: UnitOfWork, include_retired: bool = False) -> list[SlaPolicy]:
    query = select(SlaPolicy).order_by(SlaPolicy.code, SlaPolicy.version)
    if not include_retired:
        query = query.where(SlaPolicy.active.is_(True))
    return list(uow.session.scalars(query))


def get_policy(uow: UnitOfWork, policy_id: int) -> SlaPolicy:
    policy = uow.session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound("SLA policy", policy_id)
    return policy


def save_policy(
    uow: UnitOfWork, code: str, spec: PolicySpec, actor: Actor, now: datetime
) -> SlaPolicy:
    """Create ``code`` or add its next version; the previous version is retired, not changed.

    Complaints already accepted keep the version they reference (a policy change applies to
    new complaints only, issue 3); :func:`reapply_policy` moves one explicitly.
    """
    _check_policy_role(actor)
    if not code or len(code) > 64:
        raise InvalidInput("code", "1–64 个字符 / 1 to 64 characters")
    check_code(code, "code")
    spec = _validated_spec(uow, spec)
    current = uow.session.scalar(
        select(SlaPolicy).where(SlaPolicy.code == code).order_by(SlaPolicy.version.desc()).limit(1)
    )
    if current is not None:
        current.active = False
    row = _policy_row(spec, code, (current.version if current else 0) + 1, actor, now)
    uow.session.add(row)
    uow.commit()
    return row


def retire_policy(uow: UnitOfWork, code: str, actor: Actor) -> None:
    _check_policy_role(actor)
    rows = list(uow.session.scalars(select(SlaPolicy).where(SlaPolicy.code == code)))
    if not rows:
        raise NotFound("SLA policy", code)
    for row in rows:
        row.active = False
    uow.commit()


@dataclass(frozen=True)
class ActivePolicies:
    """The active policy set and the paths of the regions they match on.

    Policies are versioned data: a change writes a new row and retires the old one (never an
    edit in place), so the set is cached per database and reloaded when its stamp moves.
    The rows are detached snapshots: read them, never attach or change them.
    """

    policies: tuple[SlaPolicy, ...]
    region_paths: Mapping[str, str]


_policy_cache: dict[tuple[Any, ...], ActivePolicies] = {}
_policy_lock = threading.Lock()


def _stamps(uow: UnitOfWork) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(policy stamp, calendar stamp) in one tiny read: what intake and clocks depend on
    (services.reference_versions: counters kept by database triggers)."""
    return reference_versions.stamps(uow)


def active_policies(uow: UnitOfWork, stamp: tuple[Any, ...] | None = None) -> ActivePolicies:
    key = stamp if stamp is not None else _stamps(uow)[0]
    with _policy_lock:
        cached = _policy_cache.get(key)
    if cached is not None:
        return cached
    # Snapshots built from plain rows, never the session's own instances: they outlive it.
    policies = tuple(
        SlaPolicy(**row._asdict())
        for row in uow.session.execute(
            select(SlaPolicy.__table__).where(SlaPolicy.active.is_(True))
        )
    )
    for policy in policies:
        make_transient_to_detached(policy)
    regions = {
        code: path
        for code, path in uow.session.execute(
            select(OrgUnit.code, OrgUnit.path).where(
                OrgUnit.code.in_({p.match_region for p in policies if p.match_region})
            )
        )
    }
    data = ActivePolicies(policies, regions)
    with _policy_lock:
        _policy_cache.clear()
        _policy_cache[key] = data
    return data


def match_policy(
    uow: UnitOfWork, criteria: Criteria, active: ActivePolicies | None = None
) -> SlaPolicy | None:
    """The active policy for a complaint: highest rank, then most specific, then oldest."""
    if active is None:
        active = active_policies(uow)
    return best_policy(active.policies, criteria, active.region_paths)


def criteria_of(uow: UnitOfWork, complaint: Complaint) -> Criteria:
    region_path = uow.session.scalar(select(OrgUnit.path).where(OrgUnit.id == complaint.region_id))
    return Criteria(
        category=complaint.category,
        channel=complaint.channel,
        tier=complaint.customer_tier,
        region_path=region_path or "/",
        escalated=complaint.escalated,
        priority=complaint.priority,
    )


# --- the working calendar as data --------------------------------------------------------


@dataclass(frozen=True)
class CalendarData:
    overrides: tuple[DayOverride, ...]
    covered_years: frozenset[int]


_calendar_cache: dict[tuple[Any, ...], CalendarData] = {}
_calendar_lock = threading.Lock()
_logged_fallback: set[int] = set()


def calendar_data(uow: UnitOfWork, stamp: tuple[Any, ...] | None = None) -> CalendarData:
    """The operator's days and covered years, cached until someone edits them."""
    session = uow.session
    key = stamp if stamp is not None else _stamps(uow)[1]
    with _calendar_lock:
        cached = _calendar_cache.get(key)
    if cached is not None:
        return cached
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    years = frozenset(session.scalars(select(CalendarYear.year)))
    data = CalendarData(tuple(DayOverride(d, k, n) for d, k, n in rows), years)  # type: ignore[arg-type]
    with _calendar_lock:
        _calendar_cache.clear()
        _working_calendars.clear()
        _calendar_cache[key] = data
    return data


_working_calendars: dict[int | None, tuple[CalendarData, WorkingCalendar]] = {}


def shared_calendar(data: CalendarData, policy: SlaPolicy | None) -> WorkingCalendar:
    """`calendar_for`, built once per calendar data and policy version (both immutable:
    a policy change is a new row, a calendar edit new data)."""
    key = policy.id if policy else None
    with _calendar_lock:
        cached = _working_calendars.get(key)
    if cached is not None and cached[0] is data:
        return cached[1]
    calendar = calendar_for(data, policy)
    with _calendar_lock:
        if len(_working_calendars) > 256:
            _working_calendars.clear()
        _working_calendars[key] = (data, calendar)
    return calendar


def calendar_for(data: CalendarData, policy: SlaPolicy | None) -> WorkingCalendar:
    return WorkingCalendar.from_overrides(
        data.overrides,
        covered_years=data.covered_years,
        hours=parse_hours(policy.hours if policy else None),
        timezone=policy.timezone if policy else DEFAULT_TIMEZONE,
    )


class CalendarBook:
    """Calendars per policy (time zone and hours differ), built once per use case."""

    def __init__(self, data: CalendarData) -> None:
        self.data = data
        self._by_policy: dict[int | None, WorkingCalendar] = {}

    def __call__(self, policy: SlaPolicy | None) -> WorkingCalendar:
        key = policy.id if policy else None
        if key not in self._by_policy:
            self._by_policy[key] = calendar_for(self.data, policy)
        return self._by_policy[key]


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

    def explanation(self, lang: str = "zh") -> str:
        s = self.state
        basis = {"calendar": ("自然时间", "calendar time"), "working": ("工作时间", "working time")}
        zh, en = basis[s.basis]
        policy = f"{self.policy.code} v{self.policy.version}" if self.policy else "-"
        if lang == "en":
            return (
                f"{self.name}: {s.limit_minutes} min of {en} under policy {policy}; "
                f"used {s.used_minutes}, paused {s.paused_minutes}, remaining "
                f"{s.remaining_minutes}; due {s.due_at.isoformat()}; state {s.state}"
            )
        return (
            f"{self.name}：按政策 {policy} 限时 {s.limit_minutes} 分钟（{zh}），已用 "
            f"{s.used_minutes}，暂停 {s.paused_minutes}，剩余 {s.remaining_minutes}；"
            f"到期 {s.due_at.isoformat()}；状态 {s.state}"
        )


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
        row.id: ComplaintFacts(*row, work_orders=tuple(orders.get(row.id, ())))
        for row in uow.session.execute(
            select(
                Complaint.id,
                Complaint.status,
                Complaint.accepted_at,
                Complaint.replied_at,
                Complaint.closed_at,
                Complaint.updated_at,
                Complaint.sla_policy_id,
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


@dataclass(frozen=True)
class IntakeReference:
    """What intake reads besides the complaint itself, loaded once per use case (a batch
    shares one): the active policies and the working calendar, both cached by stamp."""

    policies: ActivePolicies
    calendar: CalendarData


def intake_reference(uow: UnitOfWork) -> IntakeReference:
    policy_stamp, calendar_stamp = _stamps(uow)
    return IntakeReference(active_policies(uow, policy_stamp), calendar_data(uow, calendar_stamp))


def intake_terms(
    uow: UnitOfWork,
    criteria: Criteria,
    now: datetime,
    fallback: timedelta,
    reference: IntakeReference | None = None,
) -> IntakeTerms:
    """The policy a new complaint is held to and its first reply deadline."""
    if reference is None:
        reference = intake_reference(uow)
    policy = match_policy(uow, criteria, reference.policies)
    limit = limit_of(policy, "reply")
    if limit is None:
        return IntakeTerms(policy, now + fallback, now, reference.calendar)
    calendar = shared_calendar(reference.calendar, policy)
    state = compute_clock(
        now, limit, calendar, now, (), policy.warn_share if policy else DEFAULT_WARN_SHARE
    )
    if state.fallback_years:
        _log_fallback(state.fallback_years, "intake")
    return IntakeTerms(policy, state.due_at, now, reference.calendar)


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
) -> Complaint:
    """Hold an open complaint to today's matching policy: an explicit, audited act."""
    from careloop.services.complaints.lifecycle import (
        check_version,
        commit_or_conflict,
        load_complaint,
    )

    _check_policy_role(actor)
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
    return complaint
