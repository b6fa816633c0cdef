"""The rectification and social-supervision pages in a real browser on a phone-sized
screen: a unit sees its task with the deadline in Beijing time and the time left, is
refused when it submits without evidence, submits with evidence by keyboard; the quality
centre fails the re-inspection and the task comes back for a second round. A supervisor
appoints a social supervisor, records a failed observation that opens a task, and the
unit answers it. The pages fit the screen, every control is labelled, no code shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/careloop-shots")
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
UNLABELLED = """() => [...document.querySelectorAll('main input:not([type=hidden]), main select,'
    + ' main textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.name)"""
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:open|closed|submitted|reopened)\b|\d{2}:\d{2}:\d{2}")
"""What must never show: a field or status code, an ISO stamp's seconds."""


def _phone(browser: Any, server: LiveServer, username: str) -> Any:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    return page


def _looks_right(page: Any, name: str) -> None:
    assert page.evaluate(FITS), f"{name} is wider than the phone"
    assert page.evaluate(UNLABELLED) == [], name
    text = page.inner_text("main")
    assert not CODE.findall(text), (name, CODE.findall(text))
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_task_refused_without_evidence_then_failed_on_re_inspection(
    browser: Any, server: LiveServer, api: Api
):
    opened = api.as_("super1").post(
        "/api/v1/rectifications",
        json={
            "source": {"kind": "inspection", "id": 7, "item": "B2"},
            "unit": "C1-K1-NET",
            "title": "营业厅未公示资费标准",
            "detail": "暗访发现东区营业厅资费公示牌缺失",
        },
    )
    assert opened.status_code == 201, opened.text

    unit = _phone(browser, server, "net1")
    unit.click("nav >> text=整改任务")
    unit.wait_for_url(re.compile(r"/rectifications$"))
    row = unit.inner_text("[data-testid=rectifications]")
    assert "营业厅未公示资费标准" in row and "2026-10-10 24:00" in row and "剩余" in row
    _looks_right(unit, "rectification-list")
    unit.click("text=营业厅未公示资费标准")
    unit.wait_for_url(re.compile(r"/rectifications/\d+$"))
    path = unit.url.replace(server.url, "")
    unit.click("button:has-text('开始整改')")
    unit.wait_for_url(re.compile(r"done=rectification_started"))
    assert unit.inner_text("[data-testid=rect-status]") == "整改中"

    unit.fill("#actions-taken", "已补挂资费公示牌")
    unit.click("button:has-text('提交复查')")
    assert "没有整改佐证材料" in unit.inner_text('[role="alert"]')
    assert unit.input_value("#actions-taken") == "已补挂资费公示牌"  # nothing typed is lost
    _looks_right(unit, "rectification-refused")

    unit.focus("#evidence-ref")  # by keyboard: type, Tab on, Enter on the button
    unit.keyboard.type("photo://东区营业厅/公示牌.jpg")
    unit.keyboard.press("Tab")
    unit.keyboard.type("公示牌已挂在入口处")
    unit.keyboard.press("Tab")
    assert unit.evaluate("() => document.activeElement.textContent") == "提交复查"
    unit.keyboard.press("Enter")
    unit.wait_for_url(re.compile(r"done=rectification_submitted"))
    assert unit.inner_text("[data-testid=rect-status]") == "待复查"
    assert "按时提交" in unit.inner_text("[data-testid=rect-remaining]")

    boss = _phone(browser, server, "super1")
    boss.goto(path)
    boss.fill("#fail-reason", "公示内容仍为旧资费")
    boss.click("button:has-text('复查不通过')")
    boss.wait_for_url(re.compile(r"done=rectification_failed"))
    main = boss.inner_text("main")
    assert "复查未通过，重新整改" in main and "第 2 轮" in main
    assert "复查不通过，退回重新整改" in boss.inner_text("[data-testid=rect-trail]")
    _looks_right(boss, "rectification-reopened")


def test_a_social_supervisors_failed_observation_is_answered(
    browser: Any, server: LiveServer, api: Api
):
    boss = _phone(browser, server, "super1")
    boss.goto("/social-supervisors")
    boss.fill("#sup-name", "郑监督")
    boss.fill("#sup-phone", "13812345678")
    boss.select_option("#sup-area", label="甲市分公司")
    boss.fill("#sup-start", "2026-01-01")
    boss.fill("#sup-end", "2027-12-31")
    boss.click("button:has-text('聘任')")
    boss.wait_for_url(re.compile(r"done=socsup_appointed"))
    assert "郑监督" in boss.inner_text("[data-testid=supervisors]")
    _looks_right(boss, "social-supervisors")

    boss.click("nav.pager >> text=监督反映")
    boss.select_option("#sub-target", label="东区网络部")
    boss.fill("#sub-score", "55")
    boss.fill("#sub-text", "装维人员未按约上门，也未提前告知")
    _looks_right(boss, "supervision-submissions")
    boss.click("button:has-text('登记')")
    boss.wait_for_url(re.compile(r"/social-supervisors/submissions/\d+\?done=socsup_recorded"))
    path = boss.url.split("?")[0].replace(server.url, "")
    main = boss.inner_text("main")
    assert "不合格" in main and "ZG" in main

    lead = _phone(browser, server, "lead1")  # masked for a unit lead
    lead.goto("/social-supervisors")
    assert "138****5678" in lead.inner_text("main")

    unit = _phone(browser, server, "net1")
    unit.goto(path)
    unit.fill("#reply", "已约谈装维人员，明日上门并致歉")
    unit.click("button:has-text('答复监督员')")
    unit.wait_for_url(re.compile(r"done=socsup_answered"))
    assert unit.inner_text("[data-testid=sub-status]") == "已答复"
    _looks_right(unit, "supervision-submission")
