"""The catalogue's objectives and how a value is judged against them."""

from __future__ import annotations

import pytest

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.catalogue import CATALOGUE, Indicator, evaluate
from careloop.domain.indicators.facts import on_time_rate


def test_status_against_objective_higher_is_better() -> None:
    on_time = CATALOGUE["on_time_rate"]  # target 98, threshold 90, tolerance 0
    assert evaluate(99.0, on_time) == "met"
    assert evaluate(98.0, on_time) == "met"
    assert evaluate(95.0, on_time) == "warning"
    assert evaluate(90.0, on_time) == "warning"
    assert evaluate(89.9, on_time) == "breached"
    assert evaluate(None, on_time) == "no_data"
    assert evaluate(on_time_rate([]), on_time) == "no_data"


def test_status_against_objective_lower_is_better_with_tolerance() -> None:
    appeals = Indicator(
        "appeals_per_million", "百万用户申诉率", "Appeals per million users", "per million",
        "lower_better", target=30.0, threshold=50.0, tolerance=2.0, formula="",
    )  # fmt: skip
    assert evaluate(30.0, appeals) == "met"
    assert evaluate(50.0, appeals) == "warning"
    assert evaluate(51.5, appeals) == "warning"  # within the tolerance of 2
    assert evaluate(52.5, appeals) == "breached"


def test_threshold_on_the_better_side_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Indicator("x", "x", "x", "%", "higher_better", 90.0, 95.0, 0.0, "")
