"""The inspection pages in a real browser on a 375 px phone: the inspector finds the visit
they were sent on, fills the checklist with the keyboard (points and evidence), saves a
draft, is told in words what evidence is missing, submits; the visit shows its score and
verdict, and the rankings show 达标率. Pages fit the screen and every field is labelled."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

import pytest

from careloop.domain.supervision.checklists import SEED_CHECKLISTS
from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
UNLABELLED = """() => [...document.querySelectorAll('main input:not([type=hidden]), main select,'
    + ' main textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.name)"""
SHOTS = os.environ.get("CARELOOP_SCREENSHOTS")


def _phone(browser: Any, server: LiveServer, username: str) -> Any:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 375, "height": 812}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    return page


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _plan(api: Api, clock: MovableClock) -> None:
    boss = api.as_("super1")
    answer = boss.post(
        "/api/v1/inspections/subjects",
        json={"kind": "store", "code": "C1-K1-S1", "name_zh": "东区解放路营业厅", "unit": "C1-K1"},
    )
    assert answer.status_code == 201, answer.text
    day = clock.now.date()
    answer = boss.post(
        "/api/v1/inspections/plans",
        json={
            "name": "九月营业厅明察暗访", "kind": "store_visit", "cadence": "once",
            "starts_on": (day - timedelta(days=20)).isoformat(), "ends_on": day.isoformat(),
            "inspectors": ["net2"],
        },
    )  # fmt: skip
    assert answer.status_code == 201, answer.text


def test_a_visit_entered_and_submitted_on_a_phone(
    browser: Any, server: LiveServer, api: Api, clock: MovableClock
):
    _plan(api, clock)
    page = _phone(browser, server, "net2")
    page.click("nav >> text=监督检查")
    page.wait_for_url(re.compile(r"/inspections$"))
    assert page.evaluate(FITS), "the list is wider than the phone"
    _shot(page, "inspections-list")
    page.click("text=东区解放路营业厅")
    page.wait_for_url(re.compile(r"/inspections/\d+$"))
    assert page.evaluate(FITS), "the form is wider than the phone"
    assert page.evaluate(UNLABELLED) == []
    checklist = SEED_CHECKLISTS["store_visit"]
    # Keyboard only: focus the first points field, then type and tab through the items.
    page.focus("#awarded_environment")
    for item in checklist.items:
        page.keyboard.type("0" if item.code == "tariff_disclosure" else f"{item.weight:g}")
        for kind in item.evidence:
            page.keyboard.press("Tab")
            if kind == "recording" and item.code == "tariff_disclosure":
                continue  # the recording of the tariff talk is forgotten at first
            page.keyboard.type({"photo": "IMG_0412.jpg", "recording": "REC-01",
                                "timestamp": "10:02-10:19"}[kind])  # fmt: skip
            if kind == "photo":
                page.keyboard.press("Tab")  # past the camera's file field (no photo taken)
        page.keyboard.press("Tab")  # the item's note
        page.keyboard.press("Tab")  # on to the next item's points
    _shot(page, "inspection-form")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(re.compile(r"done=insp_draft"))
    assert "草稿已保存" in page.inner_text('[role="status"]')
    page.click("button:has-text('提交检查结果')")
    alert = page.inner_text('[role="alert"]')
    assert "「告知资费」缺少录音编号" in alert
    _shot(page, "inspection-missing-evidence")
    page.fill("#recording_tariff_disclosure", "REC-02")
    page.click("button:has-text('提交检查结果')")
    page.wait_for_url(re.compile(r"done=insp_submitted"))
    score = page.inner_text('[data-testid="score"]')
    assert "85.0" in score and "不达标" in score  # a failed mandatory item fails the visit
    assert "告知资费" in page.inner_text('[data-testid="inspection-items"]')
    assert page.evaluate(FITS)
    _shot(page, "inspection-detail")

    boss = _phone(browser, server, "super1")
    boss.goto("/inspections/rankings")
    stores = boss.inner_text('[data-testid="store-ranking"]')
    assert "东区解放路营业厅" in stores and "0.0%" in stores
    assert "甲市分公司" in boss.inner_text('[data-testid="region-ranking"]')
    assert boss.evaluate(FITS), "the rankings are wider than the phone"
    _shot(boss, "inspection-rankings")
