"""SLA clocks as specifications (DOMAIN.md §3 Time limits).

Expected instants are worked out by hand in the comments. Office hours are 08:30–17:30
Shanghai (540 working minutes a day) unless a test says otherwise. Calendar facts used:
2025 National Day notice: rest Wed Oct 1 – Wed Oct 8, make-up working days Sun Sept 28 and
Sat Oct 11. Oct 13 2025 is a Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from careloop.domain.sla.calendar import (
    DayOverride,
    HoursWindow,
    WorkingCalendar,
)
from careloop.domain.sla.clocks import (
    Pause,
    SlaLimit,
    add_duration,
    compute_clock,
    elapsed,
    pending_alerts,
)
from careloop.services.sla.calendar_seed import calendar_from_chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

NATIONAL_DAY_2025 = (
    DayOverride(date(2025, 9, 28), "workday", "国庆节调休上班"),
    *(DayOverride(date(2025, 10, d), "holiday", "国庆节、中秋节") for d in range(1, 9)),
    DayOverride(date(2025, 10, 11), "workday", "国庆节调休上班"),
)
CALENDAR_2025 = WorkingCalendar.from_overrides(NATIONAL_DAY_2025, covered_years={2025})


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock moment in Shanghai, where the business hours are read."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def working(minutes: int) -> SlaLimit:
    return SlaLimit(minutes, "working")


# --- deadlines across holidays and make-up days -------------------------------------------


def test_accepted_on_national_day_eve_working_limit_skips_holiday() -> None:
    # Tue Sept 30 16:30 + 8 working hours (480 min):
    #   Sept 30 16:30–17:30 = 60, Oct 1–8 rest, Thu Oct 9 from 08:30 needs 420 = 7 h → 15:30.
    due = add_duration(sh(2025, 9, 30, 16, 30), working(480), CALENDAR_2025)

    assert due == sh(2025, 10, 9, 15, 30)


def test_national_day_eve_with_the_seeded_calendar_gives_the_same_deadline() -> None:
    # Same arithmetic as above, with the days taken from the chinese-calendar seed.
    calendar, missing = calendar_from_chinese_calendar([2025])

    assert missing == frozenset()
    assert add_duration(sh(2025, 9, 30, 16, 30), working(480), calendar) == sh(2025, 10, 9, 15, 30)


def test_two_working_days_from_national_day_eve_run_into_friday() -> None:
    # 960 min: Sept 30 = 60, Oct 9 = 540 (600 so far), Fri Oct 10 needs 360 = 6 h → 14:30.
    due = add_duration(sh(2025, 9, 30, 16, 30), working(960), CALENDAR_2025)

    assert due == sh(2025, 10, 10, 14, 30)


def test_make_up_working_saturday_counts() -> None:
    # Fri Oct 10 15:30 + 240 min: Fri 15:30–17:30 = 120, Sat Oct 11 is a make-up working day
    # with weekday hours, 08:30 + 120 → 10:30 Saturday (not Monday Oct 13).
    due = add_duration(sh(2025, 10, 10, 15, 30), working(240), CALENDAR_2025)

    assert due == sh(2025, 10, 11, 10, 30)


def test_make_up_working_sunday_before_the_holiday_counts() -> None:
    # Fri Sept 26 17:00 + 60 min: Fri 17:00–17:30 = 30, Sat 27 rests, Sun 28 is a make-up
    # working day: 08:30 + 30 → 09:00 Sunday.
    due = add_duration(sh(2025, 9, 26, 17), working(60), CALENDAR_2025)

    assert due == sh(2025, 9, 28, 9)


def test_ordinary_saturday_does_not_count() -> None:
    # Fri Oct 17 17:00 + 60: Fri = 30, Sat 18 and Sun 19 rest, Mon Oct 20 08:30 + 30 → 09:00.
    due = add_duration(sh(2025, 10, 17, 17), working(60), CALENDAR_2025)

    assert due == sh(2025, 10, 20, 9)


def test_calendar_basis_ignores_holidays() -> None:
    # 15 days (21 600 min) of wall-clock time from Sept 30 16:30 is Oct 15 16:30, straight
    # through the eight-day holiday (the 15-day outer limit before an appeal, MIIT order 35).
    due = add_duration(sh(2025, 9, 30, 16, 30), SlaLimit(15 * 24 * 60, "calendar"), CALENDAR_2025)

    assert due == sh(2025, 10, 15, 16, 30)


def test_accepted_after_hours_starts_counting_at_next_opening() -> None:
    # Mon Oct 13 20:00 + 60 working min: nothing counts overnight, Tue 08:30 + 60 → 09:30.
    due = add_duration(sh(2025, 10, 13, 20), working(60), CALENDAR_2025)

    assert due == sh(2025, 10, 14, 9, 30)


def test_deadline_on_the_last_minute_of_the_day_is_due_at_closing_not_next_morning() -> None:
    # Mon 08:30 + 540 = exactly the whole day → due Mon 17:30.
    assert add_duration(sh(2025, 10, 13, 8, 30), working(540), CALENDAR_2025) == sh(
        2025, 10, 13, 17, 30
    )


def test_working_elapsed_skips_the_holiday_and_counts_make_up_saturday() -> None:
    # Sept 30 16:30 → Mon Oct 13 09:00: Sept 30 = 60, Oct 9 = 540, Oct 10 = 540,
    # Sat Oct 11 = 540, Sun 12 = 0, Oct 13 08:30–09:00 = 30 → 1 710 min.
    minutes = elapsed(sh(2025, 9, 30, 16, 30), sh(2025, 10, 13, 9), "working", CALENDAR_2025)

    assert minutes == 1710


def test_calendar_elapsed_counts_every_minute() -> None:
    # Sept 30 16:30 → Oct 1 16:30 is 24 h even though Oct 1 is a holiday.
    assert elapsed(sh(2025, 9, 30, 16, 30), sh(2025, 10, 1, 16, 30), "calendar", CALENDAR_2025) == (
        1440
    )


def test_elapsed_with_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="before start"):
        elapsed(sh(2025, 10, 14), sh(2025, 10, 13), "working", CALENDAR_2025)


# --- business hours: several windows, crossing midnight ----------------------------------


def test_business_hours_crossing_midnight_count_the_night_shift() -> None:
    # Night desk Mon–Fri 22:00–06:00. Fri Oct 17 23:00 + 600 min:
    #   Fri's shift 23:00 → Sat 06:00 = 420 (it opened on a working Friday, so Saturday's
    #   early hours count); no shift opens Sat or Sun; Mon Oct 20 22:00 + 180 → Tue 01:00.
    night = {wd: (HoursWindow(time(22), time(6)),) for wd in range(5)}
    calendar = WorkingCalendar(hours=night, covered_years=frozenset({2025}))

    due = add_duration(sh(2025, 10, 17, 23), working(600), calendar)

    assert due == sh(2025, 10, 21, 1)


def test_night_shift_elapsed_over_a_weekend() -> None:
    # Sat 05:00 → Mon 23:00 with the night desk: Sat 05:00–06:00 = 60 (Friday's shift),
    # Mon 22:00–23:00 = 60 → 120.
    night = {wd: (HoursWindow(time(22), time(6)),) for wd in range(5)}
    calendar = WorkingCalendar(hours=night, covered_years=frozenset({2025}))

    assert elapsed(sh(2025, 10, 18, 5), sh(2025, 10, 20, 23), "working", calendar) == 120


def test_overlapping_night_and_day_windows_are_not_counted_twice() -> None:
    # Mon–Fri 08:30–17:30 plus 22:00–09:00. Tue Oct 14 00:00 → 12:00: Monday's night shift
    # covers 00:00–09:00 and Tuesday's day window 08:30–12:00; together 00:00–12:00 = 720
    # (750 if the 08:30–09:00 overlap were counted twice).
    both = {
        wd: (HoursWindow(time(8, 30), time(17, 30)), HoursWindow(time(22), time(9)))
        for wd in range(5)
    }
    calendar = WorkingCalendar(hours=both, covered_years=frozenset({2025}))

    assert elapsed(sh(2025, 10, 14), sh(2025, 10, 14, 12), "working", calendar) == 720


def test_lunch_break_between_two_windows_does_not_count() -> None:
    # Mon–Fri 08:30–12:00 and 13:30–17:30. Mon 11:00 + 120: 11:00–12:00 = 60, 13:30 + 60 → 14:30.
    split = {
        wd: (HoursWindow(time(8, 30), time(12)), HoursWindow(time(13, 30), time(17, 30)))
        for wd in range(5)
    }
    calendar = WorkingCalendar(hours=split, covered_years=frozenset({2025}))

    assert add_duration(sh(2025, 10, 13, 11), working(120), calendar) == sh(2025, 10, 13, 14, 30)


def test_calendar_without_any_business_hours_fails_loudly_instead_of_looping() -> None:
    with pytest.raises(ValueError, match="no business hours"):
        add_duration(sh(2025, 10, 13), working(60), WorkingCalendar(hours={}))


# --- time zones --------------------------------------------------------------------------


def test_utc_input_is_read_against_shanghai_business_hours() -> None:
    # 2025-09-30 08:30 UTC is 16:30 in Shanghai (UTC+8): the eve case again. Due Oct 9 15:30
    # Shanghai = Oct 9 07:30 UTC, and the answer comes back in UTC.
    due = add_duration(datetime(2025, 9, 30, 8, 30, tzinfo=UTC), working(480), CALENDAR_2025)

    assert due == datetime(2025, 10, 9, 7, 30, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0)


def test_shanghai_working_day_seen_in_utc() -> None:
    # 00:00–10:00 UTC on Mon Oct 13 is 08:00–18:00 Shanghai, covering the whole 08:30–17:30
    # day: 540 min. (Read as UTC office hours it would wrongly be 08:30–10:00 = 90.)
    start, end = datetime(2025, 10, 13, 0, tzinfo=UTC), datetime(2025, 10, 13, 10, tzinfo=UTC)

    assert elapsed(start, end, "working", CALENDAR_2025) == 540


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_duration(datetime(2025, 10, 13, 9), working(60), CALENDAR_2025)
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_clock(sh(2025, 10, 13, 9), working(60), CALENDAR_2025, now=datetime(2025, 10, 13))


# --- pauses ------------------------------------------------------------------------------


def test_pause_and_resume_push_the_working_deadline_back() -> None:
    # Mon Oct 13 09:00, 480 working min; waiting on the customer 10:00–14:00 (240 min).
    # At Mon 16:00: used = (09:00–16:00 = 420) − 240 = 180; remaining 300.
    # Due: 60 min before the pause, 420 left from 14:00: Mon 14:00–17:30 = 210, 210 left,
    #   Tue 08:30 + 210 → Tue 12:00 (without the pause it would be Mon 17:00).
    # Warning at 80 % = 384: 60 + 210 = 270 by Mon close, 114 left → Tue 10:24.
    clock = compute_clock(
        sh(2025, 10, 13, 9),
        working(480),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 16),
        pauses=[Pause(sh(2025, 10, 13, 10), sh(2025, 10, 13, 14))],
    )

    assert clock.state == "running"
    assert (clock.used_minutes, clock.paused_minutes, clock.remaining_minutes) == (180, 240, 300)
    assert clock.due_at == sh(2025, 10, 14, 12)
    assert clock.warn_at == sh(2025, 10, 14, 10, 24)
    assert clock.overrun_minutes == 0


def test_open_pause_shows_paused_and_deadline_as_if_resumed_now() -> None:
    # Same ticket seen at Mon 12:00 while still waiting (pause opened 10:00): used 60,
    # paused 120. If it resumed now: 420 left from 12:00, Mon 12:00–17:30 = 330, 90 left,
    # Tue 08:30 + 90 → Tue 10:00.
    clock = compute_clock(
        sh(2025, 10, 13, 9),
        working(480),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 12),
        pauses=[Pause(sh(2025, 10, 13, 10))],
    )

    assert clock.state == "paused"
    assert (clock.used_minutes, clock.paused_minutes) == (60, 120)
    assert clock.due_at == sh(2025, 10, 14, 10)


def test_pause_in_calendar_basis_shifts_deadline_by_wall_clock_time() -> None:
    # Mon 09:00 + 24 h calendar, paused 10:00–12:00: due Tue 09:00 + 2 h = Tue 11:00.
    # At Mon 13:00: used 4 h − 2 h = 120 min.
    clock = compute_clock(
        sh(2025, 10, 13, 9),
        SlaLimit(24 * 60, "calendar"),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 13),
        pauses=[Pause(sh(2025, 10, 13, 10), sh(2025, 10, 13, 12))],
    )

    assert clock.due_at == sh(2025, 10, 14, 11)
    assert (clock.used_minutes, clock.paused_minutes) == (120, 120)


def test_overlapping_pauses_are_counted_once() -> None:
    # Calendar basis, pauses 10:00–12:00 and 11:00–13:00 overlap: paused 10:00–13:00 = 180.
    clock = compute_clock(
        sh(2025, 10, 13, 9),
        SlaLimit(24 * 60, "calendar"),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 14),
        pauses=[
            Pause(sh(2025, 10, 13, 10), sh(2025, 10, 13, 12)),
            Pause(sh(2025, 10, 13, 11), sh(2025, 10, 13, 13)),
        ],
    )

    assert clock.paused_minutes == 180
    assert clock.used_minutes == 2 * 60  # 09:00–14:00 = 300 − 180


def test_pausing_after_the_breach_does_not_hide_it() -> None:
    # Mon 08:30 + 60 working → due 09:30; paused from 10:00 and seen at 11:00: still breached,
    # 30 min over (09:30–10:00 ran before the pause).
    clock = compute_clock(
        sh(2025, 10, 13, 8, 30),
        working(60),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 11),
        pauses=[Pause(sh(2025, 10, 13, 10))],
    )

    assert clock.state == "breached"
    assert clock.overrun_minutes == 30


# --- warning, breach and alerts exactly once ---------------------------------------------


def test_warning_at_80_percent_and_breach_each_reported_once() -> None:
    # Mon Oct 13 08:30, 600 working min. Warning at 480 min → Mon 16:30.
    # Due: Mon gives 540, 60 left → Tue 08:30 + 60 = Tue 09:30.
    start, limit = sh(2025, 10, 13, 8, 30), working(600)
    sent: set[str] = set()

    def sweep(now: datetime) -> list[str]:
        clock = compute_clock(start, limit, CALENDAR_2025, now=now)
        alerts = list(pending_alerts(clock, sent))
        sent.update(alerts)
        return [clock.state, *alerts]

    assert sweep(sh(2025, 10, 13, 16)) == ["running"]
    assert sweep(sh(2025, 10, 13, 16, 30)) == ["warning", "warning"]
    assert sweep(sh(2025, 10, 13, 17)) == ["warning"]  # already sent
    assert sweep(sh(2025, 10, 14, 9, 30)) == ["warning"]  # due instant itself is on time
    assert sweep(sh(2025, 10, 14, 9, 31)) == ["breached", "breach"]
    assert sweep(sh(2025, 10, 14, 12)) == ["breached"]  # already sent
    assert sent == {"warning", "breach"}


def test_first_sweep_after_breach_returns_warning_and_breach_together() -> None:
    # Tue 10:00 is 30 min past the 09:30 deadline; nothing was sent yet.
    clock = compute_clock(
        sh(2025, 10, 13, 8, 30), working(600), CALENDAR_2025, now=sh(2025, 10, 14, 10)
    )

    assert pending_alerts(clock, set()) == ["warning", "breach"]
    assert (clock.remaining_minutes, clock.overrun_minutes) == (-30, 30)
    assert clock.used_minutes == 630


def test_working_deadline_missed_at_closing_is_breached_before_any_working_overrun() -> None:
    # Mon 08:30 + 540 → due Mon 17:30. At Mon 18:00 the promise is broken, but no working
    # minute has run past it yet: overrun 0 until Tue 08:30.
    clock = compute_clock(
        sh(2025, 10, 13, 8, 30), working(540), CALENDAR_2025, now=sh(2025, 10, 13, 18)
    )

    assert clock.state == "breached"
    assert (clock.remaining_minutes, clock.overrun_minutes) == (0, 0)
    assert pending_alerts(clock, {"warning"}) == ["breach"]


def test_begun_minute_counts_as_used() -> None:
    # Calendar basis 60 min from 09:00; at 09:00:30 one minute is begun: used 1, remaining 59.
    clock = compute_clock(
        sh(2025, 10, 13, 9),
        SlaLimit(60, "calendar"),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 9) + timedelta(seconds=30),
    )

    assert (clock.used_minutes, clock.remaining_minutes) == (1, 59)


def test_stopped_before_due_is_met_and_raises_no_alert() -> None:
    # Due Tue 09:30 (see above); replied Mon 17:00, looked at much later.
    clock = compute_clock(
        sh(2025, 10, 13, 8, 30),
        working(600),
        CALENDAR_2025,
        now=sh(2025, 10, 20, 9),
        stopped_at=sh(2025, 10, 13, 17),
    )

    assert clock.state == "met"
    assert clock.used_minutes == 510  # 08:30–17:00
    assert pending_alerts(clock, set()) == []


def test_stopped_after_due_is_met_late_with_overrun_stored() -> None:
    # Replied Tue 10:15, 45 working minutes after the Tue 09:30 deadline.
    clock = compute_clock(
        sh(2025, 10, 13, 8, 30),
        working(600),
        CALENDAR_2025,
        now=sh(2025, 10, 20, 9),
        stopped_at=sh(2025, 10, 14, 10, 15),
    )

    assert clock.state == "met_late"
    assert clock.overrun_minutes == 45
    assert pending_alerts(clock, set()) == []


def test_stopped_at_after_now_is_refused() -> None:
    with pytest.raises(ValueError, match="stopped_at"):
        compute_clock(
            sh(2025, 10, 13, 9),
            working(60),
            CALENDAR_2025,
            now=sh(2025, 10, 13, 10),
            stopped_at=sh(2025, 10, 13, 11),
        )


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SlaLimit(0, "working")


# --- years without a notice: 2027 --------------------------------------------------------


def test_2027_deadline_uses_weekend_fallback_and_reports_it() -> None:
    # chinese-calendar 1.11 stops at 2026. Thu Dec 31 2026 16:30 + 540 working min:
    #   Dec 31 (an ordinary 2026 Thursday) 16:30–17:30 = 60; Fri Jan 1 2027 has no notice,
    #   so the weekends-only fallback counts it: 08:30 + 480 → 16:30 Jan 1 2027, flagged.
    calendar, missing = calendar_from_chinese_calendar([2026, 2027])
    assert missing == {2027}

    clock = compute_clock(
        sh(2026, 12, 31, 16, 30), working(540), calendar, now=sh(2026, 12, 31, 17)
    )

    assert clock.due_at == sh(2027, 1, 1, 16, 30)
    assert clock.fallback_years == {2027}
    assert clock.state == "running"


def test_2027_clock_stops_guessing_once_the_operator_imports_the_notice() -> None:
    # Hypothetical 2027 notice (invented for the test): Jan 1 off. Then Jan 1 rests, Jan 2–3
    # are the weekend, Mon Jan 4 08:30 + 480 → 16:30, and nothing is guessed any more.
    seeded, _ = calendar_from_chinese_calendar([2026])
    calendar = seeded.with_year(2027, [DayOverride(date(2027, 1, 1), "holiday", "元旦")])

    clock = compute_clock(
        sh(2026, 12, 31, 16, 30), working(540), calendar, now=sh(2026, 12, 31, 17)
    )

    assert clock.due_at == sh(2027, 1, 4, 16, 30)
    assert clock.fallback_years == frozenset()


def test_calendar_basis_never_reports_fallback_years() -> None:
    # Wall-clock time does not consult working days, so nothing is guessed in 2027.
    calendar, _ = calendar_from_chinese_calendar([2026, 2027])

    clock = compute_clock(
        sh(2026, 12, 31, 16, 30), SlaLimit(2 * 24 * 60, "calendar"), calendar, now=sh(2027, 1, 1)
    )

    assert clock.due_at == sh(2027, 1, 2, 16, 30)
    assert clock.fallback_years == frozenset()


def test_round_the_clock_desk_counts_every_minute_of_every_day() -> None:
    # A 24-hour hotline desk: 00:00–00:00 windows on all seven days, no rest days.
    # Mon 00:00 → Thu 00:00 = 3 × 1 440 = 4 320 working minutes.
    always = {wd: (HoursWindow(time(0), time(0)),) for wd in range(7)}
    calendar = WorkingCalendar(hours=always, rest_weekdays=frozenset())

    assert elapsed(sh(2025, 10, 13), sh(2025, 10, 16), "working", calendar) == 4320


def test_open_pause_that_starts_after_now_does_not_count_yet() -> None:
    # Mon 09:00 + 60 working; seen at 09:30 with a pause recorded from 10:00: 30 used,
    # nothing paused, still running, due 10:00.
    clock = compute_clock(
        sh(2025, 10, 13, 9),
        working(60),
        CALENDAR_2025,
        now=sh(2025, 10, 13, 9, 30),
        pauses=[Pause(sh(2025, 10, 13, 10))],
    )

    assert (clock.state, clock.used_minutes, clock.paused_minutes) == ("running", 30, 0)
    assert clock.due_at == sh(2025, 10, 13, 10)
