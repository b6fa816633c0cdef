"""The customer's survey page in real headless Chromium on a phone: read in Chinese,
answered with thumbs and with the keyboard, no sideways scrolling, axe-clean, thanked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, MovableClock
from tests.integration.surveys.helpers import (
    CapturingSms,
    close_complaint,
    in_process_events,
    send_due,
)

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("CARELOOP_SHOTS", "/tmp/careloop-shots"))


def _survey_token(app: Any, clock: MovableClock) -> str:
    platform = app.state.platform
    in_process_events(platform)
    close_complaint(platform, clock.now)
    sms = CapturingSms()
    send_due(platform, sms, clock.advance(minutes=30))
    [token] = sms.tokens()
    return token


def _serious_violations(page: Any) -> list[str]:
    axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe_playwright.Axe().run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_a_customer_answers_the_survey_on_a_phone(
    browser: Any, app: Any, server: LiveServer, clock: MovableClock
) -> None:
    token = _survey_token(app, clock)
    context = browser.new_context(base_url=server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"/s/{token}")
    assert page.locator("h1").inner_text() == "投诉处理满意度调查"
    body = page.inner_text("body")
    assert "您对本次投诉的处理结果是否满意？" in body and "提交评价" in body
    assert "UTC" not in body and "score10" not in body
    # A phone page: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "survey-answer-phone.png"), full_page=True)

    # The keyboard: the first question's "满意" chosen with the space bar.
    page.focus("#q-result-yes")
    page.keyboard.press("Space")
    assert page.is_checked("#q-result-yes")
    # The thumbs: the scores are labels as large as buttons.
    page.click("label[for=q-timeliness-4]")
    page.click("label[for=q-attitude-9]")
    page.fill("#q-suggestion", "师傅上门很及时")
    page.click("text=提交评价")
    page.wait_for_selector("text=感谢您的评价")
    assert "我们已收到您的评价" in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "survey-thanks-phone.png"), full_page=True)
    # Coming back to the link shows the thanks again, not the form.
    page.goto(f"/s/{token}")
    assert page.locator("h1").inner_text() == "感谢您的评价"
    context.close()


def test_the_page_speaks_english_when_the_phone_does(
    browser: Any, app: Any, server: LiveServer, clock: MovableClock
) -> None:
    token = _survey_token(app, clock)
    context = browser.new_context(base_url=server.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto(f"/s/{token}")
    assert page.locator("h1").inner_text() == "Complaint handling satisfaction survey"
    assert "Send my answers" in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "survey-answer-phone-en.png"), full_page=True)
    page.goto("/s/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert page.locator("h1").inner_text() == "Link not valid"
    context.close()
