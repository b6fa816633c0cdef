"""The daily brief in a browser on a phone: it fits the screen (wide tables scroll in their
own box), leads with the headline figures, and its link goes back to the board."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_the_daily_brief_fits_a_phone_and_leads_back_to_the_board(
    browser: Any, server: LiveServer
) -> None:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "super1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    # The first request makes the report (text clustering, one chart): slow on a busy runner.
    page.goto("/api/v1/reports/daily?date=2026-09-27&format=html", timeout=120_000)
    assert page.evaluate(FITS), "the brief is wider than the phone"
    assert page.locator("h2#h-figures").inner_text().startswith("关键指标")
    assert page.locator(".fig").count() >= 7
    assert "较前一日" in page.inner_text("#h-figures")
    text = page.inner_text("main")
    assert "Asia/Shanghai" not in text and "UTC" not in text
    page.click("text=返回主管看板")
    page.wait_for_url(re.compile(r"/supervisor$"))
    context.close()
