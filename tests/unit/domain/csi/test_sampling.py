"""The sampling design, checked against numbers worked by hand from the textbook formulas.

Formulas: Cochran, *Sampling Techniques* (3rd ed., 1977) §4.4 n₀ = z²pq/d² and
n = n₀/(1 + (n₀ − 1)/N); §4.6 n₀ = z²S²/d² and n = n₀/(1 + n₀/N); §5.3
V(ȳ_st) = Σ W_h² s_h²/n_h; §5.5 n_h = n·N_h/N (proportional) and n·N_hS_h/ΣN_hS_h (Neyman).
z = 1.959964 at 95 %, 2.575829 at 99 %.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from careloop.domain.csi.sampling import (
    SamplingInputError,
    StratumFrame,
    allocate,
    design_weights,
    sample_size,
    weighted_index,
)
from careloop.domain.errors import InvalidInput


def test_a_proportion_within_five_points_needs_385_interviews() -> None:
    # n₀ = 1.959964² · 0.5 · 0.5 / 0.05² = 384.15 → 385 (always rounded up).
    assert sample_size(0.05, proportion=0.5) == 385


def test_a_finite_population_needs_fewer_interviews() -> None:
    # N = 1000: 384.15 / (1 + 383.15/1000) = 277.7 → 278.
    assert sample_size(0.05, proportion=0.5, population=1000) == 278


def test_an_index_within_two_points_with_sd_15_needs_217_interviews() -> None:
    # n₀ = 1.959964² · 15² / 2² = 216.08 → 217.
    assert sample_size(2.0, sd=15.0) == 217


def test_mean_sample_size_with_finite_population_correction() -> None:
    # N = 2000: 216.08 / (1 + 216.08/2000) = 195.01 → 196.
    assert sample_size(2.0, sd=15.0, population=2000) == 196


def test_a_design_effect_multiplies_the_sample() -> None:
    # 216.08 · 1.5 = 324.12 → 325 (Kish: a clustered sample is worth n/deff simple ones).
    assert sample_size(2.0, sd=15.0, design_effect=1.5) == 325


def test_a_higher_confidence_level_needs_more_interviews() -> None:
    # 2.575829² · 225 / 4 = 373.2 → 374.
    assert sample_size(2.0, sd=15.0, level=0.99) == 374


def test_sample_size_never_exceeds_the_population() -> None:
    assert sample_size(0.001, proportion=0.5, population=50) == 50


@pytest.mark.parametrize(
    "kwargs",
    [
        {"margin": 0.05},  # neither sd nor proportion
        {"margin": 0.05, "sd": 1.0, "proportion": 0.5},  # both
        {"margin": 0.0, "proportion": 0.5},
        {"margin": 0.05, "proportion": 1.0},
        {"margin": 0.05, "sd": -1.0},
        {"margin": 0.05, "proportion": 0.5, "level": 1.0},
        {"margin": 0.05, "proportion": 0.5, "design_effect": 0.5},
        {"margin": 0.05, "proportion": 0.5, "population": 0},
    ],
)
def test_impossible_sample_size_requests_are_refused(kwargs: dict[str, float]) -> None:
    margin = kwargs.pop("margin")
    with pytest.raises(InvalidInput):
        sample_size(margin, **kwargs)  # type: ignore[arg-type]


def test_refusals_speak_chinese_first_and_english_when_asked() -> None:
    with pytest.raises(SamplingInputError) as caught:
        sample_size(0.0, proportion=0.5)
    assert caught.value.message() == "允许误差必须大于 0，收到 0.0"
    assert caught.value.message("en") == "the margin of error must be above 0, got 0.0"
    assert caught.value.code == "invalid_input"


FRAME = {
    "A": StratumFrame(6000, 10.0),
    "B": StratumFrame(3000, 20.0),
    "C": StratumFrame(1000, 30.0),
}


def test_proportional_allocation_follows_stratum_sizes() -> None:
    # 500 · (6000, 3000, 1000) / 10000.
    assert allocate(500, FRAME, "proportional") == {"A": 300, "B": 150, "C": 50}


def test_neyman_allocation_follows_size_times_spread() -> None:
    # N_h·S_h = 60000, 60000, 30000 of 150000 → 500 · (0.4, 0.4, 0.2).
    assert allocate(500, FRAME, "neyman") == {"A": 200, "B": 200, "C": 100}


def test_allocation_keeps_the_total_when_shares_are_fractions() -> None:
    # 10/3 each: the largest remainders tie, the stratum listed first takes the extra one.
    frame = {h: StratumFrame(100) for h in ("a", "b", "c")}
    assert allocate(10, frame) == {"a": 4, "b": 3, "c": 3}


def test_allocation_gives_every_stratum_its_minimum() -> None:
    # Proportional shares 196, 3, 1: the small strata are raised to 5, A keeps the rest.
    frame = {"A": StratumFrame(9800), "B": StratumFrame(150), "C": StratumFrame(50)}
    assert allocate(200, frame, minimum=5) == {"A": 190, "B": 5, "C": 5}


def test_neyman_allocation_never_exceeds_a_stratum() -> None:
    # N_h·S_h = 1000 and 2000 → B's share 40 exceeds its 20 people: B is taken whole
    # and A gets the other 40 (Cochran §5.9).
    frame = {"A": StratumFrame(1000, 1.0), "B": StratumFrame(20, 100.0)}
    assert allocate(60, frame, "neyman") == {"A": 40, "B": 20}


@pytest.mark.parametrize("total", [1, 7, 123, 999])
def test_allocations_always_add_up_to_the_total(total: int) -> None:
    frame = {f"s{i}": StratumFrame(100 + 37 * i, 1.0 + i) for i in range(7)}
    for method in ("proportional", "neyman"):
        got = allocate(total, frame, method, minimum=0)  # type: ignore[arg-type]
        assert sum(got.values()) == total
        assert all(0 <= got[h] <= frame[h].population for h in frame)


def test_allocation_refuses_what_cannot_be_done() -> None:
    with pytest.raises(InvalidInput):
        allocate(20_000, FRAME)  # more than the 10 000 people in the frame
    with pytest.raises(InvalidInput):
        allocate(5, FRAME, minimum=3)  # three strata cannot each get three of five
    with pytest.raises(InvalidInput):
        allocate(50, {"A": StratumFrame(100)}, "neyman")  # Neyman needs each stratum's sd
    with pytest.raises(InvalidInput):
        allocate(50, {})


def test_design_weights_are_population_over_responses() -> None:
    assert design_weights({"A": 300, "B": 400}, {"A": 3, "B": 2}) == {"A": 100.0, "B": 200.0}


def test_design_weights_need_the_same_strata_and_responses() -> None:
    with pytest.raises(InvalidInput):
        design_weights({"A": 300}, {"B": 3})
    with pytest.raises(InvalidInput):
        design_weights({"A": 300}, {"A": 0})


def test_unweighted_index_is_the_mean_with_its_standard_error() -> None:
    # 2, 4, 6, 8: mean 5, s² = 20/3, se = √(20/3/4) = 1.290994.
    got = weighted_index(np.array([2.0, 4, 6, 8]), np.ones(4))
    assert got.value == pytest.approx(5.0)
    assert got.std_error == pytest.approx(math.sqrt(20 / 3 / 4))
    assert got.effective_n == pytest.approx(4.0)
    assert got.n == 4


def test_stratified_index_matches_cochrans_stratified_mean() -> None:
    # Stratum A (N=300): 60, 70, 80 → ȳ=70, s²=100; B (N=400): 90, 100 → ȳ=95, s²=50.
    # Weights N_h/n_h = 100 and 200; W = 3/7, 4/7. ȳ_st = (3·70 + 4·95)/7 = 590/7.
    # V = (3/7)²·100/3 + (4/7)²·50/2 = 100/7; se = 3.779645.
    scores = np.array([60.0, 70, 80, 90, 100])
    weights = np.array([100.0, 100, 100, 200, 200])
    got = weighted_index(scores, weights, ["A", "A", "A", "B", "B"])
    assert got.value == pytest.approx(590 / 7)
    assert got.std_error == pytest.approx(math.sqrt(100 / 7))
    assert got.ci_low == pytest.approx(590 / 7 - 1.959964 * math.sqrt(100 / 7), abs=1e-5)
    assert got.ci_high == pytest.approx(590 / 7 + 1.959964 * math.sqrt(100 / 7), abs=1e-5)
    # Kish: (Σw)²/Σw² = 700² / 110000.
    assert got.effective_n == pytest.approx(700**2 / 110_000)


def test_stratifying_removes_the_between_strata_spread() -> None:
    scores = np.array([60.0, 70, 80, 90, 100])
    weights = np.array([100.0, 100, 100, 200, 200])
    pooled = weighted_index(scores, weights)
    stratified = weighted_index(scores, weights, ["A", "A", "A", "B", "B"])
    assert pooled.value == pytest.approx(stratified.value)
    assert stratified.std_error is not None and pooled.std_error is not None
    assert stratified.std_error < pooled.std_error


def test_a_single_response_has_no_margin() -> None:
    got = weighted_index(np.array([75.0]), np.array([3.0]))
    assert (got.value, got.std_error, got.ci_low, got.n) == (75.0, None, None, 1)


def test_a_lonely_stratum_still_gives_an_interval() -> None:
    got = weighted_index(np.array([60.0, 70, 80, 90]), np.ones(4), ["A", "A", "A", "B"])
    assert got.std_error is not None and got.std_error > 0


def test_weighted_index_returns_plain_floats() -> None:
    got = weighted_index(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    assert type(got.value) is float and type(got.std_error) is float


@pytest.mark.parametrize(
    ("scores", "weights"),
    [([], []), ([1.0, 2.0], [1.0]), ([1.0, math.nan], [1.0, 1.0]), ([1.0, 2.0], [1.0, 0.0])],
)
def test_weighted_index_refuses_bad_data(scores: list[float], weights: list[float]) -> None:
    with pytest.raises(InvalidInput):
        weighted_index(np.array(scores), np.array(weights))
