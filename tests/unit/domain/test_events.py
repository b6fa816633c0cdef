from __future__ import annotations

from datetime import UTC, datetime

from careloop.domain import events
from careloop.domain.lifecycle import tickets

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def test_a_satisfied_callback_is_the_closed_event() -> None:
    event = events.event_for(
        "callback_satisfied", complaint_id=7, work_order_id=None, at=AT, actor_id=3
    )
    assert event is not None
    assert event.name == "careloop.complaint.closed"


def test_notes_and_attachments_raise_no_event() -> None:
    for action in ("note", "attach", "unmask", "anonymise"):
        assert (
            events.event_for(action, complaint_id=7, work_order_id=None, at=AT, actor_id=3) is None
        )


def test_every_status_changing_transition_has_an_event() -> None:
    changing = {t.name for t in tickets.TRANSITIONS.values() if t.target is not None}
    assert changing <= set(events.EVENT_OF_ACTION)
    orders = {f"work_order_{name}" for name in tickets.WORK_ORDER_TRANSITIONS}
    assert orders <= set(events.EVENT_OF_ACTION)


def test_an_event_survives_the_trip_through_a_job_queue() -> None:
    event = events.DomainEvent(
        events.WORK_ORDER_COMPLETED, 7, 11, "work_order_complete", AT, 3, {"result": "修好了"}
    )
    assert events.DomainEvent.from_json(event.to_json()) == event


def test_a_recorded_breach_and_its_escalations_are_events_but_a_warning_is_not() -> None:
    breach = events.event_for_alert("breach", complaint_id=7, work_order_id=None, at=AT)
    step = events.event_for_alert("escalation:2", complaint_id=7, work_order_id=None, at=AT)
    assert breach is not None and breach.name == "careloop.complaint.breached"
    assert step is not None and step.name == "careloop.complaint.escalated"
    assert step.payload["level"] == 2
    assert events.event_for_alert("warning", complaint_id=7, work_order_id=None, at=AT) is None
