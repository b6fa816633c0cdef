"""Limits counted as the law counts periods (Civil Code arts. 201–203), and the regulatory
outer limits that no pause stops (DOMAIN.md §3).

Calendar facts (the 2026 notice, from chinese-calendar): National Day rest Thu Oct 1 – Wed
Oct 7, make-up working days Sun Sept 20 and Sat Oct 10. 2027 has no notice in the seed: its
statutory holidays (New Year's Day Fri Jan 1 …) rest, its bridge days are assumed.
Instants are written in Beijing time (+08:00); "24:00 on day D" is 00:00 on D + 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from careloop.domain.sla.calendar import HoursWindow, WorkingCalendar
from careloop.domain.sla.clocks import (
    Pause,
    SlaLimit,
    compute_clock,
    describe_limit,
    limit_from_terms,
    parse_limit_text,
    period_end,
    working_minutes,
)
from careloop.domain.sla.facts import ComplaintFacts, EventFact
from careloop.domain.sla.rules import clock_runs
from careloop.services.sla.calendar_seed import calendar_from_chinese_calendar, statutory_holidays

BEIJING = timezone(timedelta(hours=8))
CALENDAR_2026, _ = calendar_from_chinese_calendar([2026])
CALENDAR = WorkingCalendar.from_overrides(
    CALENDAR_2026.overrides.values(), covered_years={2026}, statutory=statutory_holidays()
)


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]


def end_of(day: date) -> datetime:
    """24:00 of ``day`` in Beijing time."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=BEIJING)


# --- the four counting rules -----------------------------------------------------------------


def test_fifteen_days_over_national_day_are_due_at_the_end_of_october_8() -> None:
    # Counted from 09-21; the 15th day, 10-05, is in the holiday; the next working day is 10-08.
    due = period_end(bj(2026, 9, 20, 10), SlaLimit.in_days(15, "calendar"), CALENDAR)
    assert due == end_of(date(2026, 10, 8))


def test_a_last_day_on_a_working_day_is_not_moved_and_ends_at_midnight() -> None:
    # Accepted Monday 09-28: the 15th day is Tuesday 10-13, a working day.
    due = period_end(bj(2026, 9, 28, 23, 59), SlaLimit.in_days(15, "calendar"), CALENDAR)
    assert due == end_of(date(2026, 10, 13))


def test_a_last_day_on_a_make_up_saturday_stays_put() -> None:
    # Accepted 10-05 (holiday): the 5th day is Saturday 10-10, a make-up working day.
    due = period_end(bj(2026, 10, 5, 12), SlaLimit.in_days(5, "calendar"), CALENDAR)
    assert due == end_of(date(2026, 10, 10))


def test_fifteen_working_days_from_december_28_run_past_new_years_day_2027() -> None:
    # Dec 29, 30, 31 (3); Jan 1 2027 is New Year's Day by law; Jan 4–8 (8), 11–15 (13),
    # 18, 19 (15): due at 24:00 on Tuesday 2027-01-19, and 2027 is an assumed year.
    limit = parse_limit_text("15 working days")
    start = bj(2026, 12, 28, 10)
    assert period_end(start, limit, CALENDAR) == end_of(date(2027, 1, 19))
    state = compute_clock(start, limit, CALENDAR, start)
    assert state.due_at == end_of(date(2027, 1, 19)) and state.fallback_years == {2027}


def test_working_days_skip_the_holiday_and_count_the_make_up_saturday() -> None:
    # From Wed 09-30: 10-08 (1), 10-09 (2), Sat 10-10 is a make-up working day (3).
    due = period_end(bj(2026, 9, 30, 9), SlaLimit.in_days(3, "working"), CALENDAR)
    assert due == end_of(date(2026, 10, 10))


def test_hours_run_from_the_instant_through_holidays() -> None:
    due = period_end(bj(2026, 9, 30, 10), parse_limit_text("24小时"), CALENDAR)
    assert due == bj(2026, 10, 1, 10)


def test_working_hours_run_from_the_instant_in_business_minutes_only() -> None:
    # 08:30–17:30: from 16:30 Wed 09-30, 60 minutes that day, the holiday, 8 h on 10-08.
    due = period_end(bj(2026, 9, 30, 16, 30), parse_limit_text("9 working hours"), CALENDAR)
    assert due == bj(2026, 10, 8, 16, 30)


