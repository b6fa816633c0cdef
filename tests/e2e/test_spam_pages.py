"""The spam pages in a real browser on a phone-sized screen: the campaign list shows one
campaign with its reporter count and port, the campaign page lists the reports, and the
quality centre changes a port's status by keyboard, seeing the change in the history. The
pages fit the screen, every control is labelled, no code shows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
UNLABELLED = """() => [...document.querySelectorAll('main input:not([type=hidden]), main select,'
    + ' main textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.name)"""
CODE = re.compile(r"\b(?:service_port|point_to_point|enterprise|marketing|active|warned)\b")


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


def test_campaigns_and_port_edits_on_a_phone_by_keyboard(
    browser: Any, server: LiveServer, api: Api
):
    admin = api.as_("admin")
    port = admin.post(
        "/api/v1/spam/ports",
        json={"number": "106575551234", "owner_kind": "enterprise", "owner_name": "甲科技公司"},
    ).json()
    for i in range(3):
        sent = api.as_("agent1").post(
            "/api/v1/spam/forwarded",
            json={
                "message_id": f"e2e-{i}",
                "reporter_phone": f"1391234567{i}",
                "sender": "10657555123401",
                "text": f"【工商银行】您的积分{i}99即将清零，请登录 t.cn/x{i} 兑换礼品",
                "received_at": "2026-09-28T09:00:00+08:00",
                "region": "C1-K1",
            },
        )
        assert sent.status_code == 201, sent.text
    page = _phone(browser, server, "super1")
    page.goto("/spam")
    row = page.locator("[data-campaign]").first
    assert row.locator("[data-testid=reporters]").inner_text() == "3"
    assert "甲科技公司" in row.inner_text()
    assert page.evaluate(FITS) and page.evaluate(UNLABELLED) == []
    row.locator("a").first.click()
    page.wait_for_load_state()
    assert page.locator("[data-report]").count() == 3
    assert page.evaluate(UNLABELLED) == []

    page.goto(f"/spam/ports/{port['id']}")
    page.focus("#edit-status")
    page.select_option("#edit-status", "warned")
    page.keyboard.press("Tab")
    page.focus("#edit-note")
    page.keyboard.type("多人举报，先行警告")
    page.press("#edit-note", "Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=spam_port_saved"))
    assert page.locator("[data-testid=port-status]").inner_text() == "已警告"
    history = page.locator("[data-testid=port-history]").inner_text()
    assert "正常 → 已警告" in history
    main = page.locator("main").inner_text()
    assert not CODE.search(main), CODE.search(main)
    assert page.evaluate(FITS) and page.evaluate(UNLABELLED) == []
