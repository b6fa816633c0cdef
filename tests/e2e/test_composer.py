"""The complaint page's composer in a real browser: a reply started from a template with
the complaint's facts filled in, a file attached and downloaded, and the customer's masked
data revealed by a role that may unmask (audited) but offered to nobody else."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.api.helpers import create

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _login(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN").new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    return page


def test_reply_from_a_template_attachments_and_reveal(
    browser: Any, server: LiveServer, api: Api, clock: MovableClock
):
    supervisor_api = api.as_("super1")
    made = supervisor_api.post(
        "/api/v1/reply-templates",
        json={
            "name": "宽带断网已修复",
            "category": "broadband",
            "text": "{客户称呼}您好，您于{受理时间}反映的宽带问题（{投诉编号}）已由{处理单位}"
            "处理完毕。",
        },
    )
    assert made.status_code == 201, made.text
    c = create(api.as_("agent1"))
    clock.advance(minutes=20)

    # The supervisor manages templates on their page, and sees personal data in full.
    supervisor = _login(browser, server.url, "super1", DESKTOP)
    supervisor.goto("/reply-templates")
    assert "宽带断网已修复" in supervisor.inner_text('[data-testid="reply-templates"]')
    assert "{投诉编号}" in supervisor.inner_text('[data-testid="placeholders"]')
    supervisor.goto(f"/complaints/{c['id']}")
    assert supervisor.inner_text('[data-testid="customer-phone"]') == "13812345678"
    assert supervisor.locator('[data-testid="reveal"]').count() == 0  # nothing hidden

    # The agent picks the template on a phone: the reply box is filled with this complaint's
    # facts, the agent adds a sentence and sends it.
    agent = _login(browser, server.url, "agent1", PHONE)
    agent.goto(f"/complaints/{c['id']}")
    lead = agent.locator('[data-testid="lead-actions"]')
    assert lead.locator('form[data-action="reply"]').is_visible()
    assert not agent.locator('form[data-action="cancel"]').is_visible()  # folded away
    lead.locator("#reply-template").select_option(label="宽带断网已修复 · 某省公司")
    box = lead.locator("#text-reply")
    expected = (
        f"孙女士您好，您于2026年9月28日 10:00反映的宽带问题（{c['number']}）"
        "已由甲市客服中心处理完毕。"
    )
    assert box.input_value() == expected
    box.press("End")
    box.type("如有疑问请拨打10000。")
    lead.locator('form[data-action="reply"] button').click()
    agent.wait_for_url(re.compile(r"done=reply"))
    sent = expected + "如有疑问请拨打10000。"
    assert agent.inner_text('[data-testid="reply"]') == sent
    answer = api.as_("agent1").get(f"/api/v1/complaints/{c['id']}").json()
    assert answer["status"] == "replied" and answer["reply_text"] == sent
    # Now the callback leads and the answered reply clock is folded with the finished ones.
    assert (
        agent.locator('[data-testid="lead-actions"] form[data-action="callback_satisfied"]').count()
        == 1
    )
    finished = agent.locator('[data-testid="finished-clocks"]')
    assert "已结束的时限" in finished.locator("summary").first.inner_text()
    assert "答复时限" in finished.text_content()
    assert "答复时限" not in agent.inner_text('[data-testid="clocks"]')

    # Attach a photo from the page; it is listed and downloads as it was.
    agent.set_input_files(
        "#attach-file", {"name": "光猫.png", "mimeType": "image/png", "buffer": PNG}
    )
    agent.locator("form.upload button").click()
    agent.wait_for_url(re.compile(r"done=attach"))
    listed = agent.locator('[data-testid="attachments"] a', has_text="光猫.png")
    assert listed.count() == 1
    download = agent.request.get(listed.get_attribute("href"))
    assert download.status == 200 and download.body() == PNG
    assert "attachment" in download.headers["content-disposition"]
    # A program is refused with the reason, in Chinese, on the page.
    agent.set_input_files(
        "#attach-file",
        {"name": "run.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90\x00"},
    )
    agent.locator("form.upload button").click()
    agent.wait_for_load_state()
    assert "不支持这种文件类型" in agent.inner_text('[role="alert"]')
    # Too large for the site is refused in the browser before it is sent.
    agent.goto(f"/complaints/{c['id']}")
    big = b"x" * (3 * 1024 * 1024)
    agent.set_input_files(
        "#attach-file", {"name": "big.txt", "mimeType": "text/plain", "buffer": big}
    )
    agent.locator("form.upload button").click()
    assert "文件过大" in agent.inner_text("#attach-error")
    assert "done=" not in agent.url

    # A billing handler of the city sees the complaint masked and may reveal it, audited.
    handler = _login(browser, server.url, "bill1", DESKTOP)
    handler.goto(f"/complaints/{c['id']}")
    assert handler.inner_text('[data-testid="customer-phone"]') == "138****5678"
    handler.locator('[data-testid="reveal"] summary').click()
    handler.fill("#reveal-reason", "客户来电要求核对号码")
    handler.locator('[data-testid="reveal"] button').click()
    handler.wait_for_load_state()
    assert handler.inner_text('[data-testid="customer-phone"]') == "13812345678"
    assert handler.locator('[data-testid="revealed"]').is_visible()
    events = api.as_("super1").get(f"/api/v1/complaints/{c['id']}/events").json()
    unmask = [e for e in events if e["action"] == "unmask"]
    assert len(unmask) == 1 and unmask[0]["actor"] == "bill1"
    handler.goto(f"/complaints/{c['id']}")  # masked again on the next visit
    assert handler.inner_text('[data-testid="customer-phone"]') == "138****5678"

    # The regulator's inspector reads it masked and is offered no reveal.
    inspector = _login(browser, server.url, "inspector", DESKTOP)
    inspector.goto(f"/complaints/{c['id']}")
    assert inspector.inner_text('[data-testid="customer-phone"]') == "138****5678"
    assert inspector.locator('[data-testid="reveal"]').count() == 0
    for page in (agent, handler, inspector, supervisor):
        page.context.close()
