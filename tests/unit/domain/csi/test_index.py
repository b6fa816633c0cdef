"""The satisfaction index (ACSI) and the regulator's grading scale."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from careloop.domain.csi.index import (
    DEFAULT_CSI_SCALE,
    Grade,
    acsi_index,
    grade_csi,
    index_weights,
    satisfaction_index,
    satisfaction_indices,
)
from careloop.domain.csi.model import Block, PathModel
from careloop.domain.csi.pls import OuterEstimate, PathEstimate, PlsEstimate
from careloop.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("index", "code"),
    [
        (100.0, "very_satisfied"),
        (90.0, "very_satisfied"),
        (89.99, "satisfied"),
        (80.0, "satisfied"),
        (79.99, "fairly_satisfied"),
        (60.0, "average"),
        (50.0, "not_very_satisfied"),
        (49.99, "dissatisfied"),
        (30.0, "dissatisfied"),
        (29.99, "very_dissatisfied"),
        (0.0, "very_dissatisfied"),
    ],
)
def test_csi_grade_boundaries(index: float, code: str) -> None:
    assert grade_csi(index).code == code


def test_csi_grade_labels_in_both_languages() -> None:
    grade = grade_csi(90.0)
    assert (grade.label_zh, grade.label_en) == ("很满意", "very satisfied")
    assert len(DEFAULT_CSI_SCALE) == 7


def test_csi_grade_scale_is_configurable() -> None:
    scale = [Grade(0.0, "fail", "不合格", "fail"), Grade(60.0, "pass", "合格", "pass")]
    assert grade_csi(59.99, scale).code == "fail"
    assert grade_csi(60.0, scale).code == "pass"


def test_csi_grade_refuses_out_of_range() -> None:
    with pytest.raises(InvalidInput):
        grade_csi(100.5)
    with pytest.raises(InvalidInput):
        grade_csi(-1.0)


def test_acsi_index_formula() -> None:
    # means 8.2, 7.3, 9.1 → (x̄ − 1) ÷ 9 = 0.8, 0.7, 0.9
    # weights 0.5, 0.3, 0.2 → 0.40 + 0.21 + 0.18 = 0.79 → 79.0
    assert acsi_index([8.2, 7.3, 9.1], [0.5, 0.3, 0.2]) == pytest.approx(79.0)
    # weights 5, 3, 2 normalise to the same
    assert acsi_index([8.2, 7.3, 9.1], [5, 3, 2]) == pytest.approx(79.0)
    # equal weights: (0.8 + 0.7 + 0.9) ÷ 3 = 0.8 → 80.0
    assert acsi_index([8.2, 7.3, 9.1]) == pytest.approx(80.0)
    assert acsi_index([10.0, 10.0]) == pytest.approx(100.0)
    assert acsi_index([1.0]) == pytest.approx(0.0)


def test_acsi_index_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        acsi_index([])
    with pytest.raises(InvalidInput):
        acsi_index([5.0, 6.0], [1.0])
    with pytest.raises(InvalidInput):
        acsi_index([11.0])
    with pytest.raises(InvalidInput):
        acsi_index([5.0], [0.0])


# The index of a PLS estimate: an estimate is built by hand so that the weights are known.
def _estimate(weights: list[float], sds: list[float], *, standardised: bool = True) -> PlsEstimate:
    items = tuple(f"CUSA{i}" for i in range(1, len(weights) + 1))
    model = PathModel(
        (Block("Satisfaction", items), Block("Loyalty", ("CUSL1",))),
        (("Satisfaction", "Loyalty"),),
        standardised=standardised,
        index_latents=("Satisfaction",),
    )
    satisfaction = [
        OuterEstimate(item, "Satisfaction", w, 0.8, 0.64, 0.0)
        for item, w in zip(items, weights, strict=True)
    ]
    outer = (*satisfaction, OuterEstimate("CUSL1", "Loyalty", 1.0, 1.0, 1.0, 0.25))
    means = dict(zip(items, [7.3, 8.2, 5.5][: len(items)], strict=True)) | {"CUSL1": 6.4}
    return PlsEstimate(
        model=model,
        n=100,
        iterations=5,
        outer=outer,
        paths=(PathEstimate("Satisfaction", "Loyalty", 0.5),),
        r_squared={"Loyalty": 0.25},
        quality=(),
        gof=0.5,
        scores=np.zeros((100, 2)),
        item_means=means,
        item_sds=dict(zip(items, sds, strict=True)) | {"CUSL1": 2.0},
    )


def test_index_weights_act_on_raw_items_as_weight_over_sd() -> None:
    # 0.6 / 2 = 0.3 and 0.5 / 1 = 0.5 → normalised 0.375 and 0.625
    weights = index_weights(_estimate([0.6, 0.5], [2.0, 1.0]), "Satisfaction")
    assert weights == pytest.approx({"CUSA1": 0.375, "CUSA2": 0.625})


def test_satisfaction_index_by_hand() -> None:
    # (7.3 − 1)/9 = 0.7 and (8.2 − 1)/9 = 0.8 → 0.375·0.7 + 0.625·0.8 = 0.7625
    estimate = _estimate([0.6, 0.5], [2.0, 1.0])
    assert satisfaction_index(estimate, "Satisfaction") == pytest.approx(76.25)


def test_an_unstandardised_model_uses_its_weights_as_they_are() -> None:
    # 0.6 and 0.5 normalise to 6/11 and 5/11 → (6·0.7 + 5·0.8)/11 = 8.2/11
    estimate = _estimate([0.6, 0.5], [2.0, 1.0], standardised=False)
    assert satisfaction_index(estimate, "Satisfaction") == pytest.approx(820 / 11)


def test_a_negative_weight_counts_zero_in_the_index() -> None:
    # CUSA3 (−0.2) is left out: the same 76.25 as without it
    estimate = _estimate([0.6, 0.5, -0.2], [2.0, 1.0, 1.0])
    assert index_weights(estimate, "Satisfaction")["CUSA3"] == 0.0
    assert satisfaction_index(estimate, "Satisfaction") == pytest.approx(76.25)


def test_a_block_without_a_positive_weight_has_no_index() -> None:
    with pytest.raises(InvalidInput):
        satisfaction_index(_estimate([-0.6, -0.5], [2.0, 1.0]), "Satisfaction")


def test_a_stratums_means_replace_the_estimates_own() -> None:
    # the same weights on other means: 0.375·(5.5 − 1)/9 + 0.625·(10 − 1)/9 = 0.1875 + 0.625
    estimate = _estimate([0.6, 0.5], [2.0, 1.0])
    stratum = {"CUSA1": 5.5, "CUSA2": 10.0}
    assert satisfaction_index(estimate, "Satisfaction", item_means=stratum) == pytest.approx(81.25)
    with pytest.raises(InvalidInput):
        satisfaction_index(estimate, "Satisfaction", item_means={"CUSA1": 5.5})


def test_satisfaction_indices_cover_the_models_index_latents() -> None:
    estimate = _estimate([0.6, 0.5], [2.0, 1.0])
    assert satisfaction_indices(estimate) == pytest.approx({"Satisfaction": 76.25})
    everything = replace(estimate, model=replace(estimate.model, index_latents=()))
    # Loyalty: one item, mean 6.4 → (6.4 − 1)/9 = 0.6
    assert satisfaction_indices(everything) == pytest.approx(
        {"Satisfaction": 76.25, "Loyalty": 60.0}
    )