def test_a_seven_day_desk_still_moves_a_legal_last_day_off_a_sunday() -> None:
    # The desk works Sundays, but in law Sunday is a rest day: the period ends Monday.
    every_day = {d: (HoursWindow(time(8), time(20)),) for d in range(7)}
    desk = WorkingCalendar.from_overrides(
        CALENDAR.overrides.values(),
        covered_years={2026},
        hours=every_day,
        statutory=statutory_holidays(),
    )
    # Accepted Sat 11-07: the 8th day is Sunday 11-15, moved to Monday 11-16.
    due = period_end(bj(2026, 11, 7, 9), SlaLimit.in_days(8, "calendar"), desk)
    assert due == end_of(date(2026, 11, 16))


# --- pauses on periods in days ----------------------------------------------------------------


def test_a_pause_moves_a_calendar_day_period_by_its_length() -> None:
    # Started Mon 11-02 10:00, 10 days: due end of Thu 11-12. A 3-day pause moves the start to
    # Thu 11-05 10:00, so the count starts 11-06 and ends 11-15 (Sunday) → Monday 11-16.
    start = bj(2026, 11, 2, 10)
    pause = Pause(bj(2026, 11, 3, 10), bj(2026, 11, 6, 10))
    state = compute_clock(
        start, SlaLimit.in_days(10, "calendar"), CALENDAR, bj(2026, 11, 10), [pause]
    )
    assert state.due_at == end_of(date(2026, 11, 16))
    assert state.state == "running" and state.paused_minutes == 3 * 24 * 60


def test_a_weekend_pause_costs_a_working_day_period_nothing() -> None:
    start = bj(2026, 11, 2, 10)  # Monday
    limit = SlaLimit.in_days(5, "working")
    weekend = Pause(bj(2026, 11, 7, 9), bj(2026, 11, 8, 18))
    plain = compute_clock(start, limit, CALENDAR, bj(2026, 11, 9))
    paused = compute_clock(start, limit, CALENDAR, bj(2026, 11, 9), [weekend])
    assert plain.due_at == paused.due_at == end_of(date(2026, 11, 9))


def test_a_pause_after_the_period_ran_out_does_not_undo_the_breach() -> None:
    start = bj(2026, 11, 2, 10)
    late_pause = Pause(bj(2026, 11, 20, 10), None)
    state = compute_clock(
        start, SlaLimit.in_days(10, "calendar"), CALENDAR, bj(2026, 11, 21), [late_pause]
    )
    assert state.due_at == end_of(date(2026, 11, 12)) and state.state == "breached"


def test_minutes_used_and_remaining_add_up_to_the_periods_running_time() -> None:
    start = bj(2026, 9, 20, 10)
    state = compute_clock(start, SlaLimit.in_days(15, "calendar"), CALENDAR, bj(2026, 9, 25, 10))
    assert state.limit_minutes == (end_of(date(2026, 10, 8)) - start) // timedelta(minutes=1)
    assert state.used_minutes + state.remaining_minutes == state.limit_minutes
    assert state.count == "calendar_days" and state.limit_days == 15


# --- reading limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("15 working days", SlaLimit.in_days(15, "working")),
        ("15 days", SlaLimit.in_days(15, "calendar")),
        ("15 calendar days", SlaLimit.in_days(15, "calendar")),
        ("24 hours", SlaLimit(24 * 60, "calendar")),
        ("8 Working Hours", SlaLimit(8 * 60, "working")),
        ("90 minutes", SlaLimit(90, "calendar")),
        ("15个工作日", SlaLimit.in_days(15, "working")),
        ("15天", SlaLimit.in_days(15, "calendar")),
        ("15 个自然日", SlaLimit.in_days(15, "calendar")),
        ("24小时", SlaLimit(24 * 60, "calendar")),
        ("30分钟", SlaLimit(30, "calendar")),
    ],
)
def test_a_limit_is_read_in_english_or_chinese(text: str, limit: SlaLimit) -> None:
    assert parse_limit_text(text) == limit


