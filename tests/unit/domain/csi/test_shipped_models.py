"""The shipped ECSI and ACSI models run end to end on the ECSI mobile-phone survey."""

from __future__ import annotations

import pytest

from careloop.domain.csi.bootstrap import bootstrap
from careloop.domain.csi.index import grade_csi, index_weights, satisfaction_indices
from careloop.domain.csi.model import ACSI, ECSI, PathModel
from careloop.domain.csi.pls import estimate
from tests.unit.domain.csi.mobi import mobi


@pytest.mark.parametrize("model", [ECSI, ACSI], ids=["ecsi", "acsi"])
def test_a_shipped_model_gives_a_satisfaction_index_and_grade(model: PathModel) -> None:
    data, columns = mobi()
    result = estimate(data, columns, model)
    assert len(result.paths) == len(model.paths)
    assert set(result.r_squared) == set(model.endogenous)
    assert result.scores.shape == (250, len(model.latents))
    indices = satisfaction_indices(result)
    assert list(indices) == ["Satisfaction"]
    # the weights on the raw items: positive here (all mode A), summing to 1
    weights = index_weights(result, "Satisfaction")
    assert all(w > 0 for w in weights.values()) and sum(weights.values()) == pytest.approx(1.0)
    # the index lies between the lowest and highest rescaled item mean
    rescaled = [(result.item_means[i] - 1) / 9 * 100 for i in weights]
    assert min(rescaled) <= indices["Satisfaction"] <= max(rescaled)
    assert grade_csi(indices["Satisfaction"]).code == "fairly_satisfied"


def test_the_shipped_ecsi_model_bootstraps_every_path() -> None:
    data, columns = mobi()
    result = bootstrap(data, columns, ECSI, resamples=30, seed=2026)
    assert result.bootstrap_resamples == 30
    for path in result.paths:
        assert path.std_error is not None and 0 < path.std_error < 0.2
