"""Reading a survey: complete rows kept, incomplete ones counted, miscoded ones refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from careloop.domain.csi.model import ECSI
from careloop.services.csi.errors import StudyInputError
from careloop.services.csi.survey import prepare_survey, read_survey_file, survey_table
from tests.unit.services.csi.synthetic import HEADER, SHIPPED_CSV, synthetic_rows, write_survey


def _table(rows: list[list[object]], header: tuple[str, ...] = HEADER):  # type: ignore[no-untyped-def]
    return survey_table([list(header), *rows])


def said(action: Callable[[], object]) -> str:
    """The Chinese words of the refusal ``action`` meets."""
    with pytest.raises(StudyInputError) as caught:
        action()
    return caught.value.message()


def test_the_shipped_survey_is_the_synthetic_one(tmp_path: Path) -> None:
    again = write_survey(tmp_path / "again.csv")
    assert again.read_bytes() == SHIPPED_CSV.read_bytes()


def test_a_complete_survey_keeps_every_row_and_finds_the_standard_strata() -> None:
    data = prepare_survey(read_survey_file(SHIPPED_CSV), ECSI, weight="weight")
    assert (data.n, data.read, data.dropped) == (120, 120, 0)
    assert data.strata_columns == ("operator", "service", "region")
    assert data.strata[0] == ("移动", "移动业务", "杭州")
    assert data.values.shape == (120, 24)
    assert data.weights is not None and data.weights[0] == pytest.approx(300.0)


def test_an_xlsx_survey_reads_like_its_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADER))
    for row in synthetic_rows(30):
        sheet.append(row)
    book.save(tmp_path / "survey.xlsx")
    data = prepare_survey(read_survey_file(tmp_path / "survey.xlsx"), ECSI)
    assert data.n == 30
    assert data.values[0].tolist() == [float(v) for v in synthetic_rows(30)[0][4:]]  # type: ignore[arg-type]


def test_incomplete_rows_are_dropped_and_counted() -> None:
    rows = synthetic_rows(40)
    rows[3][10] = ""  # an item left blank
    rows[7][0] = ""  # no operator
    rows[9][12] = "NA"
    data = prepare_survey(_table(rows), ECSI)
    assert (data.n, data.dropped, data.dropped_lines) == (37, 3, (5, 9, 11))


def test_naming_no_strata_makes_one_stratum() -> None:
    data = prepare_survey(_table(synthetic_rows(20)), ECSI, strata=[])
    assert data.strata_columns == ()
    assert set(data.strata) == {()}


def test_strata_columns_are_found_whatever_their_case() -> None:
    data = prepare_survey(_table(synthetic_rows(20)), ECSI, strata=["Operator"])
    assert data.strata_columns == ("operator",)


def test_a_score_outside_one_to_ten_is_refused_with_its_line_and_column() -> None:
    rows = synthetic_rows(20)
    rows[0][4] = 11
    rows[5][6] = 0
    with pytest.raises(StudyInputError) as caught:
        prepare_survey(_table(rows), ECSI)
    assert caught.value.message() == (
        "题项得分超出 1–10 分：第 2 行「IMAG1」为「11」；第 7 行「IMAG3」为「0」"
    )
    assert caught.value.message("en") == (
        "item scores must lie within 1–10: line 2, column 'IMAG1': '11'; "
        "line 7, column 'IMAG3': '0'"
    )


def test_a_score_that_is_not_a_number_is_refused() -> None:
    rows = synthetic_rows(20)
    rows[1][5] = "很好"
    assert "第 3 行「IMAG2」为「很好」" in said(lambda: prepare_survey(_table(rows), ECSI))


def test_missing_item_columns_are_named_with_what_they_measure() -> None:
    header = tuple(h for h in HEADER if h != "CUSA2")
    rows = [r[: HEADER.index("CUSA2")] + r[HEADER.index("CUSA2") + 1 :] for r in synthetic_rows(20)]
    with pytest.raises(StudyInputError) as caught:
        prepare_survey(_table(rows, header), ECSI)
    assert caught.value.message() == "文件缺少模型需要的题项列：CUSA2（顾客满意）"
    assert "CUSA2 (customer satisfaction)" in caught.value.message("en")


def test_an_unknown_strata_or_weight_column_is_refused() -> None:
    assert "没有分层列：city" in said(
        lambda: prepare_survey(_table(synthetic_rows(20)), ECSI, strata=["city"])
    )
    assert "没有权重列「w2」" in said(
        lambda: prepare_survey(_table(synthetic_rows(20)), ECSI, weight="w2")
    )


def test_a_weight_that_is_not_positive_is_refused() -> None:
    rows = synthetic_rows(20)
    rows[2][3] = -1
    assert "权重应为大于 0 的数：第 4 行" in said(
        lambda: prepare_survey(_table(rows), ECSI, weight="weight")
    )


def test_too_few_complete_responses_are_refused() -> None:
    assert "完整的答卷只有 5 份" in said(lambda: prepare_survey(_table(synthetic_rows(5)), ECSI))


def test_an_empty_file_and_a_doubled_header_are_refused() -> None:
    assert "文件是空的" in said(lambda: survey_table([]))
    assert "重复的列名：IMAG1" in said(lambda: survey_table([["IMAG1", "IMAG1"]]))


def test_an_unnamed_row_number_column_is_ignored() -> None:
    rows = [[str(i), *r] for i, r in enumerate(synthetic_rows(20), start=1)]
    data = prepare_survey(_table(rows, ("", *HEADER)), ECSI)
    assert data.n == 20
