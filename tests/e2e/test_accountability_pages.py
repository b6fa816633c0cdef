"""The responsibility-case pages in a real browser on a phone-sized screen: the supervisor
decides the penalty of a late escalated complaint with the keyboard, the agent concerned finds
it under 我的责任认定 and appeals; the pages fit the screen and every control is labelled."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from careloop.services.events import InProcessQueue
from careloop.services.sla import sweep as sla_sweep
from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.api.helpers import create

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
UNLABELLED = """() => [...document.querySelectorAll('main input:not([type=hidden]), main select,'
    + ' main textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.name)"""
SHOTS = os.environ.get("CARELOOP_SCREENSHOTS")
"""A folder to keep screenshots in (to look at them); none kept when unset."""


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


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_penalty_decided_and_appealed_on_a_phone(
    browser: Any, server: LiveServer, api: Api, app: Any, clock: MovableClock
) -> None:
    platform = app.state.platform
    platform.events.queue = InProcessQueue(platform.events)
    create(api.as_("agent1"), escalated=True, category="billing.dispute")
    clock.advance(days=3)
    sla_sweep.sweep(platform.session_factory, clock.now)

    boss = _phone(browser, server, "super1")
    boss.click("nav >> text=责任认定")
    boss.wait_for_url(re.compile(r"/accountability$"))
    assert "越级投诉超时未办结" in boss.inner_text("main")
    assert boss.evaluate(FITS), "the case list is wider than the phone"
    _shot(boss, "accountability-list")
    boss.click("[data-testid=cases] a")
    boss.wait_for_url(re.compile(r"/accountability/cases/\d+$"))
    assert boss.evaluate(FITS), "the case page is wider than the phone"
    assert boss.evaluate(UNLABELLED) == []
    _shot(boss, "accountability-case-open")
    # The keyboard alone: focus the reason, type, tab on to the button and press Enter.
    boss.focus("#decide-reason")
    boss.keyboard.type("越级投诉超时，按条款默认处罚")
    boss.focus("[data-testid=decide-form] button[type=submit]")
    boss.keyboard.press("Enter")
    boss.wait_for_url(re.compile(r"done=decided"))
    assert "已认定处罚" in boss.inner_text('[role="status"]')
    assert "¥2,000.00" in boss.inner_text("[data-testid=case-penalty]")

    agent = _phone(browser, server, "agent1")
    agent.click("nav >> text=责任认定")
    agent.wait_for_url(re.compile(r"/accountability/mine$"))
    assert "我的责任认定" in agent.inner_text("h1")
    assert agent.evaluate(FITS), "my cases are wider than the phone"
    _shot(agent, "accountability-mine")
    agent.click("[data-testid=cases] a")
    agent.wait_for_url(re.compile(r"/accountability/cases/\d+$"))
    assert agent.evaluate(UNLABELLED) == []
    agent.fill("#appeal-reason", "计费系统故障，工单已按时提交")
    _shot(agent, "accountability-appeal")
    agent.click("[data-testid=appeal-form] button[type=submit]")
    agent.wait_for_url(re.compile(r"done=appealed"))
    assert "申诉中" in agent.inner_text("[data-testid=case-status]")
    _shot(agent, "accountability-appealed")

    boss.reload()
    boss.check("input[name=outcome][value=upheld]")
    boss.fill("#ruling-reason", "核实为计费系统故障")
    boss.click("[data-testid=ruling-form] button[type=submit]")
    boss.wait_for_url(re.compile(r"done=appeal_decided"))
    assert "不处罚" in boss.inner_text("[data-testid=case-penalty]")
    assert "申诉成立" in boss.inner_text("[data-testid=appeal-outcome]")
    _shot(boss, "accountability-ruled")
