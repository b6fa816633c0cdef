"""The incident pages in a real browser on a phone-sized screen: a supervisor opens an
outage with the form (regions and category chosen by name), the agent replies to every
linked complaint behind the confirmation; the pages fit the screen and every control is
labelled."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer
from tests.integration.api.helpers import create

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
UNLABELLED = """() => [...document.querySelectorAll('main input:not([type=hidden]), main select,'
    + ' main textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.name)"""


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


def test_an_outage_opened_and_answered_on_a_phone(browser: Any, server: LiveServer, api: Api):
    boss = _phone(browser, server, "super1")
    boss.click("nav >> text=突发事件")
    boss.wait_for_url(re.compile(r"/incidents$"))
    boss.click("text=发布突发事件")
    boss.wait_for_url(re.compile(r"/incidents/new$"))
    assert boss.evaluate(FITS), "the open form is wider than the phone"
    assert boss.evaluate(UNLABELLED) == []
    boss.select_option("#f-kind", "network_outage")
    boss.fill("#f-title", "东区宽带中断")
    boss.select_option("#f-regions", label="甲市东区")
    boss.select_option("#f-category", "broadband")
    boss.fill("#f-answer", "东区光缆中断，抢修中，预计今晚恢复。")
    boss.click("button:has-text('发布')")
    boss.wait_for_url(re.compile(r"/incidents/\d+\?done=opened"))
    incident_path = boss.url.split("?")[0].replace(server.url, "")
    assert "突发事件已发布" in boss.inner_text('[role="status"]')

    agent_api = api.as_("agent1")
    for i in range(2):
        answer = create(
            agent_api, customer={"phone": f"1390000000{i}"}, category="broadband.outage"
        )
        assert answer["incident"]["title"] == "东区宽带中断"

    agent = _phone(browser, server, "agent1")
    agent.goto("/incidents")
    assert "东区宽带中断" in agent.inner_text("main")
    assert agent.evaluate(FITS), "the incident list is wider than the phone"
    agent.goto(incident_path)
    assert "关联投诉（2 件）" in agent.inner_text("main")
    assert agent.evaluate(FITS), "the incident page is wider than the phone"
    assert agent.evaluate(UNLABELLED) == []
    agent.check("input[name=confirm]")
    agent.click("button:has-text('一键答复')")
    agent.wait_for_url(re.compile(r"done=replied"))
    assert "已一键答复" in agent.inner_text('[role="status"]')
    assert (
        agent_api.get(incident_path.replace("/incidents", "/api/v1/incidents")).json()["counts"][
            "replied"
        ]
        == 2
    )
