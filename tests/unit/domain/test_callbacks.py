"""The callback loop's rules: the retry schedule, the N-attempt rule, the outcomes' labels, and
the appeal outcome as the lifecycle table offers it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careloop.domain import callbacks
from careloop.domain.callbacks import (
    AppealOutcome,
    CallbackOutcome,
    CallbackRule,
    RetryStep,
    check_attempt_due,
)
from careloop.domain.errors import DomainError
from careloop.domain.lifecycle import tickets
from careloop.domain.lifecycle.machine import InputField, InvalidLifecycle, Lifecycle, transition

BEIJING = callbacks.LOCAL_TZ


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given in Beijing time (November 2026), as UTC like the store keeps it."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


RULE = CallbackRule()


@pytest.mark.parametrize(
    ("attempt_at", "expected"),
    [
        (local(27, 10), local(27, 14)),  # inside the window: four hours later
        (local(27, 18), local(28, 11)),  # two hours today, two tomorrow from 09:00
        (local(27, 22, 30), local(28, 13)),  # after hours: from tomorrow's opening
        (local(27, 7), local(27, 13)),  # before hours: from today's opening
        (local(27, 16), local(28, 9)),  # exactly at closing: the next opening
    ],
)
def test_the_first_retry_is_four_calling_hours_later(attempt_at, expected):
    assert RULE.next_attempt_at(1, attempt_at) == expected


def test_the_second_retry_is_the_next_day_at_the_same_time():
    assert RULE.next_attempt_at(2, local(27, 14, 5)) == local(28, 14, 5)


def test_a_retry_that_falls_after_hours_moves_to_the_next_opening():
    assert RULE.next_attempt_at(2, local(27, 20, 30)) == local(29, 9)


def test_the_third_unreachable_attempt_closes_by_default():
    assert RULE.max_attempts == 3
    assert not RULE.closes(2)
    assert RULE.closes(3)
    assert RULE.next_attempt_at(3, local(27, 10)) is None


def test_a_site_with_more_attempts_waits_two_days_and_then_repeats_the_last_step():
    rule = callbacks.rule_for(5)
    assert rule.next_attempt_at(3, local(20, 10)) == local(22, 10)
    assert rule.next_attempt_at(4, local(22, 10)) == local(24, 10)
    assert rule.next_attempt_at(5, local(24, 10)) is None


def test_the_default_rule_has_three_attempts():
    assert callbacks.rule_for(None) == CallbackRule()


@pytest.mark.parametrize("attempts", [0, 11, -1])
def test_a_number_of_attempts_outside_one_to_ten_is_refused(attempts):
    with pytest.raises(ValueError, match="attempts"):
        CallbackRule(attempts)


def test_a_retry_step_waits_hours_or_days_never_both_nor_nothing():
    for bad in ({}, {"calling_hours": 2, "days": 1}, {"days": -1}):
        with pytest.raises(ValueError):
            RetryStep(**bad)


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        RULE.next_attempt_at(0, local(27, 10))


def test_an_attempt_before_the_scheduled_time_is_refused_with_that_time_in_beijing_time():
    due = local(28, 11)
    with pytest.raises(DomainError) as refused:
        check_attempt_due(due, due - timedelta(minutes=1))
    assert refused.value.code == "callback_not_due"
    assert refused.value.status == 409
    assert "2026-11-28 11:00" in refused.value.message("zh")
    assert "北京时间" in refused.value.message("zh")
    assert "Beijing time" in refused.value.message("en")


def test_an_attempt_at_or_after_the_scheduled_time_or_without_one_is_allowed():
    due = local(28, 11)
    check_attempt_due(due, due)
    check_attempt_due(due, due + timedelta(days=3))
    check_attempt_due(None, due)
    check_attempt_due(due.replace(tzinfo=None), due)  # naive: UTC as SQLite returns it


def test_only_satisfied_and_dissatisfied_set_the_old_satisfaction_flag():
    assert callbacks.legacy_satisfied(CallbackOutcome.SATISFIED) is True
    assert callbacks.legacy_satisfied(CallbackOutcome.DISSATISFIED) is False
    assert callbacks.legacy_satisfied(CallbackOutcome.UNREACHABLE) is None
    assert callbacks.legacy_satisfied(CallbackOutcome.DECLINED) is None


def test_every_outcome_is_recorded_by_a_transition_of_the_table():
    assert set(callbacks.OUTCOME_OF_ACTION.values()) == set(CallbackOutcome)
    assert set(callbacks.OUTCOME_OF_ACTION) <= set(tickets.TRANSITIONS)
    assert callbacks.ATTEMPT_ACTION in tickets.TRANSITIONS


def test_outcomes_have_chinese_and_english_labels():
    assert callbacks.label("unreachable", "zh") == "多次联系不上"
    assert callbacks.label(CallbackOutcome.DECLINED, "en") == "customer declined the callback"
    assert callbacks.label(AppealOutcome.SETTLED, "zh") == "和解"
    assert callbacks.label("not_accepted", "zh") == "用户不认可"
    assert callbacks.label("informed", "zh") == "用户知晓"


def test_the_appeal_outcome_field_offers_the_three_outcomes_in_words():
    field = tickets.TRANSITIONS["appeal_outcome"].field("outcome")
    assert field.options("zh") == [
        ("settled", "和解"),
        ("not_accepted", "用户不认可"),
        ("informed", "用户知晓"),
    ]
    assert [code for code, _ in field.options("en")] == [o.value for o in AppealOutcome]
    assert field.choose("informed") == "informed"


@pytest.mark.parametrize("value", ["resolved", "", None, "和解"])
def test_an_appeal_outcome_not_offered_is_refused_in_words(value):
    field = tickets.TRANSITIONS["appeal_outcome"].field("outcome")
    with pytest.raises(DomainError) as refused:
        field.choose(value)
    assert refused.value.status == 422
    message = refused.value.message("zh")
    assert "申诉处理结果" in message and "用户不认可" in message


def test_a_choice_field_without_choices_fails_when_the_table_is_built():
    with pytest.raises(InvalidLifecycle, match="choice"):
        Lifecycle(
            tickets.Status,
            tickets.STATUS_LABELS,
            tickets.Status.ACCEPTED,
            (
                *tickets.COMPLAINT_LIFECYCLE,
                transition(
                    "pick",
                    {tickets.Status.ACCEPTED},
                    None,
                    {"agent"},
                    "选",
                    "pick",
                    fields=(InputField("what", "choice"),),
                ),
            ),
            subject="transition",
            illegal_code="illegal_transition",
        )


def test_the_appeal_outcome_is_offered_only_on_regulator_transfers():
    offered = {t.name for t in tickets.offered_transitions("replied", "agent", True)}
    assert {"appeal_outcome", "callback_unreachable", "callback_declined"} <= offered
    plain = {t.name for t in tickets.offered_transitions("replied", "agent", False)}
    assert "appeal_outcome" not in plain
    assert "callback_unreachable" in plain


def test_closing_as_unreachable_is_never_offered_on_its_own():
    for role in ("agent", "unit_lead", "supervisor", "admin"):
        names = {t.name for t in tickets.allowed_transitions("replied", role)}
        assert "close_unreachable" not in names
    assert {"close_unreachable"} == tickets.SERVICE_FIRED
