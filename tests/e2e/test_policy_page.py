"""The service commitments' page in a real browser, on a phone-sized screen: a supervisor
sets up a policy for repeat complaints in rural regions with the keyboard, and the page
fits the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e


def test_a_supervisor_sets_a_rural_repeat_policy_on_a_phone(browser: Any, server: LiveServer):
    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "super1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    page.click("nav >> text=服务承诺")
    page.wait_for_url(re.compile(r"/policies$"))
    fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the policy list is wider than the phone"

    page.fill("#code", "REPEAT-RURAL")
    page.fill("#name", "农村重复投诉4小时答复")
    page.fill("#reply_limit", "4小时")
    page.select_option("#match_repeat", "yes")
    page.select_option("#match_area", "rural")
    page.press("#reply_limit", "Enter")  # the keyboard submits the form
    page.wait_for_url(re.compile(r"done=policy_saved"))
    assert "服务承诺已保存" in page.inner_text('[role="status"]')
    row = page.inner_text('tr[data-code="REPEAT-RURAL"]')
    assert "仅重复投诉" in row and "城乡：农村" in row and "4 小时" in row
    assert page.evaluate(fits), "the page with the new policy is wider than the phone"
    # Every form control has a label a screen reader announces.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('#policy-form input:not([type=hidden]),'
                 + '#policy-form select')].filter(e => !e.labels || !e.labels.length)
                 .map(e => e.id)"""
    )
    assert unlabelled == []
    context.close()
