"""Reporting periods and changes between periods (同比, 环比)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from careloop.domain.indicators.formulas import appeals_per_million, on_time_rate
from careloop.domain.indicators.periods import (
    judged_value,
    months,
    period_of,
    period_on_period,
    previous_period,
    relative_change,
    same_period_last_year,
    year_on_year,
)


def test_year_on_year_and_period_on_period_changes() -> None:
    assert year_on_year(120.0, 100.0) == pytest.approx(0.2)  # (120 − 100) ÷ 100
    assert period_on_period(80.0, 100.0) == pytest.approx(-0.2)  # (80 − 100) ÷ 100
    assert relative_change(5.0, 0.0) is None  # zero base
    assert relative_change(5.0, None) is None  # missing base
    assert relative_change(None, 5.0) is None  # missing current


def test_a_period_starts_and_ends_at_local_midnight_in_shanghai() -> None:
    start, end = period_of("day", date(2026, 9, 28)).bounds()
    assert start == datetime(2026, 9, 27, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 9, 28, 16, 0, tzinfo=UTC)


def test_months_are_every_month_the_period_touches() -> None:
    assert months(period_of("tenday", date(2026, 2, 25))) == [date(2026, 2, 1)]
    assert months(period_of("month", date(2026, 12, 5))) == [date(2026, 12, 1)]


def test_per_user_figures_are_annualised_before_judging_and_shares_are_not() -> None:
    day = period_of("day", date(2026, 9, 28))
    appeals = appeals_per_million(1, 300_000)
    assert judged_value(appeals, day) == pytest.approx(1 / 0.3 * 365)
    assert judged_value(on_time_rate(3, 4), day) == pytest.approx(75.0)
    assert judged_value(on_time_rate(0, 0), day) is None


def test_a_week_is_the_iso_week_monday_to_sunday() -> None:
    week = period_of("week", date(2026, 11, 26))  # a Thursday
    assert (week.start, week.end, week.days) == (date(2026, 11, 23), date(2026, 11, 29), 7)
    assert week.label == "2026-W48"
    assert period_of("week", date(2026, 11, 29)) == week  # Sunday is its last day
    assert previous_period(week).start == date(2026, 11, 16)


def test_a_week_across_new_year_belongs_to_the_iso_year_of_its_thursday() -> None:
    week = period_of("week", date(2027, 1, 1))
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.label == "2026-W53"
    # 2025 has 52 ISO weeks: week 53 compares with week 52 a year earlier
    assert same_period_last_year(week).start == date(2025, 12, 22)
    assert same_period_last_year(period_of("week", date(2026, 11, 26))).label == "2025-W48"
