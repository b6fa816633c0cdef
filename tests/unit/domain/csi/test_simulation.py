"""PLS-PM recovers a known model from 2 000 simulated respondents (tests/unit/domain/csi/
simulated.py: three latents, six items each with loadings 0.85–0.95, paths 0.6, 0.3, 0.4).

Tolerances, and why: PLS estimates a common-factor model only "consistently at large"
(Wold 1982; Dijkstra & Henseler 2015): each latent score is a weighted sum of items that
still carries their error, so loadings are inflated and paths attenuated. With these
loadings the composite reliability is (Σλ)² / ((Σλ)² + Σ(1 − λ²)) = 0.966, which moves a
loading by up to about 0.04 and a path by up to about 0.03; the sampling sd of a path with
n = 2 000 is about 0.02. Loadings must therefore lie within 0.05 of the truth and paths
within 0.08 (bias + 2.5 sd); across seeds 2026–2035 the largest errors were 0.041 and 0.061.
Swapping two paths or loadings would miss by 0.1 or more, so the check can fail.
"""

from __future__ import annotations

import pytest

from careloop.domain.csi.pls import estimate
from tests.unit.domain.csi.simulated import COLUMNS, LOADINGS, MODEL, PATHS, simulate

LOADING_TOLERANCE = 0.05
PATH_TOLERANCE = 0.08


def test_loadings_of_a_known_model_are_recovered() -> None:
    result = estimate(simulate(2000, seed=2026), COLUMNS, MODEL)
    for position, outer in enumerate(result.outer):
        truth = LOADINGS[position % 6]
        assert outer.loading == pytest.approx(truth, abs=LOADING_TOLERANCE), outer.item


def test_path_coefficients_of_a_known_model_are_recovered() -> None:
    result = estimate(simulate(2000, seed=2026), COLUMNS, MODEL)
    for (source, target), truth in PATHS.items():
        estimated = result.path(source, target).estimate
        assert estimated == pytest.approx(truth, abs=PATH_TOLERANCE), (source, target)


def test_explained_variance_of_a_known_model_is_recovered() -> None:
    result = estimate(simulate(2000, seed=2026), COLUMNS, MODEL)
    # true R²: η₁ 0.6² = 0.36; η₂ 0.3² + 0.4² + 2·0.3·0.4·0.6 = 0.394
    assert result.r_squared["Eta1"] == pytest.approx(0.36, abs=PATH_TOLERANCE)
    assert result.r_squared["Eta2"] == pytest.approx(0.394, abs=PATH_TOLERANCE)
