"""KPI scorecards: objective scores, weights over the indicators with data, one-vote veto."""

from __future__ import annotations

import pytest

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.catalogue import CATALOGUE
from careloop.domain.indicators.formulas import IndicatorValue, make_value
from careloop.domain.indicators.scorecards import VetoRule, indicator_score, scorecard


def test_indicator_score_is_linear_between_threshold_and_target() -> None:
    # on time: target 98, threshold 90; 94 is half way → 50
    assert indicator_score(94.0, CATALOGUE["on_time_rate"]) == pytest.approx(50.0)
    # appeals per million: target 30, threshold 50; 40 is half way → 50
    assert indicator_score(40.0, CATALOGUE["appeals_per_million"]) == pytest.approx(50.0)
    assert indicator_score(99.0, CATALOGUE["on_time_rate"]) == 100.0
    assert indicator_score(80.0, CATALOGUE["on_time_rate"]) == 0.0
    assert indicator_score(None, CATALOGUE["on_time_rate"]) is None


def _values() -> dict[str, IndicatorValue | None]:
    return {
        # 94 % on time → score 50 (see above)
        "on_time_rate": make_value("on_time_rate", 94, 100, "stages", 100.0),
        # 95 % satisfied, target 95 → score 100
        "callback_satisfaction": make_value("callback_satisfaction", 19, 20, "callbacks", 100.0),
        # nothing to measure this period
        "repeat_rate": make_value("repeat_rate", 0, 0, "complaints", 100.0),
        # 60 appeals per million
        "appeals_per_million": make_value("appeals_per_million", 60, 1_000_000, "users", 1e6),
    }


def test_scorecard_weights_scores_and_skips_indicators_without_data() -> None:
    # weights 60 / 40 / 20; repeat_rate has no data so weights renormalise over 60 + 40:
    # 0.6 × 50 + 0.4 × 100 = 70
    card = scorecard(
        _values(), {"on_time_rate": 60, "callback_satisfaction": 40, "repeat_rate": 20}
    )
    assert card.score == pytest.approx(70.0)
    assert not card.vetoed
    items = {item.indicator_id: item for item in card.items}
    assert items["repeat_rate"].status == "no_data"
    assert items["repeat_rate"].weight == 0.0
    assert items["on_time_rate"].weight == pytest.approx(0.6)


def test_veto_rule_zeroes_the_score_and_lists_the_reason() -> None:
    rule = VetoRule("appeals_per_million", ">", 50.0, "百万用户申诉率超过 50 / appeals above 50")
    card = scorecard(
        _values(), {"on_time_rate": 60, "callback_satisfaction": 40}, veto_rules=[rule]
    )
    assert card.vetoed
    assert card.score == 0.0
    assert card.veto_reasons == (rule.reason,)
    assert len(card.items) == 2  # the item scores are still reported


def test_veto_event_from_accountability_zeroes_the_score() -> None:
    card = scorecard(_values(), {"on_time_rate": 1}, veto_events=["重大服务事故 severe failure"])
    assert card.score == 0.0
    assert card.veto_reasons == ("重大服务事故 severe failure",)


def test_veto_rule_does_not_fire_without_data() -> None:
    rule = VetoRule("repeat_rate", ">", 0.0, "any repeat")
    card = scorecard(_values(), {"on_time_rate": 1}, veto_rules=[rule])
    assert not card.vetoed
    assert card.score == pytest.approx(50.0)


def test_scorecard_refuses_unknown_indicator() -> None:
    with pytest.raises(InvalidInput):
        scorecard(_values(), {"no_such_indicator": 1})
