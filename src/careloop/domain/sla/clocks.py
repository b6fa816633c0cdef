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
- A limit is counted by one of four rules (``Counting``), as the Civil Code (arts. 200–204)
  counts periods: ``hours`` run from the instant in real time; ``working_hours`` run from the
  instant in business minutes; ``calendar_days`` start the *next* day and end at 24:00 of
  the last day, a last day that is a rest day or statutory holiday moving to the end of the
  next working day (art. 203); ``working_days`` start the next day and end at 24:00 of the
  Nth working day. 24:00, not the close of business: art. 203's "business hours" cut-off is
  for an act done *at* a place with business hours (filing at a counter); answering a
  customer can be done at any hour, so the day runs to its end. :func:`period_end` is that
  arithmetic, used by the clocks, intake, dispatch and ``careloop sla due`` alike.
- Minutes reported are whole: a begun minute counts as used (``used_minutes`` rounds up), so
  ``used_minutes + remaining_minutes == limit_minutes`` and ``overrun_minutes`` is at least 1
  whenever the used time really exceeds the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal, cast, get_args

from careloop.domain.sla.calendar import MAX_DAYS_WITHOUT_BUSINESS_HOURS, WorkingCalendar

Basis = Literal["calendar", "working"]
Counting = Literal["hours", "working_hours", "calendar_days", "working_days"]
"""How a limit is counted (module docstring): from the instant in real or business time,
or in calendar or working days from the next day to the end of the last day."""
COUNTINGS: Final[tuple[Counting, ...]] = get_args(Counting)
ClockStatus = Literal["running", "paused", "warning", "breached", "met", "met_late"]
Alert = Literal["warning", "breach"]

DEFAULT_WARN_SHARE: Final = 0.8
"""Every deadline warns before it breaches, e.g. at 80 % (DOMAIN.md §3)."""

_MINUTE: Final = timedelta(minutes=1)
_ZERO: Final = timedelta(0)


_DAY_MINUTES: Final = 24 * 60
MAX_LIMIT_DAYS: Final = 3660
"""Ten years: a longer limit is a typing error, not a service commitment."""


@dataclass(frozen=True, slots=True)
class SlaLimit:
    """A time limit as configured per category, channel, tier and region (DOMAIN.md §3).

    ``days`` set: a period in days (``calendar_days`` or ``working_days`` by ``basis``),
    and ``minutes`` is ``days`` × 1440, the least real time it can take (the SQL
    pre-filters bound with it). Otherwise ``minutes`` from the instant in ``basis``.
    """

    minutes: int
    basis: Basis = "working"
    days: int | None = None

    def __post_init__(self) -> None:
        if self.basis not in ("calendar", "working"):
            raise ValueError(f"SLA basis must be 'calendar' or 'working': {self.basis!r}")
        if self.days is not None:
            if not 0 < self.days <= MAX_LIMIT_DAYS:
                raise ValueError(f"a period in days must be 1 to {MAX_LIMIT_DAYS}: {self.days}")
            if self.minutes != self.days * _DAY_MINUTES:
                raise ValueError("a period in days has minutes = days × 1440")
        if self.minutes <= 0:
            raise ValueError(f"an SLA limit must be a positive number of minutes: {self.minutes}")

    @classmethod
    def in_days(cls, days: int, basis: Basis) -> SlaLimit:
        """``days`` calendar days (basis ``calendar``) or working days (``working``)."""
        return cls(days * _DAY_MINUTES, basis, days)

    @classmethod
    def counted(cls, count: Counting, amount: int) -> SlaLimit:
        """A limit by its counting rule: ``amount`` days for the day rules, else minutes."""
        if count in ("hours", "working_hours") and amount > MAX_LIMIT_DAYS * _DAY_MINUTES:
            raise ValueError(f"an SLA limit must be at most {MAX_LIMIT_DAYS} days")
        if count == "calendar_days":
            return cls.in_days(amount, "calendar")
        if count == "working_days":
            return cls.in_days(amount, "working")
        if count == "hours":
            return cls(amount, "calendar")
        if count == "working_hours":
            return cls(amount, "working")
        raise ValueError(f"unknown counting rule {count!r} ({', '.join(COUNTINGS)})")

    @property
    def count(self) -> Counting:
        if self.days is not None:
            return "calendar_days" if self.basis == "calendar" else "working_days"
        return "hours" if self.basis == "calendar" else "working_hours"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    def as_terms(self) -> dict[str, Any]:
        """As a policy stores it: ``{"count": "calendar_days", "days": 15}`` for a period in
        days; ``{"count": "hours", "minutes": 1440, "basis": "calendar"}`` otherwise (the
        basis kept so code reading only minutes and basis still understands it)."""
        if self.days is not None:
            return {"count": self.count, "days": self.days}
        return {"count": self.count, "minutes": self.minutes, "basis": self.basis}

    def describe(self, lang: str = "zh") -> str:
        """The rule in words, e.g. "15 个自然日（次日起算，截至末日 24 时，末日逢休息日顺延）"."""
        return describe_limit(self, lang)


