"""services.sla.clocks_for — the one rule behind the API and the sweeper — without a database.

Complaints, work orders and events are plain (transient) objects; the calendar is the
chinese-calendar seed. 2025 National Day: rest Oct 1–8, make-up working days Sun Sept 28
and Sat Oct 11. Office hours 08:30–17:30 Shanghai unless a policy says otherwise.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from careloop.services.sla.calendar import CalendarBook, CalendarData
from careloop.services.sla.calendar_seed import chinese_calendar_seed
from careloop.services.sla.clocks import clocks_for
from careloop.store.models import Complaint, Event, SlaPolicy, WorkOrder

SH = ZoneInfo("Asia/Shanghai")
SEED = chinese_calendar_seed([2025, 2026])
DATA = CalendarData(SEED.overrides, SEED.covered_years)


def sh(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def policy(limits: dict, hours: dict | None = None, pid: int = 1) -> SlaPolicy:
    return SlaPolicy(
        id=pid,
        code="p",
        version=pid,
        name="test",
        limits=limits,
        warn_share=0.8,
        timezone="Asia/Shanghai",
        hours=hours,
        escalation=[],
        reminder_channel="sms",
    )


def complaint(accepted: datetime, status: str = "in_progress", **kw) -> Complaint:  # type: ignore[no-untyped-def]
    c = Complaint(
        id=1, number="TS1", status=status, accepted_at=accepted, updated_at=accepted, **kw
    )
    c.work_orders = []
    return c


def event(action: str, at: datetime, eid: int) -> Event:
    return Event(id=eid, complaint_id=1, action=action, at=at, actor="t", role="agent")


def working(minutes: int) -> dict:
    return {"minutes": minutes, "basis": "working"}


def reply_of(c: Complaint, p: SlaPolicy, now: datetime, events=()):  # type: ignore[no-untyped-def]
    return next(
        v
        for v in clocks_for(c, list(events), p, CalendarBook(DATA), now).clocks
        if v.name == "reply"
    )


def test_national_day_eve_complaint_with_working_time_reply_limit_skips_the_holiday():
    # Tue Sept 30 16:30 + 480 working min: 60 that evening, Oct 1–8 rest, Oct 9 08:30 + 420.
    clock = reply_of(complaint(sh(9, 30, 16, 30)), policy({"reply": working(480)}), sh(10, 8, 12))
    assert clock.state.due_at == sh(10, 9, 15, 30)
    assert clock.state.used_minutes == 60 and clock.state.state == "running"
    assert clock.state.fallback_years == frozenset()


def test_make_up_saturday_counts_for_a_work_order_clock():
    # Dispatched Fri Oct 10 15:30 with a 240 working-minute policy limit: Fri 120, Sat Oct 11
    # is a make-up working day, 08:30 + 120 → 10:30 Saturday.
    c = complaint(sh(10, 10, 15))
    order = WorkOrder(
        id=7,
        complaint_id=1,
        dispatched_at=sh(10, 10, 15, 30),
        due_at=sh(10, 11, 10, 30),
        sla_limit_minutes=240,
        sla_basis="working",
    )
    c.work_orders = [order]
    views = clocks_for(
        c, [], policy({"reply": working(9000)}), CalendarBook(DATA), sh(10, 11, 10, 31)
    ).clocks
    clock = next(v for v in views if v.name == "work_order")
    assert clock.state.due_at == sh(10, 11, 10, 30)
    assert clock.state.state == "breached" and clock.state.overrun_minutes == 1
    assert clock.subject == "work_order:7:work_order"


def test_pause_and_resume_events_push_the_reply_deadline_back():
    # Mon Oct 13 09:00 + 240 working min (due 13:00); paused 10:00–11:30 → due 14:30.
    c = complaint(sh(10, 13, 9))
    events = [event("pause", sh(10, 13, 10), 1), event("resume", sh(10, 13, 11, 30), 2)]
    clock = reply_of(c, policy({"reply": working(240)}), sh(10, 13, 12), events)
    assert clock.state.due_at == sh(10, 13, 14, 30)
    assert clock.state.paused_minutes == 90 and clock.state.used_minutes == 90
    assert len(clock.pauses) == 1


def test_open_pause_shows_paused_and_reply_reopen_gap_stands_still():
    c = complaint(sh(10, 13, 9))
    paused = reply_of(
        c, policy({"reply": working(240)}), sh(10, 13, 12), [event("pause", sh(10, 13, 10), 1)]
    )
    assert paused.state.state == "paused"
    # Replied at 10:00, reopened by a dissatisfied callback at 15:00: the 5 h in between
    # do not count against the reply limit.
    events = [event("reply", sh(10, 13, 10), 1), event("reopen", sh(10, 13, 15), 2)]
    reopened = reply_of(c, policy({"reply": working(240)}), sh(10, 13, 16), events)
    assert reopened.state.used_minutes == 120 and reopened.state.state == "running"


def test_business_hours_crossing_midnight_come_from_the_policy():
    # A night desk 22:00–06:00 Monday to Friday; accepted Mon Oct 13 21:00, 300 working min:
    # nothing until 22:00, then 22:00 + 300 min → Tue 03:00.
    night = {str(d): [["22:00", "06:00"]] for d in range(5)}
    clock = reply_of(
        complaint(sh(10, 13, 21)), policy({"reply": working(300)}, night), sh(10, 13, 23)
    )
    assert clock.state.due_at == sh(10, 14, 3)
    assert clock.state.used_minutes == 60


def test_replied_complaint_is_met_and_late_reply_is_met_late_with_overrun():
    c = complaint(sh(10, 13, 9), status="replied", replied_at=sh(10, 13, 12))
    assert reply_of(c, policy({"reply": working(240)}), sh(10, 14)).state.state == "met"
    late = complaint(sh(10, 13, 9), status="replied", replied_at=sh(10, 13, 14))
    state = reply_of(late, policy({"reply": working(240)}), sh(10, 14)).state
    assert state.state == "met_late" and state.overrun_minutes == 60


def test_complaint_keeps_the_policy_version_it_references():
    # Two versions of one policy: the clock follows the version the complaint points at.
    c = complaint(sh(10, 13, 9))
    v1, v2 = policy({"reply": working(240)}, pid=1), policy({"reply": working(60)}, pid=2)
    assert reply_of(c, v1, sh(10, 13, 11)).state.state == "running"
    assert reply_of(c, v2, sh(10, 13, 11)).state.state == "breached"


def test_a_2027_deadline_uses_the_fallback_and_says_so():
    seed = chinese_calendar_seed([2026, 2027])
    book = CalendarBook(CalendarData(seed.overrides, seed.covered_years))
    c = complaint(sh(12, 31, 16, 30, year=2026))
    views = clocks_for(c, [], policy({"reply": working(120)}), book, sh(12, 31, 17, year=2026))
    assert views.clocks[0].state.fallback_years == frozenset({2027})
