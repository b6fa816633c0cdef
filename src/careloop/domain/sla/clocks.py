"""SLA clocks: deadlines, pauses, 80 % warnings and breaches (DOMAIN.md §3 Time limits).

One rule in one place (DESIGN.md): the clock the web page shows is the clock the sweeper
enforces, so both call :func:`compute_clock` with the same calendar and an injected ``now``.
Nothing here reads the wall clock, sleeps or touches a database.

Conventions, chosen once for every caller:

- Datetimes must be timezone-aware (stored as UTC); naive ones raise ValueError, because a
  naive "09:00" is eight hours ambiguous between UTC and the Asia/Shanghai business calendar.
  Every datetime returned is UTC. Business hours are read in the calendar's time zone.
- ``calendar`` basis counts real elapsed minutes, holidays included (the 15-day outer limit
  for answering a complaint, 48 h repair); ``working`` basis counts only minutes inside the
  calendar's business hours on working days (e.g. "5 working days", internal limits).
- A deadline met exactly on the due instant is on time ("within 15 days"); one second later
  is a breach. A working-time deadline whose last minute is 17:30 is due at 17:30, not at
  the next morning's opening.
- Minutes reported are whole: a begun minute counts as used (``used_minutes`` rounds up), so
  ``used_minutes + remaining_minutes == limit_minutes`` and ``overrun_minutes`` is at least 1
  whenever the used time really exceeds the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from careloop.domain.sla.calendar import WorkingCalendar

Basis = Literal["calendar", "working"]
ClockStatus = Literal["running", "paused", "warning", "breached", "met", "met_late"]
Alert = Literal["warning", "breach"]

DEFAULT_WARN_SHARE: Final = 0.8
"""Every deadline warns before it breaches, e.g. at 80 % (DOMAIN.md §3)."""

_MINUTE: Final = timedelta(minutes=1)
_ZERO: Final = timedelta(0)


@dataclass(frozen=True, slots=True)
class SlaLimit:
    """A time limit as configured per category, channel, tier and region (DOMAIN.md §3)."""

    minutes: int
    basis: Basis = "working"

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise ValueError(f"an SLA limit must be a positive number of minutes: {self.minutes}")
        if self.basis not in ("calendar", "working"):
            raise ValueError(f"SLA basis must be 'calendar' or 'working': {self.basis!r}")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True, slots=True)
class Pause:
    """The clock stood still: the ticket waited on the customer (DOMAIN.md §3).

    ``end`` is None while the pause is still open.
    """

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClockState:
    """Everything a ticket stores and shows about one deadline (Zammad/Frappe style).

    ``due_at`` and ``warn_at`` already include the pauses so far; while a pause is open they
    are computed as if the clock resumed at ``evaluated_at``, so they move later while the
    ticket keeps waiting on the customer. ``fallback_years`` lists the years whose working
    days were guessed by the calendar's fallback rule; log it (DOMAIN.md §3 Calendar caveat).
    """

    started_at: datetime
    due_at: datetime
    warn_at: datetime
    evaluated_at: datetime
    stopped_at: datetime | None
    used_minutes: int
    paused_minutes: int
    remaining_minutes: int
    overrun_minutes: int
    state: ClockStatus
    basis: Basis
    limit_minutes: int
    warn_share: float
    fallback_years: frozenset[int]


def as_utc(moment: datetime, what: str = "datetime") -> datetime:
    """``moment`` in UTC; a naive datetime raises ValueError instead of being guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def add_duration(start: datetime, limit: SlaLimit, calendar: WorkingCalendar) -> datetime:
    """The instant (UTC) at which ``limit`` has run from ``start``, with no pauses."""
    return _advance(as_utc(start, "start"), limit.duration, limit.basis, calendar)


def elapsed(start: datetime, end: datetime, basis: Basis, calendar: WorkingCalendar) -> float:
    """Minutes between ``start`` and ``end`` in ``basis`` (working: business minutes only).

    Exact (fractional) minutes, so average handle time per stage in working hours
    (DOMAIN.md §4) is not skewed by rounding. ``end`` before ``start`` raises ValueError.
    """
    start_utc, end_utc = as_utc(start, "start"), as_utc(end, "end")
    if end_utc < start_utc:
        raise ValueError(f"end {end_utc.isoformat()} is before start {start_utc.isoformat()}")
    return _span(start_utc, end_utc, basis, calendar) / _MINUTE


def working_minutes(
    start: datetime, end: datetime, pauses: Sequence[Pause], calendar: WorkingCalendar
) -> int:
    """Whole business minutes (rounded) from ``start`` to ``end``, net of ``pauses``: a
    stage's handle time in working hours (DOMAIN.md §4), the time waiting on the customer
    left out as the clocks leave it out."""
    started, ended = as_utc(start, "start"), as_utc(end, "end")
    if ended < started:
        raise ValueError(f"end {ended.isoformat()} is before start {started.isoformat()}")
    stood_still = _merge_pauses(pauses, started, ended)
    paused = sum((_span(s, e, "working", calendar) for s, e in stood_still), _ZERO)
    return round((_span(started, ended, "working", calendar) - paused) / _MINUTE)


def fallback_years(
    start: datetime, end: datetime, basis: Basis, calendar: WorkingCalendar
) -> frozenset[int]:
    """Years the calendar had to guess while measuring [start, end] in ``basis``.

    Calendar-basis time never consults working days, so it never guesses. Working time also
    consults the day before ``start`` when a night window can run over midnight into it.
    """
    if basis == "calendar":
        return frozenset()
    first = calendar.local_date(as_utc(start, "start"))
    if calendar.has_night_windows:
        first -= timedelta(days=1)
    return frozenset(calendar.coverage_gaps(first, calendar.local_date(as_utc(end, "end"))))


