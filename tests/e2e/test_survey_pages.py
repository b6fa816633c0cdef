"""The survey pages in a real browser on a phone-sized screen (375 px): a supervisor reads
the results worst first, opens the answered surveys behind a unit, fixes a refused template
edit without retyping, and changes the sending rule with the keyboard; every page fits the
screen and axe-core finds nothing serious.

``CARELOOP_SCREENSHOTS=<dir>`` keeps a PNG of each page for a person to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.web.survey_data import answer, closed_complaint, send_surveys

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
BLOCKING = frozenset({"serious", "critical"})


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("CARELOOP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"surveys-{name}.png"), full_page=True)


def _check(page: Any, axe: Any, name: str) -> None:
    assert page.evaluate(FITS), f"{name} is wider than the phone"
    problems = [
        f"{v['impact']} {v['id']}: {v['help']}"
        for v in axe.run(page).response["violations"]
        if v.get("impact") in BLOCKING
    ]
    assert not problems, f"{name}: {problems}"
    _shot(page, name)


def test_a_supervisor_works_the_survey_pages_on_a_phone(
    browser: Any, app: Any, server: LiveServer, api: Api, clock: MovableClock
):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    good = closed_complaint(api, "agent1", "13900000201", unit="C1-K1-NET")
    poor = closed_complaint(api, "agent1", "13900000202", unit="C1-K2-NET")
    tokens = send_surveys(app, clock, [good["id"], poor["id"]])
    answer(app, clock, tokens["13900000201"], result="yes", timeliness="5", attitude="9",
           suggestion="上门很及时，谢谢")  # fmt: skip
    answer(app, clock, tokens["13900000202"], result="no", timeliness="1", attitude="3",
           suggestion="修了三次才好")  # fmt: skip

    context = browser.new_context(base_url=server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "super1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()

    # Results: the menu leads there; the worst unit comes first; its name opens its answers.
    page.click("header nav >> text=满意度调查")
    page.wait_for_url(re.compile(r"/surveys/results$"))
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 2
    assert "西区网络部" in rows.nth(0).inner_text()  # 0 % satisfied before 100 %
    assert "0.0%" in rows.nth(0).inner_text()
    _check(page, axe, "results")
    page.click("table.results >> text=西区网络部")
    page.wait_for_url(re.compile(r"/surveys/results/answers\?"))
    assert "修了三次才好" in page.inner_text("[data-testid=answered]")
    _check(page, axe, "answers")
    page.click("text=返回调查结果")
    page.click("[data-testid=by-agent]")
    assert "王坐席" in page.inner_text("table.results")

    # Templates: a refused edit comes back with what was typed and the reason.
    page.goto("/surveys/templates")
    _check(page, axe, "templates")
    page.click("details.edit-template > summary")
    page.fill("#complaint_closed-q4-zh", "网络质量您打几分？")
    page.press("#complaint_closed-q4-zh", "Tab")
    page.click('button:has-text("保存为新版本")')
    page.wait_for_load_state()
    assert "第 5 个问题的英文不能为空" in page.inner_text("[role=alert]")
    assert page.input_value("#complaint_closed-q4-zh") == "网络质量您打几分？"
    _check(page, axe, "template-refused")
    page.fill("#complaint_closed-q4-en", "How do you score our network?")
    page.click('button:has-text("保存为新版本")')
    page.wait_for_url(re.compile(r"done=survey_template_saved"))
    assert "第 2 版" in page.inner_text("[data-testid=active-version]")
    assert "网络质量您打几分？" in page.inner_text("[data-testid=questions]")

    # Rules: the keyboard opens the global rule, changes the quiet days and saves.
    page.goto("/surveys/rules")
    _check(page, axe, "rules")
    summary = page.locator("#rule-global details > summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.fill("#r-global-quiet", "14")
    page.press("#r-global-quiet", "Enter")
    page.wait_for_url(re.compile(r"done=survey_rule_saved"))
    assert "14 天内不重复调查" in page.inner_text("#rule-global")
    assert "发送规则已保存" in page.inner_text("[role=status]")
    _check(page, axe, "rules-saved")

    # The complaint page says what the customer answered.
    page.goto(f"/complaints/{poor['id']}")
    survey = page.inner_text("[data-testid=complaint-survey]")
    assert "客户已填写" in survey and "不满意" in survey and "修了三次才好" in survey
    _check(page, axe, "complaint")
    context.close()
