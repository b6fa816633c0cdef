"""The CSI study's report: the HTML page with its path diagram, and the Excel workbook."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from careloop.domain.csi.model import ECSI
from careloop.reports.csi import to_html, to_xlsx
from careloop.reports.csi_diagram import layout, path_diagram
from careloop.services.csi.study import StudyResult, run_study
from careloop.services.csi.survey import prepare_survey, read_survey_file
from tests.unit.services.csi.synthetic import SHIPPED_CSV


@pytest.fixture(scope="module")
def result() -> StudyResult:
    survey = prepare_survey(read_survey_file(SHIPPED_CSV), ECSI, weight="weight")
    return run_study(survey, ECSI, resamples=5, seed=3, source="survey.csv")


def test_the_diagram_draws_one_oval_per_latent_and_one_arrow_per_path(result: StudyResult) -> None:
    svg = path_diagram(result)
    assert svg.count("<ellipse") == len(ECSI.latents)
    assert svg.count('marker-end="url(#csi-arrow)"') == len(ECSI.paths)
    for p in result.paths:
        assert f">{p.estimate:.3f}</text>" in svg
    assert f"R² = {result.r_squared['Satisfaction']:.3f}" in svg
    assert "顾客满意" in svg and 'role="img"' in svg


def test_every_arrow_of_the_layout_points_right() -> None:
    nodes = layout(ECSI.latents, ECSI.paths)
    assert all(nodes[a].x < nodes[b].x for a, b in ECSI.paths)


def test_the_html_report_shows_index_grade_and_strata_in_chinese(result: StudyResult) -> None:
    html = to_html(result).decode()
    row = result.index_of("Satisfaction")
    assert '<html lang="zh-CN">' in html
    assert f">{row.value:.1f}</div>" in html and row.grade_zh in html
    assert "顾客满意指数" in html and "分层满意度指数" in html and "运营商" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_the_html_report_speaks_english_when_asked(result: StudyResult) -> None:
    html = to_html(result, "en").decode()
    assert '<html lang="en">' in html and "Customer satisfaction index" in html
    assert not re.search(r"[\u4e00-\u9fff]", html.replace("移动", "").replace("电信", "")
                         .replace("联通", "").replace("宽带", "").replace("杭州", "")
                         .replace("宁波", "").replace("业务", ""))  # fmt: skip


def test_the_workbook_keeps_numbers_as_numbers(result: StudyResult) -> None:
    book = load_workbook(io.BytesIO(to_xlsx(result)))
    assert book.sheetnames == ["概要", "路径系数", "测量模型", "测量质量", "分层指数"]
    paths = book["路径系数"]
    assert [c.value for c in paths[1]][:3] == ["起点", "终点", "系数"]
    assert paths.cell(2, 3).value == pytest.approx(result.paths[0].estimate)
    assert paths.cell(2, 3).number_format == "0.000"
    strata = book["分层指数"]
    header = [c.value for c in strata[1]]
    assert header[:4] == ["运营商", "业务", "地区", "潜变量"]
    assert strata.cell(2, 1).value == "总体"
    assert strata.cell(2, 7).value == pytest.approx(result.index[0].value)
    assert strata.cell(3, 1).value == "移动" and isinstance(strata.cell(3, 5).value, int)


def test_stratum_text_that_looks_like_a_formula_stays_text(result: StudyResult) -> None:
    from dataclasses import replace

    first = replace(result.strata[0], values=("=1+1", "宽带", "杭州"))
    book = load_workbook(io.BytesIO(to_xlsx(replace(result, strata=(first,), margins=()))))
    assert book["分层指数"].cell(3, 1).value == "'=1+1"
