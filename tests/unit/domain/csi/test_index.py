"""The satisfaction index (ACSI) and the regulator's grading scale."""

from __future__ import annotations

import pytest

from careloop.domain.csi.index import DEFAULT_CSI_SCALE, Grade, acsi_index, grade_csi
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
