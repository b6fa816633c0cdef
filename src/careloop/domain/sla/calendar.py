"""The working calendar behind working-time limits (DOMAIN.md §3, Calendar caveat).

Working-time limits skip Chinese public holidays, count the make-up working days (调休上班)
that the State Council's yearly notice moves onto weekends, and only run inside business
hours. The notice is published once a year, so the calendar is *data the operator maintains*:
explicit day overrides plus the years whose notice has been entered (``covered_years``). The
``chinese-calendar`` package (1.11, years 2004–2026) is only a seed, read by
``services.sla.calendar_seed``; the calendar itself never imports it.

Years nobody has entered yet (2027 onwards with the 1.11 seed) are answered in two layers:

1. **Statutory holidays** (``statutory``): the days《全国年节及纪念日放假办法》fixes by law
   (as amended 2024, in force 2025: New Year's Day 1, Spring Festival 4 — eve and the first
   three days of the lunar year —, Qingming 1, Labour Day 2, Dragon Boat 1, Mid-Autumn 1,
   National Day 3) are rest days. They are facts, computable years ahead (lunar dates); the
   services layer computes them (``services.sla.calendar_seed.statutory_holidays``) and
   hands them in as data. The law holds in entered years too: a notice that forgot one of
   them does not make it a working day (only an explicit override of the day would).
2. **Assumed**: everything else follows the weekend rule. Only the bridge days (a weekday
   off between a holiday and the weekend) and the make-up working days (调休上班) wait for
   the notice, so they are the one remaining guess.

The guess is never silent: :meth:`coverage_gaps` names the years whose notice is not
entered, the SLA functions carry them as ``fallback_years``, and :meth:`day_source` says of
each day whether it rests on the notice, the statutory rule or the assumption.

Business hours belong to the desk (a policy): a weekday with configured hours is worked by
that desk, so a seven-day or 24-hour desk counts its weekends. Rest days of the notice or the
law (holidays) are closed unless the policy gives ``holiday`` hours (a hotline does).

No I/O and no wall clock here (DESIGN.md "Time is injected").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final, Literal
from zoneinfo import ZoneInfo

DayKind = Literal["holiday", "workday"]
"""``holiday``: a rest day (放假) even if it is a weekday; ``workday``: a make-up working day
(调休上班) even if it falls on a weekend."""

DaySource = Literal["notice", "statutory", "assumed"]
"""Where a day's answer comes from: ``notice`` (the State Council's notice, entered or
imported, or an operator's day), ``statutory`` (the holiday law's fixed days, for a year whose
notice is not entered) or ``assumed`` (the weekend rule in such a year: a bridge day or a
make-up working day may still come)."""

HOLIDAY_HOURS_KEY: Final = "holiday"
"""The key of a policy's business hours that a desk works on holidays (a hotline):
``{"0": [["08:00", "20:00"]], ..., "holiday": [["08:00", "20:00"]]}``. Without it the
desk is closed on the rest days of the notice and the statutory holidays."""

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"
"""The business calendar is Asia/Shanghai by default (DESIGN.md "One database, two engines")."""

WEEKEND: Final[frozenset[int]] = frozenset({5, 6})
"""Saturday and Sunday (``date.weekday()``) rest unless an override makes them working days;
also the fallback rule for years with no notice entered."""

MAX_DAYS_WITHOUT_BUSINESS_HOURS: Final = 400
"""A working-time search that finds no business minute in this many days has a broken
calendar (no hours, or a year of holidays); raising beats looping forever."""


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One operator-maintained day: a holiday or a make-up working day, with its name."""

    day: date
    kind: DayKind
    name: str

    def __post_init__(self) -> None:
        if self.kind not in ("holiday", "workday"):
            raise ValueError(f"day override kind must be 'holiday' or 'workday': {self.kind!r}")


@dataclass(frozen=True, slots=True)
class HoursWindow:
    """A business-hours window that opens on a working day at ``start`` local time.

    An ``end`` at or before ``start`` closes on the next calendar day, so a night shift is
    ``HoursWindow(time(22), time(6))``; ``start == end`` is a full 24 hours. The window
    belongs to the day it *opens* on: the 00:00–06:00 part of a Friday-night shift counts
    even though Saturday is a rest day, and a Sunday-night shift does not open on a Sunday.
    """

    start: time
    end: time

    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def bounds_on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """UTC bounds of this window opened on ``day`` (UTC, so arithmetic is real time)."""
        end_day = day + timedelta(days=1) if self.crosses_midnight() else day
        opens = datetime.combine(day, self.start, tzinfo=zone)
        closes = datetime.combine(end_day, self.end, tzinfo=zone)
        return opens.astimezone(UTC), closes.astimezone(UTC)


