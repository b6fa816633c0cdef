"""The formulas over counts: the one copy the reports and the fact-based indicators both use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.domain.indicators import facts, formulas
from careloop.domain.indicators.facts import CallbackFact
from careloop.domain.indicators.formulas import (
    IndicatorCounts,
    appeals_per_million,
    average_handle_time,
    callback_satisfaction,
    complaints_per_10k,
    escalated_rate,
    first_contact_resolution,
    indicator_values,
    on_time_rate,
    repeat_rate,
)
from careloop.domain.indicators.users import UserBase, user_base
from tests.unit.domain.indicators.hand_made import COMPLAINTS, STAGES, SUBSCRIBERS, T0


def test_zero_users_gives_no_value() -> None:
    assert appeals_per_million(3, 0).value is None
    assert facts.complaints_per_10k([], []).value is None
    assert appeals_per_million(0, 1_000).value == 0.0  # a real zero stays zero


def test_each_share_is_its_numerator_over_its_denominator_in_percent() -> None:
    assert escalated_rate(3, 10).value == pytest.approx(30.0)
    assert repeat_rate(2, 10).value == pytest.approx(20.0)
    assert on_time_rate(2, 3).value == pytest.approx(200 / 3)
    assert first_contact_resolution(5, 8).value == pytest.approx(62.5)
    assert callback_satisfaction(3, 4).value == pytest.approx(75.0)
    assert average_handle_time(30.0, 3).value == pytest.approx(10.0)  # hours, no scale


def test_a_zero_denominator_is_no_data_and_keeps_its_counts() -> None:
    value = on_time_rate(0, 0)
    assert value.value is None
    assert (value.numerator, value.denominator) == (0, 0)


def test_per_user_figures_carry_the_user_base_definition() -> None:
    value = complaints_per_10k(4, UserBase(300_000, "phone + broadband users"))
    assert value.value == pytest.approx(4 / 300_000 * 1e4)
    assert value.denominator_definition == "phone + broadband users"


HAND_MADE_COUNTS = IndicatorCounts(
    complaints=10,
    escalated=3,
    appeals=2,
    repeats=2,
    closed=8,
    resolved_first_time=5,
    stages=3,
    stages_on_time=2,
    handled=3,
    handle_hours=15.0,
    callbacks=4,
    callbacks_satisfied=3,
)
"""The hand-made data set counted by hand (see ``hand_made``): what the SQL counts would be."""


def test_indicator_values_of_the_counts_equal_the_indicators_of_the_facts() -> None:
    callbacks = [CallbackFact(T0, ok) for ok in (True, True, True, False)]
    callbacks.append(CallbackFact(None, False))
    users = user_base(SUBSCRIBERS)
    expected = {
        "escalated_rate": facts.escalated_rate(COMPLAINTS),
        "repeat_rate": facts.repeat_rate(COMPLAINTS),
        "first_contact_resolution": facts.first_contact_resolution(COMPLAINTS),
        "on_time_rate": facts.on_time_rate(STAGES),
        "average_handle_time": facts.average_handle_time(STAGES),
        "work_order_handle_time": formulas.work_order_handle_time(15.0, 3),
        "reply_handle_time": formulas.reply_handle_time(0.0, 0),
        "callback_satisfaction": facts.callback_satisfaction(callbacks),
        "callback_unreachable_rate": formulas.callback_unreachable_rate(0, 4),
        "appeals_per_million": facts.appeals_per_million(COMPLAINTS, users),
        "escalated_per_million": facts.escalated_per_million(COMPLAINTS, users),
        "complaints_per_10k": facts.complaints_per_10k(COMPLAINTS, users),
        "survey_satisfaction": facts.survey_satisfaction([]),
        "survey_response_rate": facts.survey_response_rate([]),
        "inspection_compliance_rate": formulas.inspection_compliance_rate(0, 0),
        "mean_inspection_score": formulas.mean_inspection_score(0.0, 0),
        "dial_test_answer_rate": formulas.dial_test_answer_rate(0, 0),
        "spam_reports_per_million": formulas.spam_reports_per_million(0, users),
        "spam_handling_rate": formulas.spam_handling_rate(0, 0),
        "spam_on_time_rate": formulas.spam_on_time_rate(0, 0),
    }
    assert indicator_values(HAND_MADE_COUNTS, users) == expected


def test_indicator_values_without_a_user_base_leave_out_the_per_user_figures() -> None:
    values = indicator_values(HAND_MADE_COUNTS)
    assert "appeals_per_million" not in values
    assert values["on_time_rate"].value == pytest.approx(200 / 3)


def test_counts_add_up_field_by_field() -> None:
    total = IndicatorCounts()
    total += HAND_MADE_COUNTS
    total += IndicatorCounts(complaints=5, handle_hours=1.5)
    assert total.complaints == 15
    assert total.handle_hours == pytest.approx(16.5)
    assert total.escalated == 3


def test_a_stage_finished_exactly_at_its_limit_is_on_time() -> None:
    stage = facts.StageFact(finished_at=T0, due_at=T0)
    late = facts.StageFact(finished_at=T0 + timedelta(seconds=1), due_at=T0)
    assert facts.is_on_time(stage)
    assert not facts.is_on_time(late)
