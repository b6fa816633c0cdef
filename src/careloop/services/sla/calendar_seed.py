"""The ``chinese-calendar`` package as a seed for the working calendar (DOMAIN.md §3).

The calendar is data the operator maintains (``domain.sla.calendar.WorkingCalendar``); this
adapter reads the State Council's notices the package knows into that data, for the first
migration, ``careloop sla calendar import`` and tests. :func:`statutory_holidays` reads the
holiday law's fixed days (for years without a notice) from the ``holidays`` package. Both
packages are read here and nowhere in the domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Final

from careloop.domain.sla.calendar import (
    DEFAULT_TIMEZONE,
    DayKind,
    DayOverride,
    HoursWindow,
    WorkingCalendar,
)


@dataclass(frozen=True, slots=True)
class CalendarSeed:
    """What the ``chinese-calendar`` package could say about the requested years."""

    overrides: tuple[DayOverride, ...]
    covered_years: frozenset[int]
    missing_years: frozenset[int]
    """Years the package does not know (it raises NotImplementedError for them)."""


def chinese_calendar_seed(years: Iterable[int]) -> CalendarSeed:
    """Seed overrides from ``chinese-calendar`` for ``years``, without crashing on unknown ones.

    chinese-calendar 1.11 knows 2004–2026 and raises NotImplementedError beyond (DOMAIN.md §3,
    Calendar caveat); those years land in ``missing_years`` for the caller to log, and the
    calendar answers them with the weekends-only fallback until an operator imports the notice.
    Holidays that fall on a weekend are kept too: they are harmless and make the notice
    readable in the calendar editor.
    """
    import chinese_calendar  # type: ignore[import-untyped]  # seed only; no stubs shipped

    wanted = sorted(set(years))
    covered: set[int] = set()
    missing: set[int] = set()
    for year in wanted:
        try:
            chinese_calendar.is_holiday(date(year, 1, 1))
        except NotImplementedError:
            missing.add(year)
        else:
            covered.add(year)
    tables: tuple[tuple[DayKind, Mapping[date, str | None]], ...] = (
        ("holiday", chinese_calendar.holidays),
        ("workday", chinese_calendar.workdays),
    )
    overrides = [
        DayOverride(day, kind, _chinese_name(chinese_calendar, english))
        for kind, table in tables
        for day, english in table.items()
        if day.year in covered and english is not None
    ]
    overrides.sort(key=lambda o: o.day)
    return CalendarSeed(tuple(overrides), frozenset(covered), frozenset(missing))


def _chinese_name(module: object, english: str) -> str:
    """Names like "国庆节 National Day": users speak Chinese, the package keys by English."""
    holiday_enum = getattr(module, "Holiday")  # noqa: B009 - untyped module
    try:
        chinese = str(holiday_enum(english).chinese)
    except ValueError:
        return english
    return f"{chinese} {english}"


def calendar_from_chinese_calendar(
    years: Iterable[int],
    *,
    hours: Mapping[int, tuple[HoursWindow, ...]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> tuple[WorkingCalendar, frozenset[int]]:
    """A calendar seeded for ``years`` and the years that stayed on the fallback (to log)."""
    seed = chinese_calendar_seed(years)
    calendar = WorkingCalendar.from_overrides(
        seed.overrides, covered_years=seed.covered_years, hours=hours, timezone=timezone
    )
    return calendar, seed.missing_years


STATUTORY_NAMES: Final[frozenset[str]] = frozenset(
    {"元旦", "农历除夕", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
)
"""The holidays《全国年节及纪念日放假办法》gives every citizen a day off for (art. 2). The
``holidays`` package also lists the notices' moved rest days (休息日（由 … 调休）) and
extensions of past years; those are notice data, not law, so they are left out."""

STATUTORY_YEARS: Final = range(2000, 2100)
"""Years the rule is computed for: the package's lunar tables run to 2099."""


@cache
def statutory_holidays() -> Mapping[date, DayOverride]:
    """The statutory rest days of every year in STATUTORY_YEARS, by the holiday law in force
    that year (from 2025: New Year's Day 1 day, Spring Festival 4 — the eve and the first three
    days of the lunar year —, Qingming 1, Labour Day 2 (May 1–2), Dragon Boat 1, Mid-Autumn 1,
    National Day 3 (Oct 1–3)).

    Read from the ``holidays`` package (MIT; lunar dates and the Qingming solar term computed,
    no network), without its "observed" guesses. The calendar uses them only for years whose
    notice is not entered; tests check them against a second lunar-calendar library.
    """
    import holidays

    table = holidays.China(years=STATUTORY_YEARS, observed=False, language="zh_CN")
    days: dict[date, DayOverride] = {}
    for day, label in sorted(table.items()):
        names = [n.strip() for n in str(label).split(";")]
        statutory = [n for n in names if n in STATUTORY_NAMES]
        if statutory:
            days[day] = DayOverride(day, "holiday", "、".join(statutory))
    return MappingProxyType(days)
