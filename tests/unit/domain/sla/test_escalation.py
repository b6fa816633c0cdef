"""domain.sla.escalation: when a clock's warning, breach and escalation steps fall due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import ClockState, SlaLimit, compute_clock
from careloop.domain.sla.escalation import (
    REFRESH_OVERDUE,
    due_alerts,
    escalation_steps,
    next_check,
    step_alert,
)

START = datetime(2025, 10, 13, 1, tzinfo=UTC)
LIMIT = SlaLimit(100, "calendar")  # warns at 80 min, due at 100
CALENDAR = WorkingCalendar()


@dataclass(frozen=True)
class Policy:
    escalation: list[dict[str, Any]] = field(default_factory=list)


STEPS = escalation_steps(
    Policy(
        [
            {"level": 2, "to": "city", "after_minutes": 60},
            {"level": 1, "to": "unit_lead", "after_minutes": 0},
        ]
    )
)


def clock(minutes: float, stopped: float | None = None) -> ClockState:
    stop = None if stopped is None else START + timedelta(minutes=stopped)
    return compute_clock(START, LIMIT, CALENDAR, START + timedelta(minutes=minutes), (), 0.8, stop)


def test_steps_run_lowest_level_first_and_a_policy_without_steps_has_none() -> None:
    assert [step_alert(s) for s in STEPS] == ["escalation:1", "escalation:2"]
    assert escalation_steps(None) == []


def test_a_running_clock_warns_at_its_warning_share() -> None:
    assert due_alerts(clock(79), set(), STEPS) == []
    assert due_alerts(clock(80), set(), STEPS) == ["warning"]


def test_a_breach_first_seen_late_sends_the_warning_too_and_the_steps_whose_time_came() -> None:
    assert due_alerts(clock(101), set(), STEPS) == ["warning", "breach", "escalation:1"]
    assert due_alerts(clock(161), {"warning", "breach", "escalation:1"}, STEPS) == ["escalation:2"]


def test_a_stopped_clock_raises_nothing_and_needs_no_further_look() -> None:
    late = clock(200, stopped=150)

    assert due_alerts(late, set(), STEPS) == []
    assert next_check(late, set(), STEPS, START + timedelta(minutes=200)) is None


def test_the_next_look_is_the_warning_then_the_due_time_then_each_step() -> None:
    now = START + timedelta(minutes=120)
    state = clock(120)

    assert next_check(state, set(), STEPS, now) == state.warn_at
    assert next_check(state, {"warning"}, STEPS, now) == state.due_at
    sent = {"warning", "breach", "escalation:1"}
    assert next_check(state, sent, STEPS, now) == state.due_at + timedelta(minutes=60)


def test_an_overdue_clock_with_every_step_fired_is_looked_at_again_hourly() -> None:
    now = START + timedelta(minutes=300)
    sent = {"warning", "breach", "escalation:1", "escalation:2"}

    assert next_check(clock(300), sent, STEPS, now) == now + REFRESH_OVERDUE
