"""One complaint through the pages, in a real browser: the agent accepts it on the form,
dispatches it, the network department accepts and completes the work order, the agent
replies, the customer rates it dissatisfied in self-service (it reopens), the agent
replies again and records a satisfied callback, and the supervisor archives it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, LiveServer, MovableClock
from tests.e2e.conftest import CapturingSms

pytestmark = pytest.mark.e2e


def _login(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")  # keyboard only
    page.wait_for_load_state()
    return page


def _status(page: Any) -> str:
    return page.locator('[data-testid="status"]').first.inner_text()


def test_one_complaint_from_the_agent_form_to_archive(
    browser: Any, server: LiveServer, app: Any, clock: MovableClock
):
    sms = CapturingSms()
    app.state.notify_adapters = {"sms": sms, "email": sms, "webhook": sms}
    desktop = {"width": 1366, "height": 768}
    phone = {"width": 390, "height": 844}

    # 1. The agent takes the call on the intake form.
    agent = _login(browser, server.url, "agent1", desktop)
    assert agent.url.endswith("/agent/queue")
    agent.goto("/agent/intake")
    agent.fill("#phone", "13812345678")
    agent.wait_for_selector('[data-testid="no-history"]')
    agent.fill("#category-search", "宽带断网")
    agent.wait_for_function("() => document.querySelectorAll('#category option').length === 1")
    agent.select_option("#category", "broadband.outage")
    agent.select_option("#region", "C1-K1")
    agent.select_option("#product", "broadband")
    agent.fill("#name", "孙女士")
    agent.fill("#description", "家中宽带从昨晚起无法上网，光猫LOS灯红色闪烁。")
    agent.click("button[type=submit].primary >> text=提交受理")
    agent.wait_for_url(re.compile(r"/complaints/\d+\?done=accept"))
    complaint_url = agent.url.split("?")[0]
    assert _status(agent) == "已受理"
    assert "13812345678" in agent.inner_text('[data-testid="customer-phone"]')
    assert "受理" in agent.inner_text('[data-testid="timeline"]')

    # 2. Dispatch to the east district's network department.
    clock.advance(minutes=5)
    form = agent.locator('form[data-action="dispatch"]')
    form.locator("select[name=unit]").select_option("C1-K1-NET")
    form.locator("input[name=due_hours]").fill("24")
    form.locator("textarea[name=text]").fill("请上门检修光猫")
    form.locator("button").click()
    agent.wait_for_url(re.compile(r"done=dispatch"))
    assert _status(agent) == "处理中"
    assert "东区网络部" in agent.inner_text("body")
    # Reply is offered (the role may reply) but refused while the work order is open.
    reply = agent.locator('form[data-action="reply"]')
    reply.locator("textarea").fill("正在处理")
    reply.locator("button").click()
    assert "工单未完成" in agent.inner_text('[role="alert"]')

    # 3. The unit accepts and completes its work order, on a phone-sized screen.
    clock.advance(hours=1)
    handler = _login(browser, server.url, "net1", phone)
    assert handler.url.endswith("/unit/queue")
    card = handler.locator("li[data-work-order]").first
    assert "请上门检修光猫" in card.inner_text()
    card.locator('form[data-action="accept"] button').click()
    handler.wait_for_url(re.compile(r"done=accept"))
    card = handler.locator("li[data-work-order]").first
    card.locator('form[data-action="complete"] input[name=text]').fill("更换光猫后恢复正常")
    card.locator('form[data-action="complete"] button').click()
    handler.wait_for_url(re.compile(r"done=complete"))
    assert handler.locator("li[data-work-order]").count() == 0

    # 4. The agent replies.
    clock.advance(minutes=30)
    agent.goto(complaint_url)
    assert "更换光猫后恢复正常" in agent.inner_text("body")
    reply = agent.locator('form[data-action="reply"]')
    reply.locator("textarea").fill("已为您更换光猫，请试用。")
    reply.locator("button").click()
    agent.wait_for_url(re.compile(r"done=reply"))
    assert _status(agent) == "已答复"

    # 5. The customer checks it on their phone and is not satisfied: it reopens.
    clock.advance(hours=2)
    customer = browser.new_context(base_url=server.url, viewport=phone).new_page()
    customer.goto("/self-service")
    customer.fill("#phone", "13812345678")
    customer.click("text=获取验证码")
    customer.wait_for_selector("#code")
    code = re.search(r"\b(\d{6})\b", sms.messages[-1].body).group(1)
    assert sms.messages[-1].recipient == "tel:13812345678"
    customer.fill("#code", code)
    customer.press("#code", "Enter")
    customer.wait_for_selector("li[data-complaint]")
    item = customer.locator("li[data-complaint]").first
    assert item.locator('[data-testid="status"]').inner_text() == "已答复"
    assert "已为您更换光猫" in item.inner_text()
    item.locator("input[name=comment]").fill("晚上还是掉线")
    item.locator("button[value='0']").click()
    customer.wait_for_url(re.compile(r"done=rated"))
    assert (
        customer.locator('li[data-complaint] [data-testid="status"]').first.inner_text() == "处理中"
    )

    # 6. The agent sees the reopen, replies again and records a satisfied callback.
    clock.advance(hours=3)
    agent.goto(complaint_url)
    assert _status(agent) == "处理中"
    assert "晚上还是掉线" in agent.inner_text('[data-testid="timeline"]')
    reply = agent.locator('form[data-action="reply"]')
    reply.locator("textarea").fill("已更换入户光缆。")
    reply.locator("button").click()
    agent.wait_for_url(re.compile(r"done=reply"))
    callback = agent.locator('form[data-action="callback_satisfied"]')
    callback.locator("input[name=text]").fill("客户表示满意")
    callback.locator("button").click()
    agent.wait_for_url(re.compile(r"done=callback_satisfied"))
    assert _status(agent) == "已回访"
    assert agent.locator('form[data-action="archive"]').count() == 0  # not the agent's to do

    # 7. The supervisor's board counts it no more; the supervisor archives it (in English).
    supervisor = _login(browser, server.url, "super1", desktop)
    assert supervisor.url.endswith("/supervisor")
    assert supervisor.inner_text('[data-testid="open-total"]').startswith("0")
    supervisor.click("text=English")
    supervisor.goto(complaint_url)
    assert _status(supervisor) == "Closed after callback"
    supervisor.locator('form[data-action="archive"] button').click()
    supervisor.wait_for_url(re.compile(r"done=archive"))
    assert _status(supervisor) == "Archived"
    timeline = supervisor.inner_text('[data-testid="timeline"]')
    for step in (
        "dispatched",
        "unit accepted",
        "work order completed",
        "replied",
        "callback: reopened",
        "callback: satisfied",
        "archived",
    ):
        assert step in timeline, step
