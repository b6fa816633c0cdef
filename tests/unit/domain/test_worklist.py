"""The work list's rules: which clock a row names, what sorts first, what to do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from careloop.domain.worklist import NextAction, next_due, standing, worst_clock

T0 = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Clock:
    name: str
    state: str
    due_at: datetime


@dataclass(frozen=True)
class Order:
    status: str
    finished_at: datetime | None = None


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_breached_callback_outranks_a_met_reply_clock():
    clocks = [Clock("reply", "met", h(4)), Clock("callback", "breached", h(5))]
    assert worst_clock(clocks) == clocks[1]


def test_among_breached_clocks_the_one_due_first_is_worst():
    clocks = [Clock("reply", "breached", h(4)), Clock("work_order", "breached", h(1))]
    assert worst_clock(clocks) == clocks[1]


def test_warning_beats_running_and_a_stopped_clock_comes_last():
    clocks = [
        Clock("a", "met_late", h(0)),
        Clock("b", "running", h(1)),
        Clock("c", "warning", h(9)),
    ]
    assert worst_clock(clocks) == clocks[2]
    assert worst_clock([]) is None


def test_the_next_deadline_ignores_stopped_clocks():
    clocks = [Clock("reply", "met", h(1)), Clock("callback", "running", h(30))]
    assert next_due(clocks) == h(30)
    assert next_due([Clock("reply", "met", h(1))]) is None


def test_next_action_follows_status_and_work_orders():
    assert standing("accepted", [], None, 0).action == NextAction.DISPATCH
    assert standing("in_progress", [], None, 0).action == NextAction.REPLY
    assert standing("in_progress", [Order("dispatched")], None, 0).action == NextAction.AWAIT_UNIT
    assert standing("in_progress", [Order("accepted")], None, 0).action == NextAction.AWAIT_UNIT
    assert standing("pending_customer", [], None, 0).action == NextAction.AWAIT_CUSTOMER
    assert standing("replied", [Order("completed", h(1))], h(2), 0).action == NextAction.CALLBACK
    assert standing("closed", [], h(2), 0).action == NextAction.NONE


def test_a_finished_work_order_is_news_until_the_owner_answers():
    done = Order("completed", h(3))
    found = standing("in_progress", [done], None, 0)
    assert found.action == NextAction.REPLY_AFTER_UNIT and found.order is done
    returned = standing("in_progress", [done, Order("returned", h(4))], None, 0)
    assert returned.action == NextAction.RETURNED
    # One order open again after a return: the unit has it.
    again = standing("in_progress", [Order("returned", h(4)), Order("dispatched")], None, 0)
    assert again.action == NextAction.AWAIT_UNIT
    # Answered at h5, reopened by a dissatisfied callback: the old order is the last round.
    reopened = standing("in_progress", [done], h(5), 1)
    assert reopened.action == NextAction.REOPENED and reopened.order is None


def test_a_transferred_order_is_not_an_answer():
    moved = [Order("transferred", h(2)), Order("returned", h(3))]
    assert standing("in_progress", moved, None, 0).action == NextAction.RETURNED
    assert standing("in_progress", [Order("transferred", h(2))], None, 0).action == (
        NextAction.REPLY
    )
