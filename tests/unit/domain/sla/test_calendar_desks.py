"""Desks whose hours are not Monday–Friday: seven-day, night and holiday (hotline) desks.

A weekday with configured hours is worked by the desk; a holiday (notice or statutory rest
day) opens only the policy's ``holiday`` hours. Dates: Sat 2025-10-18, Mon 2025-10-20;
2025 National Day notice: rest Oct 1–8, make-up working day Sat Oct 11.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from careloop.domain.sla.calendar import (
    DayOverride,
    HoursWindow,
    WorkingCalendar,
    parse_holiday_hours,
    parse_hours,
)
from careloop.domain.sla.clocks import SlaLimit, add_duration

SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_2025 = (
    DayOverride(date(2025, 9, 28), "workday", "国庆节调休上班"),
    *(DayOverride(date(2025, 10, d), "holiday", "国庆节、中秋节") for d in range(1, 9)),
    DayOverride(date(2025, 10, 11), "workday", "国庆节调休上班"),
)
EVERY_DAY_8_TO_20 = {str(wd): [["08:00", "20:00"]] for wd in range(7)}


def sh(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def desk(raw: dict[str, list[list[str]]], *overrides: DayOverride) -> WorkingCalendar:
    """A calendar as the services build one from a policy's stored hours."""
    return WorkingCalendar.from_overrides(
        overrides or NATIONAL_DAY_2025,
        covered_years={2025},
        hours=parse_hours(raw),
        holiday_hours=parse_holiday_hours(raw),
    )


def test_a_seven_day_desk_counts_its_saturday() -> None:
    # 08:00–20:00 every day; Sat 09:00 + 600 working minutes = Sat 19:00 (not Mon 18:00).
    calendar = desk(EVERY_DAY_8_TO_20)

    due = add_duration(sh(10, 18, 9), SlaLimit(600, "working"), calendar)

    assert due == sh(10, 18, 19).astimezone(UTC)


def test_a_seven_day_desk_without_holiday_hours_is_closed_on_holidays() -> None:
    # Tue Sept 30 19:00 + 120: 60 min that evening, Oct 1–8 closed, Oct 9 08:00 + 60 → 09:00.
    calendar = desk(EVERY_DAY_8_TO_20)

    due = add_duration(sh(9, 30, 19), SlaLimit(120, "working"), calendar)

    assert due == sh(10, 9, 9).astimezone(UTC)
    assert calendar.windows_on(date(2025, 10, 4)) == ()


def test_a_hotline_works_its_holiday_hours_on_holidays() -> None:
    # The policy says so: {"holiday": [["09:00", "17:00"]]}. Oct 1 09:00 + 120 → 11:00.
    calendar = desk({**EVERY_DAY_8_TO_20, "holiday": [["09:00", "17:00"]]})

    due = add_duration(sh(10, 1, 9), SlaLimit(120, "working"), calendar)

    assert due == sh(10, 1, 11).astimezone(UTC)
    assert calendar.windows_on(date(2025, 10, 1)) == (HoursWindow(time(9), time(17)),)
    assert not calendar.is_working_day(date(2025, 10, 1))  # still a holiday officially


def test_the_official_working_day_does_not_depend_on_the_desk() -> None:
    # Saturday is worked by the seven-day desk but is no working day of the calendar, which is
    # what "N working days" in a legal period counts.
    calendar = desk(EVERY_DAY_8_TO_20)

    assert calendar.windows_on(date(2025, 10, 18)) == (HoursWindow(time(8), time(20)),)
    assert not calendar.is_working_day(date(2025, 10, 18))
    assert calendar.is_working_day(date(2025, 10, 11))  # make-up Saturday


def test_a_weekend_night_desk_runs_over_midnight_on_saturday_and_sunday() -> None:
    # 22:00–06:00 on Saturday and Sunday only: Sat 23:00 + 600 → 7 h to Sun 06:00, then
    # Sun 22:00 + 3 h → Mon 01:00.
    night = {"5": [["22:00", "06:00"]], "6": [["22:00", "06:00"]]}
    calendar = desk(night)

    due = add_duration(sh(10, 18, 23), SlaLimit(600, "working"), calendar)

    assert calendar.has_night_windows
    assert due == sh(10, 20, 1).astimezone(UTC)


def test_a_holiday_night_shift_crossing_midnight_counts() -> None:
    # Holiday hours 20:00–08:00: Oct 8 (last day off) 20:00 opens a shift into Thu Oct 9;
    # Oct 8 21:00 + 600 = Oct 9 07:00.
    calendar = desk({"0": [["08:30", "17:30"]], "holiday": [["20:00", "08:00"]]})

    due = add_duration(sh(10, 8, 21), SlaLimit(600, "working"), calendar)

    assert calendar.has_night_windows
    assert due == sh(10, 9, 7).astimezone(UTC)


def test_policy_hours_refuse_a_key_that_is_neither_weekday_nor_holiday() -> None:
    with pytest.raises(ValueError, match="holiday"):
        parse_hours({"weekend": [["08:00", "20:00"]]})
    with pytest.raises(ValueError):
        parse_hours({"holiday": [["25:00", "20:00"]]})
    assert parse_holiday_hours(None) == ()
    assert parse_holiday_hours({"0": [["08:30", "17:30"]]}) == ()


def test_a_statutory_holiday_in_a_year_without_notice_closes_an_office_desk() -> None:
    # Fri 2027-01-01 (New Year's Day, statutory) rests; the source says why.
    new_year = DayOverride(date(2027, 1, 1), "holiday", "元旦")
    calendar = WorkingCalendar.from_overrides((), covered_years={2026}, statutory=[new_year])

    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.day_source(date(2027, 1, 1)) == "statutory"
    assert calendar.day_source(date(2027, 1, 4)) == "assumed"
    assert calendar.day_source(date(2026, 1, 5)) == "notice"
    assert calendar.special_days(2027) == [(new_year, "statutory")]
    with pytest.raises(ValueError, match="rest days"):
        WorkingCalendar(statutory={new_year.day: DayOverride(new_year.day, "workday", "x")})