@pytest.mark.parametrize("text", ["", "15", "days", "15 weeks", "0天", "-3 days", "1.5 days"])
def test_an_unreadable_limit_is_refused_in_both_languages(text: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_limit_text(text)
    message = str(refused.value)
    chinese, english = message.split(" / ", 1)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
    assert english.split()[0].isascii() and len(english.split()) > 3


def test_a_stored_limit_is_read_in_either_shape() -> None:
    assert limit_from_terms({"minutes": 540}) == SlaLimit(540, "working")
    assert limit_from_terms({"minutes": 60, "basis": "calendar"}) == SlaLimit(60, "calendar")
    assert limit_from_terms({"count": "calendar_days", "days": 15}) == SlaLimit.in_days(
        15, "calendar"
    )
    assert limit_from_terms({"count": "hours", "hours": 24}) == SlaLimit(1440, "calendar")
    limit = SlaLimit.in_days(5, "working")
    assert limit_from_terms(limit.as_terms()) == limit


@pytest.mark.parametrize(
    "raw",
    [
        {"count": "weeks", "days": 2},
        {"count": "calendar_days"},
        {"count": "calendar_days", "days": 0},
        {"count": "working_hours", "minutes": 60, "basis": "calendar"},
        {"count": "hours", "minutes": 1.5},
        {"basis": "calendar"},
        "15 days",
    ],
)
def test_a_stored_limit_the_clocks_cannot_keep_is_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        limit_from_terms(raw)


def test_the_rule_is_described_in_chinese_and_english() -> None:
    limit = SlaLimit.in_days(15, "calendar")
    assert describe_limit(limit).startswith("15 个自然日") and "顺延" in describe_limit(limit)
    assert "next working day" in describe_limit(limit, "en")


# --- the regulatory outer limits ----------------------------------------------------------------


def _complaint(**kw: object) -> ComplaintFacts:
    values: dict[str, object] = {
        "id": 1,
        "status": "pending_customer",
        "accepted_at": bj(2026, 9, 28, 10).astimezone(UTC),
        "replied_at": None,
        "closed_at": None,
        "updated_at": bj(2026, 9, 28, 11).astimezone(UTC),
        "sla_policy_id": None,
        "work_orders": (),
    }
    values.update(kw)
    return ComplaintFacts(**values)  # type: ignore[arg-type]


def _outer(complaint: ComplaintFacts, events: list[EventFact], now: datetime) -> dict[str, str]:
    states = {}
    for run in clock_runs(complaint, events, None, now):
        state = compute_clock(run.started_at, run.limit, CALENDAR, now, run.pauses,
                              stopped_at=run.stopped_at)  # fmt: skip
        states[run.name] = state.state
    return states


def test_a_complaint_paused_since_day_one_breaches_the_outer_limit_on_day_16() -> None:
    paused = [EventFact(1, bj(2026, 9, 28, 11).astimezone(UTC), "pause")]
    assert _outer(_complaint(), paused, bj(2026, 10, 13, 23, 59)) == {"outer_reply": "warning"}
    assert _outer(_complaint(), paused, bj(2026, 10, 14, 0, 1)) == {"outer_reply": "breached"}


def test_the_outer_limit_stops_at_the_first_reply_even_after_a_reopen() -> None:
    events = [
        EventFact(1, bj(2026, 9, 30, 10).astimezone(UTC), "reply"),
        EventFact(2, bj(2026, 10, 2, 10).astimezone(UTC), "reopen"),
    ]
    complaint = _complaint(status="in_progress")
    assert _outer(complaint, events, bj(2026, 11, 1)) == {"outer_reply": "met"}


def test_an_appeal_has_its_own_two_outer_limits() -> None:
    appeal = _complaint(status="accepted", regulator_transfer=True)
    assert _outer(appeal, [], bj(2026, 10, 12)) == {
        "appeal_accept": "breached",  # 5 working days: due 24:00 on Sat 10-10
        "appeal_answer": "running",
    }


# --- handle time ------------------------------------------------------------------------------


def test_working_minutes_leave_out_nights_holidays_and_waits_on_the_customer() -> None:
    # 16:30 Wed 09-30 → 10:30 Thu 10-08: 60 + 120 business minutes; a wait 09:30–10:00 on
    # 10-08 leaves out 30 of them.
    wait = Pause(bj(2026, 10, 8, 9, 30), bj(2026, 10, 8, 10))
    assert working_minutes(bj(2026, 9, 30, 16, 30), bj(2026, 10, 8, 10, 30), [], CALENDAR) == 180
    assert (
        working_minutes(bj(2026, 9, 30, 16, 30), bj(2026, 10, 8, 10, 30), [wait], CALENDAR) == 150
    )
