"""A broadband visit in a real browser on a phone-sized screen: the technician sees the
arrival step with its due time in local time, records arriving with the keyboard-usable
form, and the complaint page shows the step done on time, in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from careloop.domain.sla.steps import COMMITMENTS
from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_technician_records_arrival_on_a_phone(
    browser: Any, server: LiveServer, api: Api, clock: MovableClock
):
    repair = next(c for c in COMMITMENTS if c.code == "repair")
    admin = api.as_("admin")
    body = {"name": repair.name_zh, "limits": dict(repair.limits), "rank": repair.rank}
    saved = admin.put("/api/v1/sla/policies/repair", json={**body, "match_category": "broadband"})
    assert saved.status_code == 200, saved.text
    agent = api.as_("agent1")
    c = create(agent, region="C1-K1")
    appointment = (clock.now + timedelta(hours=1)).astimezone(SHANGHAI)
    order = act(
        agent,
        f"/api/v1/complaints/{c['id']}/dispatch",
        version=c["version"],
        unit="C1-K1-NET",
        appointment_at=appointment.isoformat(),
    )
    act(api.as_("net1"), f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])

    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "net1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/unit/queue"))
    step = page.locator('[data-step="arrival"]').first
    due = (appointment + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert "上门到场" in step.inner_text() and due in step.inner_text()
    assert "UTC" not in page.inner_text("body") and "arrival" not in page.inner_text("body")

    clock.advance(hours=1, minutes=10)
    form = page.locator('form[data-action="arrive"]')
    field = form.locator("input[name=at]")
    # Every field of the form has a visible label a screen reader announces.
    label = page.locator(f'label[for="{field.get_attribute("id")}"]')
    assert label.inner_text().startswith("到场时间")
    field.fill((appointment + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    form.locator("button").press("Enter")
    page.wait_for_url(re.compile(r"done=arrive"))
    assert page.locator('form[data-action="arrive"]').count() == 0

    page.goto(f"/complaints/{c['id']}")
    done = page.locator('[data-step="arrival"]').first
    assert "按时完成" in done.inner_text()
    assert done.get_attribute("data-state") == "on_time"
    # Nothing spills sideways on the phone.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    context.close()
