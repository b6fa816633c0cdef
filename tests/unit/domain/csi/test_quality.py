"""Every quality measure on small examples worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from careloop.domain.csi import quality
from careloop.domain.csi.model import Block, PathModel
from careloop.domain.csi.pls import estimate

# Two items with equal variance: x₁ = 1..5, x₂ a permutation of it.
# deviations x₁: −2 −1 0 1 2, x₂: −1 −2 1 0 2 → cov = 8/4 = 2, var = 10/4 = 2.5, r = 0.8.
X1 = [1.0, 2.0, 3.0, 4.0, 5.0]
X2 = [2.0, 1.0, 4.0, 3.0, 5.0]


def test_communality_is_the_mean_squared_loading() -> None:
    assert quality.communality([0.8, 0.6]) == pytest.approx((0.64 + 0.36) / 2)


def test_redundancy_is_communality_times_r_squared() -> None:
    assert quality.redundancy([0.8, 0.6], 0.4) == pytest.approx(0.5 * 0.4)


def test_cronbach_alpha_by_hand() -> None:
    # sum x₁ + x₂ = 3 3 7 7 10: var = (9 + 9 + 1 + 1 + 16) / 4 = 9
    # α = 2 / 1 · (1 − (2.5 + 2.5) / 9) = 8/9
    items = np.column_stack([X1, X2])
    assert quality.cronbach_alpha(items) == pytest.approx(8 / 9)


def test_dillon_goldstein_rho_by_hand() -> None:
    # (0.8 + 0.6)² = 1.96; Σ(1 − λ²) = 0.36 + 0.64 = 1.0 → 1.96 / 2.96
    assert quality.dillon_goldstein_rho([0.8, 0.6]) == pytest.approx(1.96 / 2.96)


def test_average_variance_extracted_by_hand() -> None:
    # Σλ² = 0.81 + 0.49 = 1.30; Σ(1 − λ²) = 0.70 → 1.30 / 2.00
    assert quality.average_variance_extracted([0.9, 0.7]) == pytest.approx(0.65)


def test_gof_leaves_out_single_item_blocks() -> None:
    # communalities of multi-item blocks: 0.64 0.36 0.81 0.49 0.25 → mean 0.51
    # mean R² (0.25 + 0.36) / 2 = 0.305 → GoF = √(0.51 · 0.305)
    blocks = [[0.8, 0.6], [0.9, 0.7, 0.5], [1.0]]
    assert quality.goodness_of_fit(blocks, [0.25, 0.36]) == pytest.approx(math.sqrt(0.15555))
    assert math.isnan(quality.goodness_of_fit([[1.0]], [0.5]))


def test_single_items_give_the_correlation_as_path_and_its_square_as_r_squared() -> None:
    # one item per latent: the scores are the standardised items, the path is r = 0.8
    model = PathModel((Block("X", ("x",)), Block("Y", ("y",))), (("X", "Y"),))
    result = estimate(np.column_stack([X1, X2]), ["x", "y"], model)
    assert result.path("X", "Y").estimate == pytest.approx(0.8)
    assert result.r_squared == pytest.approx({"Y": 0.64})
    y = result.outer_of("Y")[0]
    assert (y.weight, y.loading, y.communality, y.redundancy) == pytest.approx((1, 1, 1, 0.64))
    assert result.quality[1].redundancy == pytest.approx(0.64)
    # X explains nothing upstream of it: no R², so no redundancy (not a redundancy of 0)
    assert result.outer_of("X")[0].redundancy is None
    assert result.quality[0].cronbach_alpha is None  # one item: no reliability to speak of


def test_block_quality_of_a_two_item_block_by_hand() -> None:
    # block X = (x₁, x₂), r = 0.8; Y a single item. Mode A weights ∝ cov(x, Y): whatever Y,
    # the two standardised items are symmetric only if their covariances with Y are equal,
    # so take Y = x₁ + x₂: then w₁ = w₂ and the score is (z₁ + z₂) / √(2 + 2·0.8); each
    # loading is (1 + 0.8) / √3.6 = √0.9.
    y = [a + b for a, b in zip(X1, X2, strict=True)]
    model = PathModel((Block("X", ("x1", "x2")), Block("Y", ("y",))), (("X", "Y"),))
    result = estimate(np.column_stack([X1, X2, y]), ["x1", "x2", "y"], model)
    block = result.quality[0]
    assert [o.loading for o in result.outer_of("X")] == pytest.approx([math.sqrt(0.9)] * 2)
    assert block.communality == pytest.approx(0.9)
    assert block.ave == pytest.approx(0.9)
    assert block.cronbach_alpha == pytest.approx(8 / 9)
    # DG ρ = (2√0.9)² / ((2√0.9)² + 2·0.1) = 3.6 / 3.8
    assert block.dillon_goldstein_rho == pytest.approx(3.6 / 3.8)
    assert result.path("X", "Y").estimate == pytest.approx(1.0)
    assert result.gof == pytest.approx(math.sqrt(0.9 * 1.0))


def test_formative_blocks_report_no_reflective_reliability() -> None:
    model = PathModel((Block("X", ("x1", "x2"), "B"), Block("Y", ("y",))), (("X", "Y"),))
    rng = np.random.default_rng(5)
    data = rng.normal(size=(40, 3)) + rng.normal(size=(40, 1))
    block = estimate(data, ["x1", "x2", "y"], model).quality[0]
    assert (block.cronbach_alpha, block.dillon_goldstein_rho, block.ave) == (None, None, None)
    assert block.mode == "B" and block.items == 2