def limit_from_terms(raw: Any) -> SlaLimit:
    """A limit as a policy stores it (raises ValueError on anything else).

    Both shapes are read: the counted one (``{"count": "calendar_days", "days": 15}``,
    ``{"count": "working_hours", "minutes": 540}`` or ``"hours": 24``) and the older
    ``{"minutes": N, "basis": "working" | "calendar"}`` (basis defaults to working).
    """
    if not isinstance(raw, dict):
        raise ValueError("a limit is an object: {count, days} or {minutes, basis}")
    count = raw.get("count")
    if count is None:
        if "minutes" not in raw:
            raise ValueError("a limit needs minutes (or count and days)")
        return SlaLimit(_whole(raw["minutes"], "minutes"), raw.get("basis", "working"))
    if count not in COUNTINGS:
        raise ValueError(f"unknown counting rule {count!r} ({', '.join(COUNTINGS)})")
    rule = cast(Counting, count)
    if rule in ("calendar_days", "working_days"):
        if "days" not in raw:
            raise ValueError(f"a {rule} limit needs days")
        return SlaLimit.counted(rule, _whole(raw["days"], "days"))
    if "hours" in raw and "minutes" not in raw:
        return SlaLimit.counted(rule, _whole(raw["hours"], "hours") * 60)
    if "minutes" not in raw:
        raise ValueError(f"a {rule} limit needs minutes or hours")
    limit = SlaLimit.counted(rule, _whole(raw["minutes"], "minutes"))
    if "basis" in raw and raw["basis"] != limit.basis:
        raise ValueError(f"basis {raw['basis']!r} contradicts counting rule {rule!r}")
    return limit


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{what} must be a whole number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{what} must be a whole number") from None
    if number != int(number):
        raise ValueError(f"{what} must be a whole number: {value}")
    return int(number)


_RULE_WORDS: Final[dict[Counting, tuple[str, str]]] = {
    "hours": ("自然时间，自受理时刻起连续计算", "calendar time, from the instant"),
    "working_hours": (
        "工作时间，自受理时刻起只计营业时段",
        "working time, from the instant, business hours only",
    ),
    "calendar_days": (
        "自然日，次日起算，截至末日 24 时；末日逢休息日或法定节假日顺延至其后第一个工作日",
        "calendar days from the next day, due at 24:00 of the last day; a last day on a rest "
        "day or statutory holiday moves to the next working day",
    ),
    "working_days": (
        "工作日，次日起算，截至第 N 个工作日 24 时",
        "working days from the next day, due at 24:00 of the Nth working day",
    ),
}


def describe_limit(limit: SlaLimit, lang: str = "zh") -> str:
    """A limit and its counting rule in words (zh or en), for explanations and the CLI."""
    zh, en = _RULE_WORDS[limit.count]
    if limit.days is not None:
        unit_zh = "个自然日" if limit.count == "calendar_days" else "个工作日"
        unit_en = "calendar days" if limit.count == "calendar_days" else "working days"
        if lang == "en":
            return f"{limit.days} {unit_en} ({en})"
        return f"{limit.days} {unit_zh}（{zh}）"
    amount_zh, amount_en = _minutes_in_words(limit.minutes)
    if lang == "en":
        return f"{amount_en} ({en})"
    return f"{amount_zh}（{zh}）"


def _minutes_in_words(minutes: int) -> tuple[str, str]:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} 小时", f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} 分钟", f"{minutes} minute{'s' if minutes != 1 else ''}"


_LIMIT_UNITS: Final[tuple[tuple[tuple[str, ...], Counting, int], ...]] = (
    (("working days", "working day", "business days", "business day", "个工作日", "工作日"),
     "working_days", 1),
    (("calendar days", "calendar day", "days", "day", "个自然日", "自然日", "天", "日"),
     "calendar_days", 1),
    (("working hours", "working hour", "business hours", "business hour", "个工作小时",
      "工作小时"), "working_hours", 60),
    (("working minutes", "working minute", "工作分钟"), "working_hours", 1),
    (("hours", "hour", "h", "个小时", "小时", "时"), "hours", 60),
    (("minutes", "minute", "min", "分钟"), "hours", 1),
)  # fmt: skip
"""Units a person writes a limit in, longest first within a rule (English and Chinese)."""


