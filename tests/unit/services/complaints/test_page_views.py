"""The deadline a page shows when no service commitment covers the complaint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from careloop.services.complaints.page_views import stored_deadline

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_a_stored_deadline_still_ahead_is_running_with_the_minutes_left():
    reading = stored_deadline("reply", NOW + timedelta(hours=2, minutes=5), NOW)
    assert reading is not None
    assert (reading.state, reading.remaining_minutes, reading.overrun_minutes) == (
        "running",
        125,
        0,
    )
    assert reading.explanation == ""


def test_a_stored_deadline_passed_by_half_a_minute_is_breached_by_one():
    reading = stored_deadline("work_order", NOW - timedelta(seconds=30), NOW, work_order_id=7)
    assert reading is not None
    assert (reading.state, reading.overrun_minutes, reading.work_order_id) == ("breached", 1, 7)


def test_no_stored_deadline_reads_as_no_clock():
    assert stored_deadline("reply", None, NOW) is None
