"""Bootstrap errors: reproducible with a seed, of the right size, and sign-safe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from careloop.domain.csi.bootstrap import _aligned, bootstrap
from careloop.domain.csi.model import Block, PathModel
from careloop.domain.csi.pls import PlsNumbers, estimate
from careloop.domain.errors import InvalidInput
from tests.unit.domain.csi.simulated import COLUMNS, MODEL, simulate

PAIR = PathModel((Block("X", ("x",)), Block("Y", ("y",))), (("X", "Y"),))


def test_the_same_seed_gives_the_same_errors_and_another_seed_others() -> None:
    data = simulate(120, seed=7)
    first = bootstrap(data, COLUMNS, MODEL, resamples=25, seed=1)
    again = bootstrap(data, COLUMNS, MODEL, resamples=25, seed=1)
    other = bootstrap(data, COLUMNS, MODEL, resamples=25, seed=2)
    assert first.paths == again.paths and first.outer == again.outer
    assert first.paths != other.paths
    assert first.bootstrap_resamples == 25


def test_the_path_error_is_near_the_analytic_error_of_a_correlation() -> None:
    """One item per latent: the path is the correlation r, whose standard error under
    bivariate normality is (1 − ρ²)/√n (Fisher 1915; e.g. Stuart & Ord, Kendall's Advanced
    Theory of Statistics, §16.24): ρ = 0.5, n = 400 → 0.0375. 200 resamples estimate an
    sd to within about 1/√(2·199) = 5 % (one sd), so the bootstrap SE must lie within
    20 % of it."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=400)
    y = 0.5 * x + math.sqrt(1 - 0.25) * rng.normal(size=400)
    result = bootstrap(np.column_stack([x, y]), ["x", "y"], PAIR, resamples=200, seed=3)
    path = result.path("X", "Y")
    assert path.std_error == pytest.approx(0.75 / math.sqrt(400), rel=0.2)
    assert path.t_value == pytest.approx(path.estimate / path.std_error)


def test_intervals_contain_the_estimates() -> None:
    result = bootstrap(simulate(150, seed=8), COLUMNS, MODEL, resamples=60, seed=4)
    for path in result.paths:
        assert path.ci_low is not None and path.ci_high is not None
        assert path.ci_low <= path.estimate <= path.ci_high
    for outer in result.outer:
        assert outer.loading_ci is not None and outer.weight_ci is not None
        assert outer.loading_ci[0] <= outer.loading <= outer.loading_ci[1]
        assert outer.weight_ci[0] <= outer.weight <= outer.weight_ci[1]
        assert outer.loading_se is not None and outer.loading_se > 0


def test_the_full_sample_estimate_is_kept_unchanged() -> None:
    data = simulate(150, seed=8)
    plain = estimate(data, COLUMNS, MODEL)
    result = bootstrap(data, COLUMNS, MODEL, resamples=20, seed=4)
    assert [p.estimate for p in result.paths] == [p.estimate for p in plain.paths]
    assert [o.weight for o in result.outer] == [o.weight for o in plain.outer]
    assert plain.bootstrap_resamples == 0 and plain.paths[0].std_error is None


def test_a_mirrored_resample_is_turned_back_before_pooling() -> None:
    full = estimate(simulate(150, seed=8), COLUMNS, MODEL)
    weights = np.array([o.weight for o in full.outer])
    loadings = np.array([o.loading for o in full.outer])
    paths = np.array([p.estimate for p in full.paths])
    mirrored = weights.copy(), loadings.copy()
    mirrored[0][6:12] *= -1  # the block of Eta1 came out with the opposite sign
    mirrored[1][6:12] *= -1
    # paths Xi→Eta1 and Eta1→Eta2 change sign with it, Xi→Eta2 does not
    sample = PlsNumbers(mirrored[0], mirrored[1], paths * np.array([-1.0, 1.0, -1.0]))
    turned = _aligned(full, sample)
    assert turned.weights == pytest.approx(weights)
    assert turned.loadings == pytest.approx(loadings)
    assert turned.paths == pytest.approx(paths)


def test_resamples_that_cannot_be_estimated_are_skipped_and_counted() -> None:
    # y is 0 but for one respondent: a resample that misses that row (chance (29/30)³⁰ ≈ 36 %)
    # has an item with a single answer and cannot be estimated.
    rng = np.random.default_rng(5)
    x = rng.normal(size=30)
    y = np.zeros(30)
    y[0] = 1.0
    result = bootstrap(np.column_stack([x, y]), ["x", "y"], PAIR, resamples=50, seed=6)
    assert 10 < result.bootstrap_resamples < 50


def test_bad_resample_counts_and_levels_are_refused() -> None:
    data = simulate(60, seed=1)
    with pytest.raises(InvalidInput, match="at least 2"):
        bootstrap(data, COLUMNS, MODEL, resamples=1)
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        bootstrap(data, COLUMNS, MODEL, resamples=10, level=95)
