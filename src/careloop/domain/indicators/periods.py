"""Reporting periods (day, ISO week, ten-day period, month) and how two periods compare.

Periods are local days in Asia/Shanghai, the business calendar (DESIGN.md); weeks are ISO
weeks, Monday to Sunday (网络质量周报); ten-day periods are 1–10, 11–20 and 21–end of month
(客服信息旬报, DOMAIN.md §5). Indicators are compared period on period (环比) and year on
year (同比, §4).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Final, Literal

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.catalogue import PER_USER
from careloop.domain.indicators.formulas import IndicatorValue

PeriodKind = Literal["day", "week", "tenday", "month"]
LOCAL_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China has had no daylight saving since 1991: a fixed +08:00 is exact (and SQL-friendly)."""
DAYS_PER_YEAR: Final = 365.0


def local_midnight(day: date) -> datetime:
    """The start of a local (Asia/Shanghai) day, in UTC."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date
    """Inclusive."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        part = {1: "上旬", 11: "中旬", 21: "下旬"}[self.start.day]
        return f"{self.start:%Y-%m} {part} ({self.start.day}–{self.end.day})"

    def bounds(self) -> tuple[datetime, datetime]:
        """[local midnight of start, local midnight after end) in UTC."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_of(kind: PeriodKind, day: date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        return Period("month", day.replace(day=1), _month_end(day))
    if kind == "tenday":
        if day.day <= 10:
            return Period("tenday", day.replace(day=1), day.replace(day=10))
        if day.day <= 20:
            return Period("tenday", day.replace(day=11), day.replace(day=20))
        return Period("tenday", day.replace(day=21), _month_end(day))
    raise InvalidInput("kind", f"unknown period kind {kind!r}")


def previous_period(period: Period) -> Period:
    """环比: the period immediately before."""
    return period_of(period.kind, period.start - timedelta(days=1))


def same_period_last_year(period: Period) -> Period:
    """同比: the same period a year earlier (29 February → 28 February; an ISO week → the
    week of the same number, week 53 → week 52)."""
    start = period.start
    if period.kind == "week":
        year, week, _ = start.isocalendar()
        weeks_last_year = date(year - 1, 12, 28).isocalendar()[1]  # 28 Dec is in the last week
        return period_of("week", date.fromisocalendar(year - 1, min(week, weeks_last_year), 1))
    try:
        earlier = start.replace(year=start.year - 1)
    except ValueError:
        earlier = start.replace(year=start.year - 1, day=28)
    return period_of(period.kind, earlier)


def months(period: Period) -> list[date]:
    """The first day of every month the period touches (subscriber counts are monthly)."""
    found = []
    cursor = period.start.replace(day=1)
    while cursor <= period.end:
        found.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return found


def judged_value(value: IndicatorValue, period: Period) -> float | None:
    """The value held against its objective: per-user objectives are per year, so a shorter
    period's value is annualised (× 365 ÷ days); the regulator's ≤ 50 is per year."""
    if value.value is None:
        return None
    if value.indicator_id in PER_USER:
        return value.value * DAYS_PER_YEAR / period.days
    return value.value


def judged_values(
    values: Mapping[str, IndicatorValue], period: Period
) -> dict[str, IndicatorValue]:
    """Each value with ``judged_value`` as its value, for scoring against the objectives."""
    return {k: replace(v, value=judged_value(v, period)) for k, v in values.items()}


def relative_change(current: float | None, base: float | None) -> float | None:
    """(current − base) ÷ base as a fraction (0.25 = +25 %); None if either is None or base is 0.

    A change against a zero or missing base has no meaningful ratio; reports print "—".
    """
    if current is None or base is None or base == 0:
        return None
    return (current - base) / abs(base)


def year_on_year(current: float | None, same_period_last_year: float | None) -> float | None:
    """同比: change against the same period a year earlier."""
    return relative_change(current, same_period_last_year)


def period_on_period(current: float | None, previous_period: float | None) -> float | None:
    """环比: change against the immediately preceding period (month, ten-day period, week)."""
    return relative_change(current, previous_period)