def parse_limit_text(text: str) -> SlaLimit:
    """ "15 working days", "15 days", "24 hours", "15个工作日", "15天", "24小时" … as a limit.

    Raises ValueError with a message a person understands (zh / en) on anything else.
    """
    cleaned = " ".join(text.strip().lower().split())
    digits = ""
    for char in cleaned:
        if not char.isdigit():
            break
        digits += char
    unit = cleaned[len(digits) :].strip()
    if not digits or not unit:
        raise ValueError(
            f"无法识别时限 “{text}”：请写成“15天”“15个工作日”“24小时” / cannot read the "
            f"limit '{text}': write e.g. '15 days', '15 working days', '24 hours'"
        )
    amount = int(digits)
    for words, count, factor in _LIMIT_UNITS:
        if unit in words:
            if amount <= 0:
                raise ValueError(f"时限必须大于零 / the limit must be more than zero: '{text}'")
            try:
                return SlaLimit.counted(count, amount * factor)
            except ValueError as exc:
                raise ValueError(f"时限超出范围 / the limit is out of range: {exc}") from None
    raise ValueError(
        f"未知的时限单位 “{unit}”：可用 天/自然日/工作日/小时/工作小时/分钟 / unknown unit "
        f"'{unit}': use days, calendar days, working days, hours, working hours or minutes"
    )


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
    count: Counting = "working_hours"
    """The counting rule applied (``SlaLimit.count``); for a period in days
    ``limit_minutes`` is the running time it allowed, in ``basis``."""
    limit_days: int | None = None


def as_utc(moment: datetime, what: str = "datetime") -> datetime:
    """``moment`` in UTC; a naive datetime raises ValueError instead of being guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def add_duration(start: datetime, limit: SlaLimit, calendar: WorkingCalendar) -> datetime:
    """The instant (UTC) at which ``limit`` has run from ``start``, with no pauses."""
    return period_end(start, limit, calendar)


def period_end(start: datetime, limit: SlaLimit, calendar: WorkingCalendar) -> datetime:
    """When ``limit`` started at ``start`` runs out, with no pauses: the one arithmetic of
    legal periods (module docstring; Civil Code arts. 201–203) the clocks, intake, dispatch
    and ``careloop sla due`` share. UTC.

    Accepted 2026-09-20 10:00 (+08:00) with 15 calendar days: the count starts on 09-21, the
    15th day is 10-05, inside the National Day holiday (10-01 to 10-07), so the last day
    becomes 10-08, the first working day after it, and the limit runs out at its 24:00.
    """
    started = as_utc(start, "start")
    if limit.days is None:
        return _advance(started, limit.duration, limit.basis, calendar)
    return end_of_day(last_day(calendar.local_date(started), limit, calendar), calendar)


def last_day(first: date, limit: SlaLimit, calendar: WorkingCalendar) -> date:
    """The last day of a period in days begun on ``first`` (art. 201: ``first`` itself is
    not counted). Calendar days: ``first`` + N, moved past rest days and statutory holidays
    (art. 203); working days: the Nth working day after ``first``."""
    if limit.days is None:
        raise ValueError("last_day needs a period in days")
    if limit.count == "calendar_days":
        day = first + timedelta(days=limit.days)
        return next_working_day(day, calendar)
    day, counted = first, 0
    while counted < limit.days:
        day = next_working_day(day + timedelta(days=1), calendar)
        counted += 1
    return day


def next_working_day(day: date, calendar: WorkingCalendar) -> date:
    """``day`` if it is a working day of the official calendar, else the first one after it
    (the same for every desk: a seven-day desk's Saturday is still a rest day in law)."""
    for _ in range(MAX_DAYS_WITHOUT_BUSINESS_HOURS):
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day in {MAX_DAYS_WITHOUT_BUSINESS_HOURS} days after {day}")


def end_of_day(day: date, calendar: WorkingCalendar) -> datetime:
    """24:00 of ``day`` in the calendar's time zone (the next day's 00:00), as UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=calendar.zone).astimezone(UTC)


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
    if limit.days is None:
        budget = limit.duration
        due = _deadline(started, budget, stood_still, limit.basis, calendar)
        limit_minutes = limit.minutes
    else:
        due, budget = _period_deadline(started, limit, stood_still, calendar)
        limit_minutes = -(-budget // _MINUTE)
    warn = _deadline(started, budget * warn_share, stood_still, limit.basis, calendar)

    used_minutes = -(-used // _MINUTE)  # a begun minute counts as used
    remaining = limit_minutes - used_minutes
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
        limit_minutes=limit_minutes,
        warn_share=warn_share,
        fallback_years=fallback_years(
            started,
            max(end, due, warn),
            "working" if limit.days is not None else limit.basis,
            calendar,
        ),
        count=limit.count,
        limit_days=limit.days,
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


def _period_deadline(
    started: datetime,
    limit: SlaLimit,
    pauses: Sequence[tuple[datetime, datetime]],
    calendar: WorkingCalendar,
) -> tuple[datetime, timedelta]:
    """A period in days with pauses: each pause that begins before the period runs out moves
    its start on by the pause's length in the limit's basis (a weekend pause costs a
    working-days period nothing), and the period is counted again from there by
    :func:`period_end`. Returns the due instant and the running time it allows."""
    shift, due = _ZERO, period_end(started, limit, calendar)
    for pause_start, pause_end in pauses:
        if pause_start >= due:
            break
        shift += _span(pause_start, pause_end, limit.basis, calendar)
        due = period_end(_advance(started, shift, limit.basis, calendar), limit, calendar)
    return due, _span(started, due, limit.basis, calendar) - shift


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