def compute_clock(
    started_at: datetime,
    limit: SlaLimit,
    calendar: WorkingCalendar,
    now: datetime,
    pauses: Sequence[Pause] = (),
    warn_share: float = DEFAULT_WARN_SHARE,
    stopped_at: datetime | None = None,
) -> ClockState:
    """The state of one deadline at ``now``, pauses excluded in the limit's own basis.

    Time waiting on the customer does not count (DOMAIN.md §3), so each pause pushes the
    deadline back by its length *measured in the same basis*: a weekend pause costs no
    working minutes and moves a working deadline by nothing. A stopped clock (the stage was
    finished at ``stopped_at``) is judged at that instant: ``met`` or ``met_late``.
    State precedence: met/met_late, then breached (pausing never hides a breach), then
    paused, then warning, then running.
    """
    if not 0 < warn_share <= 1:
        raise ValueError(f"warn_share must be in (0, 1]: {warn_share}")
    started, evaluated = as_utc(started_at, "started_at"), as_utc(now, "now")
    stopped = None if stopped_at is None else as_utc(stopped_at, "stopped_at")
    if evaluated < started:
        raise ValueError(f"now {evaluated.isoformat()} is before the clock started")
    if stopped is not None and not started <= stopped <= evaluated:
        raise ValueError("stopped_at must lie between started_at and now")
    end = evaluated if stopped is None else stopped
    stood_still = _merge_pauses(pauses, started, end)

    paused = sum((_span(s, e, limit.basis, calendar) for s, e in stood_still), _ZERO)
    used = _span(started, end, limit.basis, calendar) - paused
    due = _deadline(started, limit.duration, stood_still, limit.basis, calendar)
    warn = _deadline(started, limit.duration * warn_share, stood_still, limit.basis, calendar)

    used_minutes = -(-used // _MINUTE)  # a begun minute counts as used
    remaining = limit.minutes - used_minutes
    return ClockState(
        started_at=started,
        due_at=due,
        warn_at=warn,
        evaluated_at=evaluated,
        stopped_at=stopped,
        used_minutes=used_minutes,
        paused_minutes=paused // _MINUTE,
        remaining_minutes=remaining,
        overrun_minutes=max(0, -remaining),
        state=_status(end, due, warn, stopped, _is_paused_at(pauses, end)),
        basis=limit.basis,
        limit_minutes=limit.minutes,
        warn_share=warn_share,
        fallback_years=fallback_years(started, max(end, due, warn), limit.basis, calendar),
    )


def pending_alerts(clock: ClockState, already_sent: AbstractSet[str]) -> list[Alert]:
    """Alerts whose time has come and that were not sent yet, so each goes out exactly once.

    Every deadline warns before it breaches (DOMAIN.md §3). When a sweeper first sees a
    clock that is already breached and nothing was sent, both are returned, warning first,
    so the escalation trail stays complete. A stopped clock raises no alert: the work is
    done and its overrun is on the record, there is nobody left to chase.
    """
    if clock.state in ("met", "met_late"):
        return []
    due: list[Alert] = []
    if clock.evaluated_at >= clock.warn_at:
        due.append("warning")
    if clock.evaluated_at > clock.due_at:
        due.append("breach")
    return [alert for alert in due if alert not in already_sent]


def _status(
    end: datetime,
    due: datetime,
    warn: datetime,
    stopped: datetime | None,
    paused_now: bool,
) -> ClockStatus:
    if stopped is not None:
        return "met" if stopped <= due else "met_late"
    if end > due:
        return "breached"
    if paused_now:
        return "paused"
    return "warning" if end >= warn else "running"


def _is_paused_at(pauses: Iterable[Pause], moment: datetime) -> bool:
    return any(
        as_utc(p.start, "pause start") <= moment
        and (p.end is None or moment < as_utc(p.end, "pause end"))
        for p in pauses
    )


def _merge_pauses(
    pauses: Iterable[Pause], started: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Pauses clipped to [started, end], an open one running to ``end``, overlaps merged."""
    clipped: list[tuple[datetime, datetime]] = []
    for pause in pauses:
        pause_start = as_utc(pause.start, "pause start")
        if pause.end is None:
            pause_end = end
        else:
            pause_end = as_utc(pause.end, "pause end")
            if pause_end < pause_start:
                raise ValueError(f"pause ends before it starts: {pause}")
        lo, hi = max(pause_start, started), min(pause_end, end)
        if lo < hi:
            clipped.append((lo, hi))
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(clipped):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _deadline(
    started: datetime,
    amount: timedelta,
    pauses: Sequence[tuple[datetime, datetime]],
    basis: Basis,
    calendar: WorkingCalendar,
) -> datetime:
    """When ``amount`` of running (unpaused) time in ``basis`` has passed since ``started``."""
    cursor, left = started, amount
    for pause_start, pause_end in pauses:
        running = _span(cursor, pause_start, basis, calendar)
        if running >= left:
            break
        left -= running
        cursor = pause_end
    return _advance(cursor, left, basis, calendar)


def _span(start: datetime, end: datetime, basis: Basis, calendar: WorkingCalendar) -> timedelta:
    if end <= start:
        return _ZERO
    if basis == "calendar":
        return end - start
    return sum((e - s for s, e in calendar.business_intervals(start, end)), _ZERO)


def _advance(
    start: datetime, amount: timedelta, basis: Basis, calendar: WorkingCalendar
) -> datetime:
    if basis == "calendar" or amount <= _ZERO:
        return start + amount
    left = amount
    for opens, closes in calendar.business_intervals_from(start):
        if closes - opens >= left:
            return opens + left
        left -= closes - opens
    raise AssertionError("business_intervals_from never ends")  # pragma: no cover
