"""The calendar against a second holiday source (not the packages it seeds from).

2025–2026: every working day checked against a table written here from the State Council's
notices — 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号 (2026), as published on
www.gov.cn — while the calendar itself is seeded from chinese-calendar 1.11. The table is also
cross-checked with the ``holidays`` package's copy of the same notices.

2027–2030 (no notice entered): every statutory holiday of《全国年节及纪念日放假办法》(as
amended 2024, in force 2025) is a rest day. The calendar takes its lunar dates from the
``holidays`` package; the expected dates here come from ``lunar-python`` (MIT, a test
dependency): Spring Festival eve and lunar 1/1–1/3, Dragon Boat 5/5, Mid-Autumn 8/15, and the
Qingming solar term.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import holidays
import pytest
from lunar_python import Lunar, Solar

from careloop.domain.sla.calendar import DayOverride, WorkingCalendar
from careloop.services.sla.calendar import CalendarData, calendar_for
from careloop.services.sla.calendar_seed import chinese_calendar_seed, statutory_holidays


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


# Rest days (放假) and make-up working days (上班) as the two notices list them.
NOTICE_REST = (
    # 2025: 元旦 1/1; 春节 1/28–2/4; 清明 4/4–4/6; 劳动节 5/1–5/5; 端午 5/31–6/2;
    # 国庆节、中秋节 10/1–10/8.
    _span(date(2025, 1, 1), date(2025, 1, 1))
    | _span(date(2025, 1, 28), date(2025, 2, 4))
    | _span(date(2025, 4, 4), date(2025, 4, 6))
    | _span(date(2025, 5, 1), date(2025, 5, 5))
    | _span(date(2025, 5, 31), date(2025, 6, 2))
    | _span(date(2025, 10, 1), date(2025, 10, 8))
    # 2026: 元旦 1/1–1/3; 春节 2/15–2/23; 清明 4/4–4/6; 劳动节 5/1–5/5; 端午 6/19–6/21;
    # 中秋 9/25–9/27; 国庆节 10/1–10/7.
    | _span(date(2026, 1, 1), date(2026, 1, 3))
    | _span(date(2026, 2, 15), date(2026, 2, 23))
    | _span(date(2026, 4, 4), date(2026, 4, 6))
    | _span(date(2026, 5, 1), date(2026, 5, 5))
    | _span(date(2026, 6, 19), date(2026, 6, 21))
    | _span(date(2026, 9, 25), date(2026, 9, 27))
    | _span(date(2026, 10, 1), date(2026, 10, 7))
)
NOTICE_WORK = {
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
    date(2026, 10, 10),
}  # fmt: skip


def _days(year: int) -> list[date]:
    return sorted(_span(date(year, 1, 1), date(year, 12, 31)))


def _notice_working_day(day: date) -> bool:
    if day in NOTICE_WORK:
        return True
    return day not in NOTICE_REST and day.weekday() < 5


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    """The calendar as the clocks build it: seeded notices, then the statutory rule."""
    seed = chinese_calendar_seed([2025, 2026])
    return calendar_for(CalendarData(seed.overrides, seed.covered_years), None)


def test_the_notice_table_agrees_with_the_holidays_packages_copy_of_the_notices() -> None:
    # A check of the hand-written table: rest weekdays and make-up days as `holidays` has them.
    table = holidays.China(years=[2025, 2026], language="zh_CN")
    rest_weekdays = {d for d in table if d.weekday() < 5}
    moved = {
        date.fromisoformat(m)
        for name in table.values()
        for m in re.findall(r"由 (\d{4}-\d{2}-\d{2}) 调休", name)
    }
    assert rest_weekdays == {d for d in NOTICE_REST if d.weekday() < 5}
    assert moved == NOTICE_WORK


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_working_day_of_the_entered_years_is_right(
    calendar: WorkingCalendar, year: int
) -> None:
    wrong = [d for d in _days(year) if calendar.is_working_day(d) != _notice_working_day(d)]

    assert wrong == []
    # 261 weekdays − rest weekdays (2025: 18, 2026: 19) + make-up days (2025: 5, 2026: 6)
    assert sum(calendar.is_working_day(d) for d in _days(year)) == 248
    assert {calendar.day_source(d) for d in _days(year)} == {"notice"}


def _statutory_by_lunar_python(year: int) -> dict[date, str]:
    def solar(lunar: Lunar) -> date:
        s = lunar.getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    new_year = solar(Lunar.fromYmd(year, 1, 1))
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days = {
        date(year, 1, 1): "元旦",
        new_year - timedelta(days=1): "春节（除夕）",
        date(year, 4, qingming.getDay()): "清明节",
        date(year, 5, 1): "劳动节",
        date(year, 5, 2): "劳动节",
        solar(Lunar.fromYmd(year, 5, 5)): "端午节",
        solar(Lunar.fromYmd(year, 8, 15)): "中秋节",
        date(year, 10, 1): "国庆节",
        date(year, 10, 2): "国庆节",
        date(year, 10, 3): "国庆节",
    }
    days.update({new_year + timedelta(days=n): "春节" for n in range(3)})
    assert qingming.getMonth() == 4
    return days


@pytest.mark.parametrize("year", [2027, 2028, 2029, 2030])
def test_every_statutory_holiday_of_a_year_without_a_notice_is_a_rest_day(
    calendar: WorkingCalendar, year: int
) -> None:
    expected = _statutory_by_lunar_python(year)

    assert calendar.coverage_gaps(date(year, 1, 1), date(year, 12, 31)) == [year]
    working = [(d, name) for d, name in expected.items() if calendar.is_working_day(d)]
    assert working == []
    assert all(calendar.windows_on(d) == () for d in expected)
    assert {calendar.day_source(d) for d in expected} == {"statutory"}
    # Nothing else is made a rest day by the rule: the rest waits for the notice.
    rule_days = {o.day for o, source in calendar.special_days(year) if source == "statutory"}
    assert rule_days == set(expected)


def test_spring_festival_2027_is_four_rest_days_and_the_bridge_days_are_assumed(
    calendar: WorkingCalendar,
) -> None:
    # 2027: eve Fri Feb 5, lunar 1/1–1/3 Sat Feb 6 – Mon Feb 8 (lunar-python agrees).
    spring = [date(2027, 2, d) for d in range(5, 9)]

    assert [calendar.is_working_day(d) for d in spring] == [False] * 4
    assert [calendar.exception_on(d).name for d in spring] == [  # type: ignore[union-attr]
        "农历除夕",
        "春节",
        "春节",
        "春节",
    ]
    # Tue Feb 9 will probably be a bridge day, but only the notice can say so.
    assert calendar.is_working_day(date(2027, 2, 9))
    assert calendar.day_source(date(2027, 2, 9)) == "assumed"
    assert calendar.is_fallback(date(2027, 2, 9))


def test_statutory_rule_leaves_the_notices_moved_days_out() -> None:
    rule = statutory_holidays()

    assert date(2025, 2, 3) not in rule  # 休息日（由 2025-01-26 调休）: notice, not law
    assert rule[date(2025, 1, 28)].name == "农历除夕"  # the eve is statutory from 2025
    assert rule[date(2028, 10, 3)].name == "中秋节、国庆节"
    assert {o.kind for o in rule.values()} == {"holiday"}


def test_a_statutory_holiday_stays_a_rest_day_when_an_entered_notice_forgets_it() -> None:
    # An invented 2027 notice that lists only New Year's Day: the year is entered, so its
    # ordinary days are the notice's, but the law still gives Spring Festival off.
    seed = chinese_calendar_seed([2026])
    statutory_only = calendar_for(CalendarData(seed.overrides, seed.covered_years), None)
    entered = statutory_only.with_year(2027, [DayOverride(date(2027, 1, 1), "holiday", "元旦")])

    assert not entered.is_working_day(date(2027, 2, 8))
    assert entered.day_source(date(2027, 2, 8)) == "statutory"
    assert entered.day_source(date(2027, 2, 9)) == "notice"  # the notice says: work
    assert entered.is_working_day(date(2027, 2, 9))
    assert entered.special_days(2027)[0] == (
        DayOverride(date(2027, 1, 1), "holiday", "元旦"),
        "notice",
    )
