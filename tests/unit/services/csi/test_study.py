"""A study: the model estimated once, the index weighed back per stratum with intervals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from careloop.domain.csi.index import satisfaction_index
from careloop.domain.csi.model import ECSI
from careloop.domain.csi.pls import estimate
from careloop.services.csi.errors import StudyInputError
from careloop.services.csi.study import run_study
from careloop.services.csi.survey import SurveyData, prepare_survey, read_survey_file
from tests.unit.services.csi.synthetic import SHIPPED_CSV

MOBI = Path(__file__).parents[5] / "shared" / "data" / "ecsi-mobi" / "mobi.csv"


@pytest.fixture(scope="module")
def survey() -> SurveyData:
    return prepare_survey(read_survey_file(SHIPPED_CSV), ECSI, weight="weight")


def test_an_unweighted_study_reports_the_engines_index(survey: SurveyData) -> None:
    plain = prepare_survey(read_survey_file(SHIPPED_CSV), ECSI)
    result = run_study(plain, ECSI)
    fit = estimate(plain.values, plain.items, ECSI)
    assert result.index_latents == ("Satisfaction",)
    assert result.index_of("Satisfaction").value == pytest.approx(
        satisfaction_index(fit, "Satisfaction")
    )
    assert result.gof == pytest.approx(fit.gof)
    assert [(p.source, p.target) for p in result.paths] == list(ECSI.paths)


def test_the_weighted_index_uses_the_weighted_item_means(survey: SurveyData) -> None:
    result = run_study(survey, ECSI)
    fit = estimate(survey.values, survey.items, ECSI)
    assert survey.weights is not None
    means = survey.weights @ survey.values / survey.weights.sum()
    expected = satisfaction_index(
        fit, "Satisfaction", item_means=dict(zip(survey.items, means, strict=True))
    )
    row = result.index_of("Satisfaction")
    assert row.value == pytest.approx(expected)
    assert row.ci_low is not None and row.ci_high is not None
    assert row.ci_low < row.value < row.ci_high


def test_every_cell_of_the_design_gets_its_own_index(survey: SurveyData) -> None:
    result = run_study(survey, ECSI)
    assert len(result.strata) == 12
    assert result.strata[0].values == ("移动", "移动业务", "杭州")
    assert all(cell.n == 10 for cell in result.strata)
    assert sum(cell.weight_sum for cell in result.strata) == pytest.approx(
        float(survey.weights.sum())  # type: ignore[union-attr]
    )
    for cell in result.strata:
        row = cell.index[0]
        assert row.std_error is not None and row.std_error > 0
        assert row.grade_zh


def test_margins_rank_the_operators_as_the_data_were_made(survey: SurveyData) -> None:
    result = run_study(survey, ECSI)
    by_operator = {m.values[0]: m.index[0].value for m in result.margins if m.values[0]}
    assert by_operator["移动"] > by_operator["电信"] > by_operator["联通"]
    by_service = {m.values[1]: m.index[0].value for m in result.margins if m.values[1]}
    assert by_service["移动业务"] > by_service["宽带"]


def test_one_stratum_when_none_is_named() -> None:
    plain = prepare_survey(read_survey_file(SHIPPED_CSV), ECSI, strata=[])
    result = run_study(plain, ECSI)
    assert (result.strata, result.margins, result.strata_columns) == ((), (), ())


def test_the_bootstrap_fills_in_errors_and_repeats_with_its_seed(survey: SurveyData) -> None:
    first = run_study(survey, ECSI, resamples=20, seed=7)
    again = run_study(survey, ECSI, resamples=20, seed=7)
    assert first.bootstrap_resamples == 20
    assert all(p.std_error is not None and p.std_error > 0 for p in first.paths)
    assert first.paths == again.paths


def test_a_bootstrap_of_one_resample_is_refused(survey: SurveyData) -> None:
    with pytest.raises(StudyInputError) as caught:
        run_study(survey, ECSI, resamples=1)
    assert caught.value.message().startswith("重抽样次数应为 0（不做）或 2 到 5000 之间")


def test_the_result_is_plain_json(survey: SurveyData) -> None:
    data = run_study(survey, ECSI, resamples=5).as_dict()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again["index"][0]["latent"] == "Satisfaction"
    assert again["strata"][0]["values"] == ["移动", "移动业务", "杭州"]


def test_items_of_the_index_carry_their_normalised_weights(survey: SurveyData) -> None:
    result = run_study(survey, ECSI)
    weights = [o.index_weight for o in result.outer if o.latent == "Satisfaction"]
    assert sum(w for w in weights if w is not None) == pytest.approx(1.0)
    assert all(o.index_weight is None for o in result.outer if o.latent == "Loyalty")


@pytest.mark.skipif(not MOBI.exists(), reason="the shared ECSI mobile data is not here")
def test_the_ecsi_mobile_study_runs_on_the_published_data() -> None:
    data = prepare_survey(read_survey_file(MOBI), ECSI)
    result = run_study(data, ECSI)
    assert (result.n, result.dropped, result.strata_columns) == (250, 0, ())
    assert 0 < result.index_of("Satisfaction").value < 100
    assert np.isclose(
        sum(result.r_squared.values()),
        sum(estimate(data.values, data.items, ECSI).r_squared.values()),
    )


def test_numbers_json_cannot_hold_become_none(survey: SurveyData) -> None:
    from dataclasses import replace

    from careloop.services.csi.study import machine_view

    result = run_study(survey, ECSI)
    odd = replace(result, paths=(replace(result.paths[0], t_value=float("inf")),), gof=math.nan)
    assert odd.as_dict()["paths"][0]["t_value"] is None and odd.as_dict()["gof"] is None
    view = machine_view(odd)
    assert view["paths"][0]["t_value"] is None
    json.dumps(view, allow_nan=False)