MAX_CACHED_DAYS: Final = 20_000
"""Dates whose business windows a calendar keeps (about fifty years, a few MB at most)."""

Interval = tuple[datetime, datetime]
"""A half-open [start, end) span of business time, both ends timezone-aware UTC."""

OFFICE_HOURS: Final[tuple[HoursWindow, ...]] = (HoursWindow(time(8, 30), time(17, 30)),)


def standard_week(
    windows: tuple[HoursWindow, ...] = OFFICE_HOURS,
) -> Mapping[int, tuple[HoursWindow, ...]]:
    """Monday–Friday with the same windows (default 08:30–17:30), weekends without hours."""
    return MappingProxyType({weekday: windows for weekday in range(5)})


def parse_hours(
    raw: Mapping[str, Sequence[Sequence[str]]] | None,
) -> dict[int, tuple[HoursWindow, ...]]:
    """{"0": [["08:30", "17:30"]], ...} → business hours per weekday (0 = Monday), as a
    policy stores them; None: the standard week. The ``holiday`` key is checked here and
    read by :func:`parse_holiday_hours`. Raises ValueError on a bad weekday or time."""
    if raw is None:
        return dict(standard_week())
    hours: dict[int, tuple[HoursWindow, ...]] = {}
    for weekday, windows in raw.items():
        if weekday == HOLIDAY_HOURS_KEY:
            _windows(windows)
            continue
        try:
            day = int(weekday)
        except ValueError:
            raise ValueError(
                f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday) or 'holiday'"
            ) from None
        if day not in range(7):
            raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
        hours[day] = _windows(windows)
    return hours


def parse_holiday_hours(
    raw: Mapping[str, Sequence[Sequence[str]]] | None,
) -> tuple[HoursWindow, ...]:
    """The windows a desk works on holidays (``holiday`` key); none: closed on holidays."""
    if raw is None or HOLIDAY_HOURS_KEY not in raw:
        return ()
    return _windows(raw[HOLIDAY_HOURS_KEY])


def _windows(raw: Sequence[Sequence[str]]) -> tuple[HoursWindow, ...]:
    return tuple(
        HoursWindow(time.fromisoformat(start), time.fromisoformat(end)) for start, end in raw
    )


