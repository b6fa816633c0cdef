"""Early warning: a cell's complaints rising against its own baseline (DOMAIN.md §5)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from careloop.domain.early_warning import (
    DEFAULT_ALPHA,
    assess_rise,
    detect_rises,
    expected_false_alarms,
)

# About one complaint a day for 35 days (34 in total), with the usual day-to-day noise.
QUIET = [1, 0, 2, 1, 1, 0, 1, 2, 1, 1, 0, 1, 1, 2, 1, 0, 1, 1, 2, 1, 1, 0, 1, 1, 2, 1, 0, 1]
QUIET += [1, 1, 0, 2, 1, 1, 1]
CELL = ("billing", "gz", "broadband")


def test_burst_of_40_in_a_cell_of_about_one_a_day_is_flagged() -> None:
    flags = detect_rises({CELL: [*QUIET, 40], "other": [*QUIET, 1]})
    day = [f for f in flags if f.window == "day"]
    assert len(day) == 1
    flag = day[0]
    assert flag.cell == CELL
    assert flag.observed == 40
    # baseline = the 28 days before yesterday = QUIET[7:35], which sum to 28 → 1.0 a day
    assert flag.expected == pytest.approx(1.0)
    assert flag.p_value < 1e-20
    assert flag.threshold == DEFAULT_ALPHA
    # the same burst also lifts the last-7-days sum: 40 + the 6 days before it
    assert any(f.window == "week" and f.cell == CELL for f in flags)
    assert all(f.cell == CELL for f in flags)


def test_plain_poisson_test_matches_the_hand_computed_tail() -> None:
    # baseline 2 a day for 28 days; P(X ≥ 9 | λ = 2) = 1 − e⁻² Σ_{k=0..8} 2^k / k!
    #   Σ = 1 + 2 + 2 + 1.3333 + 0.6667 + 0.2667 + 0.0889 + 0.0254 + 0.0063 = 7.3873
    #   e⁻² = 0.135335 → 1 − 0.999763 = 0.000237 < 0.001 → flagged
    # P(X ≥ 8 | λ = 2) = 1 − e⁻² × (7.3873 − 0.0063) = 1 − 0.998904 = 0.0011 ≥ 0.001 → not
    nine = assess_rise([2] * 28 + [9], method="poisson")
    eight = assess_rise([2] * 28 + [8], method="poisson")
    assert nine is not None and eight is not None
    assert nine.p_value == pytest.approx(0.000237, abs=1e-6)
    assert nine.flagged
    assert eight.p_value == pytest.approx(0.0011, abs=1e-4)
    assert not eight.flagged
    assert nine.critical_count == 9
    assert nine.expected == pytest.approx(2.0)


def test_predictive_test_is_more_cautious_than_plain_poisson() -> None:
    # the baseline mean is only estimated from 28 days, so the default test's tail is heavier
    plain = assess_rise([2] * 28 + [9], method="poisson")
    predictive = assess_rise([2] * 28 + [9])
    assert plain is not None and predictive is not None
    assert predictive.p_value > plain.p_value
    assert predictive.method == "predictive"


def test_overdispersed_baseline_widens_the_test() -> None:
    # baseline alternates 0 and 6 (mean 3, variance 9.3): 12 in a day is not unusual for it,
    # although a plain Poisson(3) would call it p ≈ 7e-5
    series = [0, 6] * 14 + [12]
    plain = assess_rise(series, method="poisson")
    widened = assess_rise(series)
    assert plain is not None and widened is not None
    assert plain.flagged
    assert not widened.flagged
    assert widened.p_value > 0.001


def test_minimum_count_keeps_small_numbers_out_of_the_report() -> None:
    # from nothing to 4 is improbable but too small to act on; 5 is the minimum
    four = assess_rise([0] * 28 + [4])
    five = assess_rise([0] * 28 + [5])
    assert four is not None and five is not None
    assert four.p_value < DEFAULT_ALPHA
    assert not four.flagged
    assert five.flagged
    assert detect_rises({"a": [0] * 28 + [2]}) == []


def test_too_short_history_is_not_tested() -> None:
    assert assess_rise([1] * 10 + [40]) is None
    assert detect_rises({"new": [1] * 10 + [40]}) == []
    # a short but sufficient history (14 days) is used as it is
    test = assess_rise([1] * 14 + [40])
    assert test is not None and test.baseline_days == 14 and test.flagged


def test_week_window_catches_a_slow_rise_no_single_day_shows() -> None:
    # 2 a day for 28 days, then 5 a day for a week: each day alone is not significant
    # (critical count on a day is 9), the week's 35 against an expected 14 is
    series = [2] * 28 + [5] * 7
    flags = detect_rises({"slow": series})
    assert [f.window for f in flags] == ["week"]
    assert flags[0].observed == 35
    assert flags[0].expected == pytest.approx(14.0)


def test_flags_come_most_significant_first() -> None:
    flags = detect_rises({"a": [*QUIET, 12], "b": [*QUIET, 40]}, windows=("day",))
    assert [f.cell for f in flags] == ["b", "a"]


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        assess_rise([1] * 28 + [-1])


def test_stable_poisson_cells_flag_no_more_than_alpha_per_cell_day() -> None:
    # 300 cells of Poisson(λ = 2) a day; each of 60 report days tests every cell's latest day
    # and last week: 18 000 cell-days per window. The stated false-alarm rate is alpha per
    # cell-day, so about alpha × 18 000 = 18 false flags are allowed per window; the bound
    # adds three Poisson standard deviations (3 × √18 ≈ 12.7) for the seed's luck.
    rng = np.random.default_rng(20250301)
    cells, history, days = 300, 35, 60
    data = rng.poisson(2.0, size=(cells, history + days)).tolist()
    flagged = {"day": 0, "week": 0}
    for day in range(days):
        series = {cell: data[cell][: history + day + 1] for cell in range(cells)}
        for flag in detect_rises(series):
            flagged[flag.window] += 1
    expected = expected_false_alarms(cells, days, DEFAULT_ALPHA, windows=1)
    bound = expected + 3 * math.sqrt(expected)
    assert expected == pytest.approx(18.0)
    assert flagged["day"] <= bound
    assert flagged["week"] <= bound


def test_expected_false_alarms_states_the_rate_for_the_report() -> None:
    # 5 000 cells × 2 windows × 0.001 = 10 false flags a morning at most, on average
    assert expected_false_alarms(5_000) == pytest.approx(10.0)
