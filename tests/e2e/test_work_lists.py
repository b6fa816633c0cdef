"""Work lists in a real browser: the supervisor's breached drill-down names the breached
clock on every row, and the owner's queue shows a unit's completed work order by itself
(polling), without a reload."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create

pytestmark = pytest.mark.e2e

POLICY = {
    "name": "工作台测试时限",
    "rank": 100,
    "limits": {
        "reply": {"minutes": 240, "basis": "calendar"},
        "callback": {"minutes": 60, "basis": "calendar"},
    },
}
"""Reply within 4 hours, call back within an hour of the reply (calendar time)."""


def _login(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()
    return page


def _row(page: Any, complaint_id: int) -> Any:
    return page.locator(f'tr[data-complaint="{complaint_id}"]')


def test_breached_rows_name_their_clock_and_a_units_completion_shows_unreloaded(
    browser: Any, server: LiveServer, app: Any, api: Api, clock: MovableClock
):
    app.state.settings = app.state.settings.model_copy(update={"live_refresh_seconds": 1})
    saved = api.as_("admin").put("/api/v1/sla/policies/WORKLIST", json=POLICY)
    assert saved.status_code in (200, 201), saved.text
    agent = api.as_("agent1")
    # Answered at once: its reply clock is met, its callback clock will breach.
    answered = create(agent, customer={"phone": "13900000001", "name": "钱先生"})
    act(
        agent,
        f"/api/v1/complaints/{answered['id']}/reply",
        version=answered["version"],
        text="已处理",
    )
    # With the east district's network department.
    dispatched = create(agent, customer={"phone": "13900000002"})
    act(
        agent,
        f"/api/v1/complaints/{dispatched['id']}/dispatch",
        version=dispatched["version"],
        unit="C1-K1-NET",
        due_hours=24,
    )
    clock.advance(hours=2)
    fresh = create(agent, customer={"phone": "13900000003"})
    clock.advance(hours=3)  # callback 4 h over, reply of the dispatched one 1 h over

    # 1. The supervisor's breached count for City One drills down to breached rows only,
    #    each naming the clock that is breached (the answered one: its callback).
    desktop = {"width": 1366, "height": 768}
    supervisor = _login(browser, server.url, "super1", desktop)
    supervisor.goto("/supervisor")
    link = supervisor.locator('a[href="/complaints?sla=breached&region=C1"]')
    assert link.inner_text().strip() == "2"
    link.click()
    supervisor.wait_for_url(re.compile(r"sla=breached"))
    rows = supervisor.locator("tr[data-complaint]")
    assert rows.count() == 2
    for i in range(rows.count()):
        assert "sla-breached" in (rows.nth(i).get_attribute("class") or "")
    assert _row(supervisor, fresh["id"]).count() == 0
    callback = _row(supervisor, answered["id"]).locator('[data-testid="row-clock"]')
    assert callback.inner_text().startswith("回访时限 超时 4小时")
    reply = _row(supervisor, dispatched["id"]).locator('[data-testid="row-clock"]')
    assert reply.inner_text().startswith("答复时限 超时 1小时")

    # 2. The owner's queue: the next open deadline first, the next step named.
    owner = _login(browser, server.url, "agent1", desktop)
    assert owner.url.endswith("/agent/queue")
    order = [
        int(x)
        for x in owner.locator("tr[data-complaint]").evaluate_all(
            "rows => rows.map(r => r.dataset.complaint)"
        )
    ]
    assert order == [answered["id"], dispatched["id"], fresh["id"]]
    steps = owner.locator('[data-testid="next-action"]').all_inner_texts()
    assert steps == ["待回访", "工单处理中", "待派单"]
    assert owner.locator('a[aria-current="page"]').inner_text().split() == ["全部", "3"]
    assert owner.locator("#tab-breached .n").inner_text() == "2"
    assert owner.locator('[data-testid="unit-news"]').count() == 0
    owner.evaluate("window.notReloaded = true")

    # 3. The unit accepts and completes on a phone: its own messages, the worst clock named.
    phone = {"width": 390, "height": 844}
    unit = _login(browser, server.url, "net1", phone)
    card = unit.locator(f'li[data-work-order]:has(a[href="/complaints/{dispatched["id"]}"])')
    assert card.locator('[data-testid="row-clock"]').inner_text().startswith("工单办结时限 剩余")
    card.locator('form[data-action="accept"] button').click()
    unit.wait_for_url(re.compile(r"done=accept"))
    banner = unit.locator('[role="status"]').inner_text()
    assert "已接单" in banner and "首问责任人" not in banner
    card.locator('form[data-action="complete"] input[name=text]').fill("更换光猫后恢复")
    card.locator('form[data-action="complete"] button').click()
    unit.wait_for_url(re.compile(r"done=complete"))
    assert "工单已办结" in unit.locator('[role="status"]').inner_text()

    # 4. The owner's open queue shows it by itself: a marker on the row, the next step.
    news = _row(owner, dispatched["id"]).locator('[data-testid="unit-news"]')
    news.wait_for()
    assert news.inner_text() == "东区网络部已办结"
    assert _row(owner, dispatched["id"]).locator('[data-testid="next-action"]').inner_text() == (
        "工单已办结待答复"
    )
    assert owner.evaluate("window.notReloaded") is True

    # 5. And the unit's queue takes a new work order without a reload either.
    unit.evaluate("window.notReloaded = true")
    act(
        agent,
        f"/api/v1/complaints/{fresh['id']}/dispatch",
        version=fresh["version"],
        unit="C1-K1-NET",
    )
    unit.locator(f'li[data-work-order]:has(a[href="/complaints/{fresh["id"]}"])').wait_for()
    assert unit.evaluate("window.notReloaded") is True