def _frozen_overrides(overrides: Mapping[date, DayOverride]) -> Mapping[date, DayOverride]:
    for day, override in overrides.items():
        if override.day != day:
            raise ValueError(f"override for {override.day} is filed under {day}")
    return MappingProxyType(dict(overrides))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which dates are working days, and which hours of them are business hours.

    Built from plain data so an operator can import a year's notice or edit one day without
    any package (DOMAIN.md §3, Calendar caveat). A date's kind comes from, in order: its
    override (the notice, or an operator's day); the ``statutory`` holidays (rest days by
    law); otherwise the weekend rule (Monday–Friday work, ``rest_weekdays`` rest). That rule
    is exact for a covered year (every other exception is an override) and, for any other
    year, wrong only on the bridge and make-up days the notice will bring — which
    :meth:`day_source` and :meth:`coverage_gaps` report.

    :meth:`is_working_day` is the official calendar (the same for every desk: it is what a
    "working day" in a legal period means). :meth:`windows_on` is the desk's: an ordinary day
    opens the hours configured for its weekday, so a desk with Saturday hours works on
    Saturdays; a holiday opens ``holiday_hours`` (none by default: closed); a make-up
    working day uses the hours of weekday ``makeup_hours_weekday`` (default Monday, i.e. the
    standard Monday–Friday hours), whatever weekday it falls on: the notice says "上班", not
    "work Saturday hours".
    """

    overrides: Mapping[date, DayOverride] = field(default_factory=dict)
    hours: Mapping[int, tuple[HoursWindow, ...]] = field(default_factory=standard_week)
    timezone: str = DEFAULT_TIMEZONE
    covered_years: frozenset[int] = frozenset()
    makeup_hours_weekday: int = 0
    rest_weekdays: frozenset[int] = WEEKEND
    statutory: Mapping[date, DayOverride] = field(default_factory=dict)
    """Rest days fixed by the holiday law (in every year; an override of the day wins)."""
    holiday_hours: tuple[HoursWindow, ...] = ()
    """Windows the desk works on a holiday (a hotline); empty: closed on holidays."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "overrides", _frozen_overrides(self.overrides))
        if not isinstance(self.statutory, MappingProxyType):
            object.__setattr__(self, "statutory", _frozen_overrides(self.statutory))
        if any(o.kind != "holiday" for o in self.statutory.values()):
            raise ValueError("statutory days are rest days (kind 'holiday')")
        object.__setattr__(self, "hours", MappingProxyType(dict(self.hours)))
        object.__setattr__(self, "holiday_hours", tuple(self.holiday_hours))
        object.__setattr__(self, "covered_years", frozenset(self.covered_years))
        object.__setattr__(self, "rest_weekdays", frozenset(self.rest_weekdays))
        if any(weekday not in range(7) for weekday in self.hours):
            raise ValueError("business hours are keyed by weekday 0 (Monday) to 6 (Sunday)")
        if self.makeup_hours_weekday not in range(7):
            raise ValueError("makeup_hours_weekday must be 0 (Monday) to 6 (Sunday)")
        # Fails at construction on an unknown time zone name.
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))
        all_windows = [w for windows in self.hours.values() for w in windows]
        object.__setattr__(
            self,
            "_crosses_midnight",
            any(w.crosses_midnight() for w in (*all_windows, *self.holiday_hours)),
        )
        # Pure per-date results (the calendar is immutable; a changed copy starts afresh).
        object.__setattr__(self, "_days", {})

    @classmethod
    def from_overrides(
        cls,
        overrides: Iterable[DayOverride],
        *,
        covered_years: Iterable[int] = (),
        hours: Mapping[int, tuple[HoursWindow, ...]] | None = None,
        timezone: str = DEFAULT_TIMEZONE,
        statutory: Iterable[DayOverride] | Mapping[date, DayOverride] = (),
        holiday_hours: tuple[HoursWindow, ...] = (),
    ) -> WorkingCalendar:
        """Build from a list of days, e.g. rows an operator entered or imported."""
        if not isinstance(statutory, Mapping):
            statutory = {o.day: o for o in statutory}
        return cls(
            overrides={override.day: override for override in overrides},
            hours=standard_week() if hours is None else hours,
            timezone=timezone,
            covered_years=frozenset(covered_years),
            statutory=statutory,
            holiday_hours=holiday_hours,
        )

    @property
    def zone(self) -> ZoneInfo:
        return self._zone  # type: ignore[attr-defined, no-any-return]

    @property
    def has_night_windows(self) -> bool:
        """True when some business-hours window runs over midnight."""
        return self._crosses_midnight  # type: ignore[attr-defined, no-any-return]

    def _day(self, day: date) -> tuple[datetime, tuple[Interval, ...]]:
        """``day``'s UTC midnight and the sorted UTC bounds of the windows opening on it,
        computed once per date (pure data of an immutable calendar)."""
        days: dict[date, tuple[datetime, tuple[Interval, ...]]] = self._days  # type: ignore[attr-defined]
        cached = days.get(day)
        if cached is None:
            zone = self._zone  # type: ignore[attr-defined]
            midnight = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
            opened = tuple(sorted(w.bounds_on(day, zone) for w in self.windows_on(day)))
            if len(days) > MAX_CACHED_DAYS:
                days.clear()
            cached = days[day] = (midnight, opened)
        return cached

    def with_override(self, override: DayOverride) -> WorkingCalendar:
        """A copy with one day added or replaced (an operator's edit)."""
        return dataclasses.replace(self, overrides={**self.overrides, override.day: override})

    def without_override(self, day: date) -> WorkingCalendar:
        """A copy with one day's override removed (it falls back to the weekday rule)."""
        remaining = {d: o for d, o in self.overrides.items() if d != day}
        return dataclasses.replace(self, overrides=remaining)

    def with_year(self, year: int, overrides: Iterable[DayOverride]) -> WorkingCalendar:
        """A copy with a whole year's notice imported: its days, and the year marked covered.

        Earlier overrides of that year are replaced, so re-importing a corrected notice is safe.
        """
        days = list(overrides)
        if any(o.day.year != year for o in days):
            raise ValueError(f"every day of the {year} notice must fall in {year}")
        kept = {d: o for d, o in self.overrides.items() if d.year != year}
        kept.update({o.day: o for o in days})
        return dataclasses.replace(self, overrides=kept, covered_years=self.covered_years | {year})

    def exception_on(self, day: date) -> DayOverride | None:
        """What makes ``day`` unlike an ordinary weekday or weekend, if anything: its
        override, else its statutory holiday. The law applies in every year: a notice never
        makes a statutory holiday a working day, so one that forgot a holiday (a typing
        slip) still rests on it."""
        override = self.overrides.get(day)
        return self.statutory.get(day) if override is None else override

    def is_working_day(self, day: date) -> bool:
        """The official calendar: an override or a statutory holiday decides, otherwise every
        weekday but ``rest_weekdays`` works. The same for every desk."""
        exception = self.exception_on(day)
        if exception is not None:
            return exception.kind == "workday"
        return day.weekday() not in self.rest_weekdays

    def day_source(self, day: date) -> DaySource:
        """Whether ``day``'s answer is the notice's, the holiday law's, or the weekend rule
        assumed until the notice is entered (DaySource)."""
        if day in self.overrides:
            return "notice"
        if day in self.statutory:
            return "statutory"
        return "notice" if day.year in self.covered_years else "assumed"

    def special_days(self, year: int) -> list[tuple[DayOverride, DaySource]]:
        """Every day of ``year`` that is not an ordinary weekday or weekend — rest days and
        make-up working days — with where it comes from, in date order."""
        days = {d: o for d, o in self.overrides.items() if d.year == year}
        for d, o in self.statutory.items():
            if d.year == year:
                days.setdefault(d, o)
        return [(days[d], self.day_source(d)) for d in sorted(days)]

    def is_fallback(self, day: date) -> bool:
        """True when ``day``'s year has no entered notice, so bridge and make-up days are
        assumed (statutory holidays still rest)."""
        return day.year not in self.covered_years

    def coverage_gaps(self, start: date, end: date) -> list[int]:
        """Years in [start, end] (inclusive, either order) whose notice is not entered: their
        bridge days and make-up working days are assumed (reported as ``fallback_years``)."""
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if year not in self.covered_years]

    def windows_on(self, day: date) -> tuple[HoursWindow, ...]:
        """Business-hours windows of this desk that open on ``day``: a holiday opens
        ``holiday_hours``, a make-up working day the ``makeup_hours_weekday`` hours, any
        other day the hours configured for its weekday (none: the desk is closed)."""
        exception = self.exception_on(day)
        if exception is None:
            return self.hours.get(day.weekday(), ())
        if exception.kind == "workday":
            return self.hours.get(self.makeup_hours_weekday, ())
        return self.holiday_hours

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def business_intervals_from(
        self, start: datetime, until: datetime | None = None
    ) -> Iterator[Interval]:
        """Business time from ``start`` (up to ``until``), as merged UTC intervals in order.

        Starts one local day early so a night window opened the evening before is included;
        merges overlaps (a night shift running into the next morning's office hours) so no
        minute is counted twice. Without ``until`` it runs on as long as the caller reads,
        and raises ValueError after a long stretch with no business time at all.
        """
        start_utc = start.astimezone(UTC)
        until_utc = None if until is None else until.astimezone(UTC)
        day = self.local_date(start) - timedelta(days=1)
        pending: Interval | None = None
        idle_days = 0
        one_day = timedelta(days=1)
        midnight, opened = self._day(day)
        while until_utc is None or midnight < until_utc:
            idle_days = 0 if opened else idle_days + 1
            if until_utc is None and idle_days > MAX_DAYS_WITHOUT_BUSINESS_HOURS:
                raise ValueError(
                    f"no business hours in {MAX_DAYS_WITHOUT_BUSINESS_HOURS} days after {start}"
                )
            for opens, closes in opened:
                opens = max(opens, start_utc)
                if closes <= opens:
                    continue
                if pending is not None and opens <= pending[1]:
                    pending = (pending[0], max(pending[1], closes))
                    continue
                if pending is not None:
                    yield pending
                pending = (opens, closes)
            day += one_day
            midnight, opened = self._day(day)
            # Windows still to come open on `day` or later, so an interval that closes
            # before `day` begins can no longer grow.
            if pending is not None and pending[1] < midnight:
                yield pending
                pending = None
        if pending is not None:
            yield pending

    def _midnight(self, day: date) -> datetime:
        return self._day(day)[0]

    def business_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Business time inside [start, end), clipped, as merged UTC intervals."""
        end_utc = end.astimezone(UTC)
        return [
            (opens, min(closes, end_utc))
            for opens, closes in self.business_intervals_from(start, until=end)
            if opens < end_utc
        ]
