"""Planning the sample from the frame: interviews per stratum for a margin, and a total
shared out with design weights (numbers worked by hand from Cochran's formulas)."""

from __future__ import annotations

import pytest

from careloop.services.csi.errors import StudyInputError
from careloop.services.csi.planning import plan_sample
from careloop.services.csi.survey import survey_table

FRAME = [
    ["operator", "service", "population", "sd"],
    ["移动", "宽带", 6000, 10],
    ["电信", "宽带", 3000, 20],
    ["联通", "宽带", 1000, 30],
]


def test_each_stratum_needs_its_own_sample_for_the_margin() -> None:
    # n₀ = 1.96²·S²/2² = 96.0, 384.1, 864.3; with N: 96.0/(1+96.0/6000) = 94.5 → 95,
    # 384.1/(1+384.1/3000) = 340.5 → 341, 864.3/(1+864.3/1000) = 463.6 → 464.
    plan = plan_sample(survey_table(FRAME), margin=2.0)
    assert [s.needed for s in plan.strata] == [95, 341, 464]
    assert plan.needed == 900
    assert plan.label_columns == ("operator", "service")
    assert plan.strata[0].values == ("移动", "宽带")


def test_a_total_is_shared_by_neyman_with_its_design_weights() -> None:
    # N·S = 60000, 60000, 30000 → 200, 200, 100; weights 6000/200, 3000/200, 1000/100.
    plan = plan_sample(survey_table(FRAME), margin=2.0, total=500, method="neyman")
    assert [s.allocated for s in plan.strata] == [200, 200, 100]
    assert [s.weight for s in plan.strata] == [30.0, 15.0, 10.0]


def test_a_share_is_planned_without_any_spread() -> None:
    # 384.15/(1 + 383.15/6000) = 361.1 → 362.
    frame = [row[:3] for row in FRAME]
    plan = plan_sample(survey_table(frame), margin=0.05, proportion=0.5)
    assert plan.strata[0].needed == 362 and plan.strata[0].sd is None


def test_a_frame_without_population_or_with_a_bad_one_is_refused() -> None:
    with pytest.raises(StudyInputError) as caught:
        plan_sample(survey_table([["operator", "sd"], ["移动", 10]]), margin=2.0)
    assert caught.value.message() == "抽样框缺少总体数量列（population 或 总体）"
    with pytest.raises(StudyInputError) as caught:
        plan_sample(survey_table([FRAME[0], ["移动", "宽带", "很多", 10]]), margin=2.0)
    assert caught.value.message() == "第 2 行的总体数量应为正整数，收到「很多」"
    with pytest.raises(StudyInputError) as caught:
        plan_sample(survey_table([FRAME[0], FRAME[1], FRAME[1]]), margin=2.0)
    assert caught.value.message() == "分层「移动 × 宽带」出现了两次"
