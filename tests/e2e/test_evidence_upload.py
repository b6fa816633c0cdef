"""A unit on a 375 px phone uploads a photo of its rectification in a real browser, sees it
listed for download, and submits the task on that photo alone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200


def test_a_unit_uploads_a_photo_and_submits_on_it(browser: Any, server: LiveServer, api: Api):
    opened = api.as_("super1").post(
        "/api/v1/rectifications",
        json={
            "source": {"kind": "inspection", "id": 8, "item": "B2"},
            "unit": "C1-K1-NET",
            "title": "营业厅未公示资费标准",
            "detail": "暗访发现东区营业厅资费公示牌缺失",
        },
    )
    assert opened.status_code == 201, opened.text
    context = browser.new_context(
        base_url=server.url, viewport={"width": 375, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "net1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    page.goto(f"/rectifications/{opened.json()['id']}")

    page.set_input_files(
        "#evidence-file", files=[{"name": "公示牌.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    page.click("[data-testid=rect-upload] button")
    page.wait_for_url(re.compile(r"done=evidence_uploaded"))
    assert "佐证材料已上传" in page.inner_text("[role=status]")
    link = page.locator("[data-testid=rect-files] a")
    assert link.inner_text() == "公示牌.jpg" and link.get_attribute("download") is not None
    assert page.evaluate(FITS), "the task page is wider than the phone"

    page.fill("#actions-taken", "已补挂资费公示牌")
    page.click("button:has-text('提交复查')")
    page.wait_for_url(re.compile(r"done=rectification_submitted"))
    assert page.inner_text("[data-testid=rect-status]") == "待复查"
    context.close()
