"""Indicators over complaints, stages and callbacks one by one, on the hand-made data set."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.domain.indicators.facts import (
    CallbackFact,
    ComplaintFact,
    StageFact,
    appeal_outcomes,
    appeals_per_million,
    average_handle_time,
    callback_outcomes,
    callback_rates,
    callback_satisfaction,
    complaints_per_10k,
    escalated_per_million,
    escalated_rate,
    first_contact_resolution,
    on_time_rate,
    repeat_rate,
    reply_stages,
    untimed_stages,
)
from tests.unit.domain.indicators.hand_made import (
    COMPLAINTS,
    PHONE_USERS,
    STAGES,
    SUBSCRIBERS,
    T0,
    complaint,
)


def test_appeals_per_million_counts_accepted_appeals_and_keeps_the_definition() -> None:
    # appeals: complaints 1 and 6 → 2; 2 ÷ 1 000 000 × 1 000 000 = 2.0
    value = appeals_per_million(COMPLAINTS, SUBSCRIBERS)
    assert value.value == pytest.approx(2.0)
    assert (value.numerator, value.denominator) == (2, 1_000_000)
    assert value.denominator_definition == PHONE_USERS


def test_escalated_rate_is_share_of_all_complaints() -> None:
    # escalated: 1, 6, 9 → 3 of 10 complaints = 30 %
    value = escalated_rate(COMPLAINTS)
    assert value.value == pytest.approx(30.0)
    assert (value.numerator, value.denominator) == (3, 10)


def test_escalated_per_million_users() -> None:
    # 3 ÷ 1 000 000 × 1 000 000 = 3.0
    assert escalated_per_million(COMPLAINTS, SUBSCRIBERS).value == pytest.approx(3.0)


def test_complaints_per_10k_users() -> None:
    # 10 ÷ 1 000 000 × 10 000 = 0.1
    value = complaints_per_10k(COMPLAINTS, 1_000_000, denominator_definition=PHONE_USERS)
    assert value.value == pytest.approx(0.1)
    assert value.denominator_definition == PHONE_USERS


def test_repeat_rate() -> None:
    # repeats: 2, 6 → 2 of 10 = 20 %
    assert repeat_rate(COMPLAINTS).value == pytest.approx(20.0)


def test_first_contact_resolution_excludes_reopened_and_repeat_from_closed() -> None:
    # closed: 1 2 3 4 6 7 8 10 = 8; minus 2 (repeat), 3 (reopened), 6 (repeat) → 5
    # 5 ÷ 8 = 62.5 %
    value = first_contact_resolution(COMPLAINTS)
    assert (value.numerator, value.denominator) == (5, 8)
    assert value.value == pytest.approx(62.5)


def test_on_time_rate_counts_finished_stages_only() -> None:
    # on time 2 of 3 finished = 66.666… %
    value = on_time_rate(STAGES)
    assert (value.numerator, value.denominator) == (2, 3)
    assert value.value == pytest.approx(200 / 3)


def test_reply_on_time_rate_from_complaints() -> None:
    due = T0 + timedelta(days=15)
    replied = [
        ComplaintFact(1, T0, "gz", "billing", reply_due_at=due, replied_at=due),  # on time
        ComplaintFact(2, T0, "gz", "billing", reply_due_at=due, replied_at=due + timedelta(1)),
        ComplaintFact(3, T0, "gz", "billing", reply_due_at=due),  # not replied yet
    ]
    # 1 on time of 2 replied = 50 %
    assert on_time_rate(reply_stages(replied)).value == pytest.approx(50.0)


def test_average_handle_time_is_in_the_working_hours_recorded_on_each_stage() -> None:
    # (2 + 4 + 9) working hours ÷ 3 = 5 h, not the wall-clock (2 + 4 + 24) ÷ 3 = 10 h;
    # the unfinished stage has no duration
    assert average_handle_time(STAGES).value == pytest.approx(5.0)


def test_a_stage_without_working_time_on_record_is_left_out_and_counted_not_zero() -> None:
    untimed = StageFact(finished_at=T0 + timedelta(hours=30), due_at=None, started_at=T0)
    value = average_handle_time([*STAGES, untimed])
    assert value.value == pytest.approx(5.0)  # still 15 h over 3 stages, not 15 h over 4
    assert value.denominator == 3
    assert untimed_stages([*STAGES, untimed]) == 1


def test_a_stage_without_a_record_is_measured_by_the_given_working_hours() -> None:
    # a calendar that counts the unrecorded stage as 1 working hour: (15 + 1) ÷ 4 = 4 h
    untimed = StageFact(finished_at=T0 + timedelta(hours=30), due_at=None, started_at=T0)
    value = average_handle_time([*STAGES, untimed], hours_between=lambda start, end: 1.0)
    assert value.value == pytest.approx(4.0)


def test_a_reply_is_judged_against_the_outer_limit_when_that_comes_first() -> None:
    due = T0 + timedelta(days=20)  # internal clock pushed out by pauses
    outer = T0 + timedelta(days=15)  # the law's 15 days, never paused
    late = ComplaintFact(1, T0, "gz", "billing", reply_due_at=due, outer_due_at=outer,
                         replied_at=T0 + timedelta(days=16))  # fmt: skip
    in_time = ComplaintFact(2, T0, "gz", "billing", reply_due_at=due, outer_due_at=outer,
                            replied_at=T0 + timedelta(days=14))  # fmt: skip
    assert on_time_rate(reply_stages([late, in_time])).value == pytest.approx(50.0)


def test_callback_satisfaction_counts_done_callbacks_and_the_others_apart() -> None:
    outcomes = ["satisfied"] * 6 + ["dissatisfied"] * 2 + ["unreachable"] * 3 + ["declined", None]
    rates = callback_rates(outcomes)
    # 6 satisfied of 8 done = 75 %; unreachable 3 of 12 concluded = 25 %
    assert rates["callback_satisfaction"].value == pytest.approx(75.0)
    assert rates["callback_unreachable_rate"].value == pytest.approx(25.0)
    assert callback_outcomes(outcomes) == {
        "satisfied": 6, "dissatisfied": 2, "unreachable": 3, "declined": 1,
    }  # fmt: skip


def test_appeal_outcomes_are_counted_per_outcome_over_regulator_appeals_only() -> None:
    appeals = [
        ComplaintFact(1, T0, "gz", "billing", regulator_appeal=True, appeal_outcome="settled"),
        ComplaintFact(2, T0, "gz", "billing", regulator_appeal=True, appeal_outcome="settled"),
        ComplaintFact(3, T0, "gz", "billing", regulator_appeal=True, appeal_outcome="informed"),
        ComplaintFact(4, T0, "gz", "billing", regulator_appeal=True),  # not yet answered
        ComplaintFact(5, T0, "gz", "billing", appeal_outcome="settled"),  # not an appeal
    ]
    assert appeal_outcomes(appeals) == {"settled": 2, "not_accepted": 0, "informed": 1}


def test_callback_satisfaction_ignores_callbacks_not_done() -> None:
    callbacks = [
        CallbackFact(T0, True),
        CallbackFact(T0, True),
        CallbackFact(T0, True),
        CallbackFact(T0, False),
        CallbackFact(None, False),  # customer not reached
    ]
    # 3 satisfied of 4 done = 75 %
    assert callback_satisfaction(callbacks).value == pytest.approx(75.0)


# --- empty periods and division by zero: None, never 0 and never an exception -------------


def test_empty_period_gives_no_value_rather_than_zero() -> None:
    for value in (
        escalated_rate([]),
        repeat_rate([]),
        first_contact_resolution([]),
        on_time_rate([]),
        callback_satisfaction([]),
        average_handle_time([]),
    ):
        assert value.value is None
        assert (value.numerator, value.denominator) == (0, 0)


def test_no_closed_complaints_and_no_finished_stages_give_no_value() -> None:
    assert first_contact_resolution([complaint(1, "gz", closed=False)]).value is None
    assert on_time_rate([StageFact(None, T0)]).value is None
    assert callback_satisfaction([CallbackFact(None, True)]).value is None
