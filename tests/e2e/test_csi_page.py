"""The CSI study page in a real browser: a supervisor uploads a small survey, sees the
strata, the path diagram and the index with its grade per stratum, downloads the reports,
and finds the study among the past ones; a miscoded file is refused in words."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from careloop.domain.csi.index import grade_csi
from careloop.domain.csi.model import ECSI
from careloop.services.csi.study import run_study
from careloop.services.csi.survey import prepare_survey, read_survey_file
from tests.conftest import TEST_PASSWORD, LiveServer
from tests.e2e.test_accessibility import _violations
from tests.unit.services.csi.synthetic import write_survey

pytestmark = pytest.mark.e2e


def _login(browser: Any, server: LiveServer, width: int = 1280) -> Any:
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": 900}, locale="zh-CN",
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "super1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    return page


def test_a_supervisor_runs_a_study_and_reads_index_and_grade(
    browser: Any, server: LiveServer, tmp_path: Path
) -> None:
    survey = write_survey(tmp_path / "survey.csv", n=48, seed=11)
    expected = run_study(
        prepare_survey(read_survey_file(survey), ECSI, weight="weight"), ECSI
    )  # what the page must show, computed by the same services
    index = expected.index_of("Satisfaction").value
    page = _login(browser, server)
    page.goto("/csi")
    assert page.inner_text("h1") == "用户满意度指数测评"
    page.fill("#csi-title", "2026 年度测评")
    page.set_input_files("#csi-data", str(survey))
    page.fill("#csi-weight", "weight")
    page.fill("#csi-bootstrap", "0")
    page.click("button:has-text('开始测评')")
    page.wait_for_url(re.compile(r"/csi/studies/\d+$"))

    assert page.inner_text("h1") == "2026 年度测评"
    assert page.inner_text('[data-testid="csi-strata"]') == "分层：运营商、业务、地区"
    card = page.locator('.card .v[data-latent="Satisfaction"]')
    assert card.inner_text() == f"{index:.1f}"
    assert grade_csi(index).label_zh in page.inner_text(".cards")
    assert page.locator("svg.csi-diagram ellipse").count() == len(ECSI.latents)
    assert "由 周督导 测评" in page.inner_text("main")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    assert _violations(axe, page) == []
    first = expected.strata[0]
    row = page.locator("tr", has_text=f"{first.index[0].value:.1f}").first.inner_text()
    assert "移动" in row and first.index[0].grade_zh in row

    with page.expect_download() as got:
        page.click("text=下载 Excel 报告")
    book = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert book.sheetnames[-1] == "分层指数"

    page.click("text=← 返回测评列表")
    listed = page.inner_text('[data-testid="csi-studies"]')
    assert "2026 年度测评" in listed and f"{index:.1f}" in listed and "周督导" in listed
    page.context.close()


def test_a_miscoded_survey_is_refused_in_words_on_a_phone(
    browser: Any, server: LiveServer, tmp_path: Path
) -> None:
    survey = write_survey(tmp_path / "survey.csv", n=24, seed=5)
    lines = survey.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",15"
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = _login(browser, server, width=390)
    page.goto("/csi")
    fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the study form is wider than the phone"
    page.set_input_files("#csi-data", str(survey))
    page.fill("#csi-bootstrap", "0")
    page.click("button:has-text('开始测评')")
    page.wait_for_load_state()
    error = page.inner_text('[data-testid="csi-error"]')
    assert error == "题项得分超出 1–10 分：第 3 行「CUSL3」为「15」"
    assert page.input_value("#csi-bootstrap") == "0"
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    assert _violations(axe, page) == []
    page.context.close()
