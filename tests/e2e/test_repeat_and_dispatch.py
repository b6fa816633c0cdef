"""Dispatch that cannot misroute and a repeat caller followed up, in a real browser.

A broadband fault in city one's west district is dispatched from a picker that offers city
one's units first, the west district's network department suggested and chosen; the
customer calls again and another agent adds the call to the open complaint (追加) from the
intake form, then chases it (催办): the owner and the unit are notified through the
recording adapter, and the complaint counts both. The unit then transfers its order with
the same picker, which leaves its own unit out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from careloop.services.sla.sweep import deliver_notifications
from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.e2e.conftest import CapturingSms
from tests.integration.api.helpers import create

pytestmark = pytest.mark.e2e


def _login(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    return page


def _options(page: Any, select: str) -> list[str]:
    return page.eval_on_selector_all(f"{select} option", "els => els.map(e => e.value)")


def test_dispatch_offers_the_city_first_and_a_repeat_caller_is_followed_up(
    browser: Any, server: LiveServer, api: Api, app: Any, clock: MovableClock
):
    complaint = create(api.as_("agent1"), category="broadband.outage", region="C1-K2")
    cid = complaint["id"]
    desktop = {"width": 1366, "height": 768}

    # 1. The owner dispatches: city one's units first, the district's network suggested.
    owner = _login(browser, server.url, "agent1", desktop)
    owner.goto(f"/complaints/{cid}")
    form = owner.locator('form[data-action="dispatch"]')
    unit = f"#unit-{cid}"
    assert _options(owner, unit) == [
        "C1-K2-NET",
        "C1-HOT",
        "C1-BILL",
        "C1-K1-NET",
        "P-QA",
        "C2-K1-NET",
    ]
    assert owner.eval_on_selector(unit, "s => s.value") == "C1-K2-NET"
    groups = owner.eval_on_selector_all(f"{unit} optgroup", "gs => gs.map(g => g.label)")
    assert groups[0] == "甲市分公司（本地区）" and groups[-1] == "乙市分公司"
    assert "推荐" in owner.inner_text(f"{unit} option[value=C1-K2-NET]")
    # Typing narrows the list (htmx), keyboard only; clearing brings the ranking back.
    search = form.locator('input[type="search"]')
    search.focus()
    owner.keyboard.type("北区")
    owner.wait_for_function(f"() => document.querySelectorAll('{unit} option').length === 1")
    assert _options(owner, unit) == ["C2-K1-NET"]
    search.fill("")
    owner.wait_for_function(f"() => document.querySelectorAll('{unit} option').length === 6")
    assert owner.eval_on_selector(unit, "s => s.value") == "C1-K2-NET"
    clock.advance(minutes=5)
    form.locator("button[type=submit]").click()
    owner.wait_for_url(re.compile(r"done=dispatch"))
    assert "西区网络部" in owner.inner_text("body")

    # 2. The customer calls again; another agent sees the open complaint inline.
    clock.advance(hours=2)
    agent = _login(browser, server.url, "agent2", desktop)
    agent.goto("/agent/intake")
    agent.fill("#phone", "13812345678")
    card = agent.locator('[data-testid="open-complaint"]')
    card.wait_for()
    assert "处理中" in card.locator('[data-testid="open-stage"]').inner_text()
    assert "王坐席" in card.locator('[data-testid="open-owner"]').inner_text()
    assert "西区网络部" in card.locator('[data-testid="open-owner"]').inner_text()
    assert agent.input_value("#name") == "孙女士"  # filled in from history
    assert agent.input_value("#product") == "broadband"
    agent.fill("#description", "客户再次来电：宽带仍然不通，非常着急。")
    agent.select_option("#channel", "wechat")
    card.locator('[data-testid="add-call"]').click()
    agent.wait_for_url(re.compile(rf"/complaints/{cid}\?done=add_call"))
    assert "未新建投诉" in agent.inner_text('[role="status"]')
    assert "追加来电" in agent.inner_text("body")
    assert "客户再次来电：宽带仍然不通" in agent.inner_text("body")

    # 3. ... and chases it: owner and unit told through the outbox, the chase counted.
    clock.advance(minutes=10)
    agent.goto("/agent/intake")
    agent.fill("#phone", "13812345678")
    agent.locator('[data-testid="open-complaint"] [data-testid="follow-up-counts"]').wait_for()
    assert "已追加来电 1 次" in agent.inner_text('[data-testid="follow-up-counts"]')
    agent.locator('[data-testid="chase"]').click()
    agent.wait_for_url(re.compile(rf"/complaints/{cid}\?done=chase"))
    assert "催办 1 次" in agent.inner_text('[data-testid="follow-up-counts"]')
    recording = CapturingSms()
    delivered = deliver_notifications(
        app.state.platform.session_factory,
        {"sms": recording, "email": recording, "webhook": recording},
        clock.now,
    )
    assert delivered >= 2
    chased = [m for m in recording.messages if "催办" in m.subject]
    assert sorted(m.recipient for m in chased) == ["staff:agent1", "unit:C1-K2-NET"]
    events = [e["action"] for e in api.as_("agent1").get(f"/api/v1/complaints/{cid}/events").json()]
    assert events.count("add_call") == 1 and events.count("chase") == 1

    # 4. The unit transfers its order with the same picker, its own unit left out.
    handler = _login(browser, server.url, "net2", {"width": 390, "height": 844})
    handler.goto(f"/complaints/{cid}")
    transfer = handler.locator('form[data-action="transfer"]')
    handler.locator("details.transfer summary").click()
    picker = transfer.locator("select[name=unit]")
    assert "C1-K2-NET" not in picker.evaluate("s => [...s.options].map(o => o.value)")
    picker.select_option("C1-K1-NET")
    transfer.locator("input[name=text]").fill("故障点在东区机房")
    transfer.locator("button[type=submit]").click()
    handler.wait_for_url(re.compile(r"done=transfer"))
    assert "东区网络部" in handler.inner_text("body")
