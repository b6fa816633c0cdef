"""The working calendar as data the operator maintains (DOMAIN.md §3, Calendar caveat).

Dates of the 2025 National Day holiday come from the State Council's 2025 notice: rest
Oct 1–8 (National Day with Mid-Autumn on Oct 6), make-up working days Sun Sept 28 and
Sat Oct 11.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from careloop.domain.sla.calendar import (
    DayOverride,
    HoursWindow,
    WorkingCalendar,
)
from careloop.services.sla.calendar_seed import (
    calendar_from_chinese_calendar,
    chinese_calendar_seed,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

NATIONAL_DAY_2025 = (
    DayOverride(date(2025, 9, 28), "workday", "国庆节调休上班"),
    *(DayOverride(date(2025, 10, d), "holiday", "国庆节、中秋节") for d in range(1, 9)),
    DayOverride(date(2025, 10, 11), "workday", "国庆节调休上班"),
)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock moment in Shanghai, where the business hours are read."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_calendar_is_built_from_plain_data_without_any_package() -> None:
    calendar = WorkingCalendar.from_overrides(NATIONAL_DAY_2025, covered_years={2025})

    assert calendar.timezone == "Asia/Shanghai"
    assert calendar.is_working_day(date(2025, 9, 30))  # Tuesday, the eve
    assert not calendar.is_working_day(date(2025, 10, 1))  # Wednesday, National Day
    assert not calendar.is_working_day(date(2025, 10, 8))  # Wednesday, last day off
    assert calendar.is_working_day(date(2025, 9, 28))  # Sunday, make-up working day
    assert calendar.is_working_day(date(2025, 10, 11))  # Saturday, make-up working day
    assert not calendar.is_working_day(date(2025, 10, 12))  # ordinary Sunday


def test_default_business_hours_are_weekdays_0830_to_1730() -> None:
    calendar = WorkingCalendar()
    office = (HoursWindow(time(8, 30), time(17, 30)),)

    assert [calendar.hours.get(wd, ()) for wd in range(7)] == [office] * 5 + [(), ()]


def test_operator_edits_one_day_and_removes_it_again() -> None:
    calendar = WorkingCalendar.from_overrides(NATIONAL_DAY_2025, covered_years={2025})
    # A province-wide typhoon day off on Thursday 2025-10-16 (invented for the test).
    edited = calendar.with_override(DayOverride(date(2025, 10, 16), "holiday", "台风停工"))

    assert not edited.is_working_day(date(2025, 10, 16))
    assert calendar.is_working_day(date(2025, 10, 16))  # the original is untouched
    assert edited.without_override(date(2025, 10, 16)).is_working_day(date(2025, 10, 16))


def test_unknown_override_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="holiday"):
        DayOverride(date(2025, 10, 1), "vacation", "国庆节")  # type: ignore[arg-type]


def test_override_filed_under_another_date_is_refused() -> None:
    with pytest.raises(ValueError, match="filed under"):
        WorkingCalendar(overrides={date(2025, 10, 2): NATIONAL_DAY_2025[1]})


def test_unknown_time_zone_name_fails_at_construction() -> None:
    with pytest.raises(KeyError):  # ZoneInfoNotFoundError is a KeyError
        WorkingCalendar(timezone="Asia/Atlantis")


def test_make_up_saturday_uses_monday_to_friday_hours_not_saturday_hours() -> None:
    # A store desk open Saturday mornings 09:00–12:00 and resting on Sundays: an ordinary
    # Saturday has the short window, the make-up Saturday Oct 11 works full weekday hours.
    hours = {wd: (HoursWindow(time(8, 30), time(17, 30)),) for wd in range(5)}
    hours[5] = (HoursWindow(time(9), time(12)),)
    calendar = WorkingCalendar(
        overrides={o.day: o for o in NATIONAL_DAY_2025},
        hours=hours,
        covered_years=frozenset({2025}),
        rest_weekdays=frozenset({6}),
    )

    assert calendar.windows_on(date(2025, 10, 18)) == (HoursWindow(time(9), time(12)),)
    assert calendar.windows_on(date(2025, 10, 11)) == (HoursWindow(time(8, 30), time(17, 30)),)
    assert calendar.windows_on(date(2025, 10, 4)) == ()  # a holiday Saturday


def test_night_window_belongs_to_the_day_it_opens_on() -> None:
    # Mon–Fri 22:00–06:00. Friday 2025-10-17's shift runs into rest-day Saturday morning;
    # Sunday has no shift; Monday's opens 22:00 Monday.
    night = {wd: (HoursWindow(time(22), time(6)),) for wd in range(5)}
    calendar = WorkingCalendar(hours=night, covered_years=frozenset({2025}))

    spans = calendar.business_intervals(sh(2025, 10, 17, 12), sh(2025, 10, 21, 12))

    assert spans == [
        (sh(2025, 10, 17, 22).astimezone(UTC), sh(2025, 10, 18, 6).astimezone(UTC)),
        (sh(2025, 10, 20, 22).astimezone(UTC), sh(2025, 10, 21, 6).astimezone(UTC)),
    ]


def test_coverage_gaps_name_years_without_an_entered_notice() -> None:
    calendar = WorkingCalendar.from_overrides(NATIONAL_DAY_2025, covered_years={2025, 2026})

    assert calendar.coverage_gaps(date(2025, 12, 1), date(2026, 3, 1)) == []
    assert calendar.coverage_gaps(date(2026, 12, 20), date(2027, 1, 10)) == [2027]
    assert calendar.coverage_gaps(date(2028, 1, 1), date(2024, 6, 1)) == [2024, 2027, 2028]


def test_fallback_year_is_weekends_only() -> None:
    calendar = WorkingCalendar(covered_years=frozenset({2026}))

    # 2027-01-01 is a Friday: New Year's Day in reality, but no notice is entered, so the
    # fallback counts it as a working day and says so.
    assert calendar.is_fallback(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 2))  # Saturday


def test_importing_a_year_notice_marks_it_covered_and_replaces_old_days() -> None:
    # A hypothetical 2027 notice (invented for the test): Jan 1 off.
    provisional = WorkingCalendar().with_override(
        DayOverride(date(2027, 1, 4), "holiday", "draft entry")
    )
    imported = provisional.with_year(2027, [DayOverride(date(2027, 1, 1), "holiday", "元旦")])

    assert imported.coverage_gaps(date(2027, 1, 1), date(2027, 12, 31)) == []
    assert not imported.is_working_day(date(2027, 1, 1))
    assert imported.is_working_day(date(2027, 1, 4))  # the draft day was replaced


def test_importing_a_notice_with_a_day_of_another_year_is_refused() -> None:
    with pytest.raises(ValueError, match="2027"):
        WorkingCalendar().with_year(2027, [DayOverride(date(2026, 12, 31), "holiday", "x")])


def test_chinese_calendar_seed_has_2025_national_day_and_make_up_days() -> None:
    seed = chinese_calendar_seed([2025])
    by_day = {o.day: o for o in seed.overrides}

    assert seed.covered_years == {2025}
    assert seed.missing_years == frozenset()
    assert [by_day[date(2025, 10, d)].kind for d in range(1, 9)] == ["holiday"] * 8
    assert by_day[date(2025, 9, 28)].kind == "workday"
    assert by_day[date(2025, 10, 11)].kind == "workday"
    assert by_day[date(2025, 10, 1)].name == "国庆节 National Day"
    assert date(2025, 10, 9) not in by_day  # an ordinary Thursday needs no override


def test_chinese_calendar_seed_reports_2027_instead_of_raising() -> None:
    calendar, missing = calendar_from_chinese_calendar([2026, 2027])

    assert missing == {2027}
    assert calendar.covered_years == {2026}
    assert calendar.coverage_gaps(date(2026, 12, 31), date(2027, 1, 1)) == [2027]
    assert all(o.day.year == 2026 for o in calendar.overrides.values())
