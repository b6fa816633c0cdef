"""An agent's day by keyboard, in Chromium: the help overlay (?), the next complaint of the
queue (n), the reply box (r), a new complaint (c), no shortcut while typing; and a
customer's page opened from a complaint, masked for an agent not involved with them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.api.helpers import create

pytestmark = pytest.mark.e2e


def test_an_agent_works_by_keyboard_and_opens_a_customers_page(
    browser: Any, server: LiveServer, api: Api, clock: MovableClock
):
    agent = api.as_("agent1")
    soonest = create(agent, customer={"phone": "13811110001"})
    clock.advance(hours=2)
    create(agent, customer={"phone": "13811110002"})  # due two hours later
    # A customer the agent has never handled: the quality desk accepted both complaints.
    quality = api.as_("super1")
    first = create(quality, customer={"phone": "13722223333", "name": "周先生"})
    clock.advance(hours=1)
    later = create(quality, customer={"phone": "13722223333"}, category="billing.dispute")

    context = browser.new_context(
        base_url=server.url, viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "agent1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/agent/queue"))

    # ? opens the help, Esc closes it; the header's link opens it too.
    help_box = page.locator('[data-testid="shortcuts"]')
    assert not help_box.is_visible()
    page.keyboard.press("?")
    assert help_box.is_visible()
    assert "键盘快捷键" in help_box.inner_text() and "新建投诉" in help_box.inner_text()
    page.keyboard.press("Escape")
    assert not help_box.is_visible()
    page.get_by_role("button", name="快捷键 ?").click()
    assert help_box.is_visible()
    page.keyboard.press("Escape")

    # n: the soonest-due complaint of the agent's queue.
    page.keyboard.press("n")
    page.wait_for_url(re.compile(rf"/complaints/{soonest['id']}$"))

    # r: the reply box takes the focus; letters typed there stay text.
    page.keyboard.press("r")
    focused = page.evaluate(
        "() => { const el = document.activeElement, form = el.closest('form');"
        " return el.tagName + '|' + (form ? form.dataset.action : ''); }"
    )
    assert focused == "TEXTAREA|reply", focused
    page.keyboard.type("cn?")
    assert page.url.endswith(f"/complaints/{soonest['id']}")
    assert not help_box.is_visible()
    assert page.evaluate("() => document.activeElement.value") == "cn?"

    # The customer of a complaint the agent may read but is not involved in: masked.
    page.goto(f"/complaints/{later['id']}")
    page.locator('[data-testid="customer-360"]').click()
    page.wait_for_url(re.compile(r"/customers/TS\d+$"))
    assert "13722223333" not in page.url
    assert page.locator('[data-testid="customer-phone"]').inner_text() == "137****3333"
    assert page.locator('[data-testid="masked-note"]').is_visible()
    table = page.locator('[data-testid="customer-complaints"]')
    numbers = table.locator("tbody tr td:first-child a").all_inner_texts()
    assert numbers == [later["number"], first["number"]]
    body = page.inner_text("body")
    assert "13722223333" not in body and "周先生" not in body and "周**" in body
    assert "首问责任人" in body and "周督导" in body
    for raw in ("accepted", "running", "billing.dispute", "UTC"):
        assert raw not in body, raw

    # c: a new complaint, from anywhere outside a field.
    page.keyboard.press("c")
    page.wait_for_url(re.compile(r"/agent/intake$"))
    # Typing in the intake's fields fires nothing.
    page.locator("#phone").click()
    page.keyboard.type("n")
    assert page.url.endswith("/agent/intake")
    context.close()
