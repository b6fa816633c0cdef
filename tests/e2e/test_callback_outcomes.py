"""Callbacks in a real browser on a phone-sized screen: the agent records an unreachable
attempt and sees when to call again in Beijing time, and picks a regulator appeal's outcome
from a labelled select, all in Chinese with no codes or UTC stamps in sight."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create

pytestmark = pytest.mark.e2e


def test_the_agent_records_callback_and_appeal_outcomes_on_a_phone(
    browser: Any, server: LiveServer, api: Api, clock: MovableClock
):
    agent = api.as_("agent1")
    c = create(agent, regulator_transfer=True)
    clock.advance(minutes=30)  # replied 10:30 Beijing time
    act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理")
    clock.advance(hours=1)  # 11:30: the next try will be due at 15:30

    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "agent1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/agent/queue"))
    page.goto(f"/complaints/{c['id']}")

    unreachable = page.locator('form[data-action="callback_unreachable"]')
    assert "回访未接通" in unreachable.inner_text()
    unreachable.locator("button").press("Enter")
    page.wait_for_url(re.compile(r"done=callback_unreachable"))
    callback = page.locator('[data-testid="callback"]')
    assert "下次回访时间" in callback.inner_text()
    assert "2026-09-28 15:30" in callback.inner_text()

    appeal = page.locator('form[data-action="appeal_outcome"]')
    select = appeal.locator("select[name=outcome]")
    label = page.locator(f'label[for="{select.get_attribute("id")}"]')
    assert label.inner_text() == "申诉处理结果"
    assert select.locator("option").all_inner_texts() == ["和解", "用户不认可", "用户知晓"]
    select.select_option(label="用户不认可")
    appeal.locator("button").press("Enter")
    page.wait_for_url(re.compile(r"done=appeal_outcome"))
    assert "用户不认可" in page.locator('[data-testid="callback"]').inner_text()

    body = page.inner_text("body")
    for code in ("not_accepted", "unreachable", "appeal_outcome", "UTC"):
        assert code not in body, code
    # Nothing spills sideways on the phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.goto("/agent/queue")
    assert "下次回访 09-28 15:30" in page.inner_text("body")
    context.close()
