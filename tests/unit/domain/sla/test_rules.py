"""domain.sla.rules: when each clock of a complaint starts, stops and pauses.

Plain facts (``ComplaintFacts``, ``WorkOrderFacts``, ``EventFact``) and a plain policy; no
calendar is needed to say which clocks run, from when, until when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from careloop.domain.lifecycle.tickets import Status
from careloop.domain.sla.clocks import Pause, SlaLimit
from careloop.domain.sla.facts import ComplaintFacts, EventFact, WorkOrderFacts
from careloop.domain.sla.rules import (
    CALLBACK_RUNNING,
    CALLBACK_START,
    CALLBACK_STOPS,
    CLOCK_ACTIONS,
    FIRST_CONTACT_ACTIONS,
    REPLY_PAUSE_ENDS,
    REPLY_PAUSE_STARTS,
    REPLY_RUNNING,
    ClockRun,
    callback_window,
    clock_runs,
    first_contact_stop,
    limit_until,
    pauses_from_events,
    reply_stop,
    work_order_limit,
)

T0 = datetime(2025, 10, 13, 1, 0, tzinfo=UTC)  # Mon 09:00 Shanghai


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass(frozen=True)
class Policy:
    limits: dict[str, Any] = field(default_factory=dict)


EVERY_STAGE = Policy(
    {
        stage: {"minutes": 600, "basis": "calendar"}
        for stage in ("first_contact", "reply", "callback", "acceptance", "work_order")
    }
)


def complaint(
    status: str = "in_progress",
    *,
    replied: float | None = None,
    closed: float | None = None,
    updated: float = 0,
    orders: tuple[WorkOrderFacts, ...] = (),
) -> ComplaintFacts:
    return ComplaintFacts(
        id=1,
        status=status,
        accepted_at=T0,
        replied_at=None if replied is None else at(replied),
        closed_at=None if closed is None else at(closed),
        updated_at=at(updated),
        sla_policy_id=1,
        work_orders=orders,
    )


def order(
    dispatched: float = 1,
    due: float = 3,
    *,
    accepted: float | None = None,
    finished: float | None = None,
    limit: int | None = None,
    basis: str | None = None,
) -> WorkOrderFacts:
    return WorkOrderFacts(
        id=7,
        dispatched_at=at(dispatched),
        due_at=at(due),
        accepted_at=None if accepted is None else at(accepted),
        finished_at=None if finished is None else at(finished),
        sla_started_at=None,
        sla_limit_minutes=limit,
        sla_basis=basis,
    )


def events(*steps: tuple[str, float]) -> list[EventFact]:
    return [EventFact(i, at(hours), action) for i, (action, hours) in enumerate(steps, 1)]


def run(name: str, runs: list[ClockRun]) -> ClockRun:
    return next(r for r in runs if r.name == name)


# --- pauses ------------------------------------------------------------------------------


def test_reply_clock_pauses_while_waiting_on_customer() -> None:
    runs = clock_runs(complaint(), events(("pause", 1), ("resume", 2.5)), EVERY_STAGE, at(4))

    assert run("reply", runs).pauses == (Pause(at(1), at(2.5)),)


def test_an_open_pause_runs_on_until_someone_resumes() -> None:
    assert pauses_from_events(events(("pause", 1))) == [Pause(at(1), None)]


def test_reply_clock_stands_still_between_a_reply_and_the_reopen() -> None:
    steps = events(("reply", 1), ("reopen", 3))

    assert pauses_from_events(steps, reply_gaps=True) == [Pause(at(1), at(3))]
    assert pauses_from_events(steps) == []


def test_a_second_pause_before_the_resume_does_not_restart_the_pause() -> None:
    steps = events(("pause", 1), ("pause", 2), ("resume", 3))

    assert pauses_from_events(steps) == [Pause(at(1), at(3))]


def test_the_callback_clock_never_pauses() -> None:
    steps = events(("reply", 1), ("pause", 2))
    runs = clock_runs(complaint("replied", replied=1), steps, EVERY_STAGE, at(4))

    assert run("callback", runs).pauses == ()


# --- starts and stops --------------------------------------------------------------------


def test_first_contact_stops_at_the_first_handling_event() -> None:
    steps = events(("note", 0.5), ("dispatch", 2), ("handle", 1))

    assert first_contact_stop(complaint(), steps) == at(1)


def test_first_contact_without_any_contact_stops_with_the_reply_clock() -> None:
    cancelled = complaint("cancelled", closed=2, updated=3)

    assert first_contact_stop(cancelled, events(("note", 1))) == at(2)
    assert first_contact_stop(complaint(), []) is None


def test_reply_clock_runs_until_the_complaint_is_replied() -> None:
    assert reply_stop(complaint("pending_customer")) is None
    assert reply_stop(complaint("replied", replied=5, updated=6)) == at(5)
    assert reply_stop(complaint("closed", closed=7, updated=8)) == at(7)


def test_reply_clock_of_a_complaint_gone_without_an_answer_stops_when_it_ended() -> None:
    assert reply_stop(complaint("merged", updated=4)) == at(4)
    assert reply_stop(complaint("rejected", replied=1, closed=3, updated=4)) == at(3)


def test_callback_clock_starts_at_the_latest_reply_and_stops_at_the_callback() -> None:
    steps = events(("reply", 1), ("reopen", 2), ("reply", 3), ("callback_satisfied", 5))

    assert callback_window(complaint("closed", closed=5), steps) == (at(3), at(5))


def test_callback_clock_still_runs_while_the_complaint_waits_for_its_callback() -> None:
    assert callback_window(complaint("replied"), events(("reply", 1))) == (at(1), None)


def test_callback_clock_of_a_complaint_closed_without_a_callback_stops_when_it_closed() -> None:
    closed = complaint("closed", closed=6, updated=7)

    assert callback_window(closed, events(("reply", 1))) == (at(1), at(6))


def test_a_complaint_never_replied_has_no_callback_clock() -> None:
    assert callback_window(complaint(), events(("handle", 1))) is None


def test_a_work_order_keeps_the_limit_it_was_dispatched_with() -> None:
    assert work_order_limit(order(limit=240, basis="working")) == SlaLimit(240, "working")


def test_an_older_work_order_counts_calendar_time_from_dispatch_to_its_due_time() -> None:
    assert work_order_limit(order(1, 3.5)) == SlaLimit(150, "calendar")


def test_a_dispatchers_due_time_is_a_calendar_limit_where_a_begun_minute_counts() -> None:
    assert limit_until(at(1), at(1) + timedelta(minutes=90, seconds=1)) == SlaLimit(91, "calendar")
    assert limit_until(at(1), at(1)) == SlaLimit(1, "calendar")


def test_acceptance_clock_stops_when_the_unit_accepts_or_finishes() -> None:
    accepted = clock_runs(complaint(orders=(order(accepted=2),)), [], EVERY_STAGE, at(4))
    finished = clock_runs(complaint(orders=(order(finished=2.5),)), [], EVERY_STAGE, at(4))

    assert run("acceptance", accepted).stopped_at == at(2)
    assert run("acceptance", finished).stopped_at == at(2.5)
    assert run("work_order", finished).stopped_at == at(2.5)


# --- which clocks exist ------------------------------------------------------------------


def test_every_clock_of_a_complaint_in_a_fixed_order_with_stable_subjects() -> None:
    c = complaint("replied", replied=2, orders=(order(),))
    runs = clock_runs(c, events(("reply", 2)), EVERY_STAGE, at(4))

    assert [r.subject for r in runs] == [
        "complaint:1:first_contact",
        "complaint:1:reply",
        "complaint:1:callback",
        "complaint:1:outer_reply",
        "work_order:7:acceptance",
        "work_order:7:work_order",
    ]
    assert [r.work_order_id for r in runs] == [None, None, None, None, 7, 7]


def test_a_stage_the_policy_sets_no_limit_for_has_no_clock() -> None:
    reply_only = Policy({"reply": {"minutes": 60}})
    runs = clock_runs(complaint(orders=(order(),)), [], reply_only, at(4))

    assert [r.name for r in runs] == ["reply", "outer_reply", "work_order"]
    assert run("reply", runs).limit == SlaLimit(60, "working")


def test_without_a_policy_only_the_law_and_the_work_orders_own_limits_run() -> None:
    runs = clock_runs(complaint(orders=(order(),)), [], None, at(4))

    assert [r.name for r in runs] == ["outer_reply", "work_order"]


def test_a_clock_that_starts_after_now_is_left_out() -> None:
    runs = clock_runs(complaint(orders=(order(dispatched=5, due=8),)), [], EVERY_STAGE, at(4))

    assert "work_order" not in {r.name for r in runs}


def test_a_stop_is_clamped_between_the_start_and_now() -> None:
    # Replied "before" acceptance (a clock skew) and a reply recorded after now.
    early = clock_runs(complaint("replied", replied=-1), [], EVERY_STAGE, at(4))
    late = clock_runs(complaint("replied", replied=9), [], EVERY_STAGE, at(4))

    assert run("reply", early).stopped_at == T0
    assert run("reply", late).stopped_at == at(4)


# --- the sets the SQL pre-filter reads ---------------------------------------------------


def test_the_reply_clock_runs_in_the_open_unanswered_statuses() -> None:
    assert {Status.ACCEPTED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER} == REPLY_RUNNING
    for status in Status:
        assert (reply_stop(complaint(status.value, updated=1)) is None) == (status in REPLY_RUNNING)


def test_the_callback_clock_runs_only_while_replied_or_back_in_hand() -> None:
    for status in Status:
        window = callback_window(complaint(status.value, updated=2), events(("reply", 1)))
        assert window is not None
        assert (window[1] is None) == (status in CALLBACK_RUNNING)


def test_every_event_a_rule_reads_is_a_clock_action() -> None:
    read = FIRST_CONTACT_ACTIONS | REPLY_PAUSE_STARTS | REPLY_PAUSE_ENDS | CALLBACK_STOPS
    assert read | {CALLBACK_START} == CLOCK_ACTIONS
    assert {"note", "survey_sent"}.isdisjoint(CLOCK_ACTIONS)
