"""services.sla.calendar: the operator's days as one working calendar per policy.

No database: the calendar data is what ``calendar_data`` would have loaded.
"""

from __future__ import annotations

from datetime import date, time

from careloop.domain.sla.calendar import DEFAULT_TIMEZONE, DayOverride, HoursWindow
from careloop.services.sla.calendar import (
    CalendarBook,
    CalendarData,
    calendar_for,
    shared_calendar,
)
from careloop.store.models import SlaPolicy

NATIONAL_DAY = CalendarData(
    (DayOverride(date(2025, 10, 1), "holiday", "国庆节"),), covered_years=frozenset({2025})
)


def policy(pid: int, *, hours: dict | None = None, timezone: str = "Asia/Shanghai") -> SlaPolicy:
    return SlaPolicy(id=pid, limits={}, warn_share=0.8, timezone=timezone, hours=hours)


def test_without_a_policy_the_calendar_is_office_hours_in_shanghai() -> None:
    calendar = calendar_for(NATIONAL_DAY, None)

    assert calendar.timezone == DEFAULT_TIMEZONE
    assert calendar.windows_on(date(2025, 10, 9)) == (HoursWindow(time(8, 30), time(17, 30)),)
    assert not calendar.is_working_day(date(2025, 10, 1))
    assert calendar.covered_years == {2025}


def test_a_policys_business_hours_and_time_zone_shape_its_calendar() -> None:
    night_desk = policy(1, hours={"0": [["22:00", "06:00"]]}, timezone="Asia/Urumqi")
    calendar = calendar_for(NATIONAL_DAY, night_desk)

    assert calendar.timezone == "Asia/Urumqi"
    assert calendar.windows_on(date(2025, 10, 13)) == (HoursWindow(time(22), time(6)),)
    assert calendar.windows_on(date(2025, 10, 14)) == ()


def test_a_book_builds_each_policys_calendar_once_per_use_case() -> None:
    book = CalendarBook(NATIONAL_DAY)
    first, second = policy(1), policy(2, timezone="Asia/Urumqi")

    assert book(first) is book(first)
    assert book(second).timezone == "Asia/Urumqi"
    assert book(None) is book(None)


def test_a_shared_calendar_is_rebuilt_once_the_calendar_data_changes() -> None:
    holder = policy(41)
    edited = CalendarData(NATIONAL_DAY.overrides, frozenset({2025, 2026}))

    assert shared_calendar(NATIONAL_DAY, holder) is shared_calendar(NATIONAL_DAY, holder)
    assert shared_calendar(edited, holder).covered_years == {2025, 2026}
