"""The agent's work list through a real server: the next step of each complaint, the next
open deadline first, the views (tabs) and the polled fragments."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import web_client

POLICY = {
    "name": "工作台排序测试",
    "rank": 100,
    "limits": {
        "reply": {"minutes": 240, "basis": "calendar"},
        "callback": {"minutes": 3 * 1440, "basis": "calendar"},
    },
}
"""Reply within 4 hours; the callback has three days."""


def _rows(html: str) -> list[tuple[int, str]]:
    """(complaint id, next step code) of each row, in the order shown."""
    return [
        (int(cid), step)
        for cid, step in re.findall(r'data-complaint="(\d+)"[^>]*data-next="([a-z_]+)"', html)
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_queue_names_the_next_step_and_sorts_by_the_next_open_deadline(
    server: LiveServer, api: Api, clock: MovableClock
):
    assert api.as_("admin").put("/api/v1/sla/policies/WL", json=POLICY).status_code in (200, 201)
    agent, net = api.as_("agent1"), api.as_("net1")

    def phone(n: int) -> dict[str, str]:
        return {"phone": f"1390000{n:04d}"}

    # Answered first: its reply clock (due in 4 h) is met; its callback is days away.
    replied = create(agent, customer=phone(1))
    act(agent, f"/api/v1/complaints/{replied['id']}/reply", version=replied["version"], text="好")
    clock.advance(minutes=10)
    completed = create(agent, customer=phone(2))
    order = act(
        agent,
        f"/api/v1/complaints/{completed['id']}/dispatch",
        version=completed["version"],
        unit="C1-K1-NET",
    )
    act(net, f"/api/v1/work-orders/{order['id']}/complete", version=order["version"], result="修复")
    clock.advance(minutes=10)
    returned = create(agent, customer=phone(3))
    order = act(
        agent,
        f"/api/v1/complaints/{returned['id']}/dispatch",
        version=returned["version"],
        unit="C1-K1-NET",
    )
    act(net, f"/api/v1/work-orders/{order['id']}/return", version=order["version"], reason="非网络")
    clock.advance(minutes=10)
    with_unit = create(agent, customer=phone(4))
    act(
        agent,
        f"/api/v1/complaints/{with_unit['id']}/dispatch",
        version=with_unit["version"],
        unit="C1-K1-NET",
    )
    clock.advance(minutes=10)
    waiting = create(agent, customer=phone(5))
    act(
        agent,
        f"/api/v1/complaints/{waiting['id']}/pause",
        version=waiting["version"],
        reason="等客户提供账单",
    )
    clock.advance(minutes=10)
    new = create(agent, customer=phone(6))
    clock.advance(hours=3, minutes=35)  # the first two reply clocks breach, the next two warn

    queue = web_client(server.url, "agent1")
    page = queue.get("/agent/queue")
    assert page.status_code == 200
    rows = _rows(page.text)
    steps = dict(rows)
    assert steps == {
        replied["id"]: "callback",
        completed["id"]: "reply_after_unit",
        returned["id"]: "returned",
        with_unit["id"]: "await_unit",
        waiting["id"]: "await_customer",
        new["id"]: "dispatch",
    }
    # The reply clocks in acceptance order (the breached on top); the paused one's deadline
    # moves on while it waits; the answered one comes last: its next open deadline is the
    # callback, days away (its met reply clock, due first of all, no longer counts).
    assert [cid for cid, _ in rows] == [
        completed["id"],
        returned["id"],
        with_unit["id"],
        new["id"],
        waiting["id"],
        replied["id"],
    ]
    assert "东区网络部已办结" in page.text and "东区网络部已退回" in page.text
    assert "工单已办结待答复" in page.text and "待回访" in page.text

    mine = queue.get("/agent/queue", params={"view": "mine"}).text
    assert {cid for cid, _ in _rows(mine)} == {
        replied["id"],
        completed["id"],
        returned["id"],
        new["id"],
    }
    breached = _rows(queue.get("/agent/queue", params={"view": "breached"}).text)
    assert [cid for cid, _ in breached] == [completed["id"], returned["id"]]

    fragment = queue.get("/agent/queue/rows", params={"view": "breached"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'hx-get="/agent/queue/rows?view=breached"' in fragment.text
    assert [cid for cid, _ in _rows(fragment.text)] == [completed["id"], returned["id"]]

    bad = queue.get("/agent/queue", params={"view": "everything"})
    assert bad.status_code == 400 and "没有这个视图" in bad.text
    assert len(_rows(bad.text)) == 6

    unit = web_client(server.url, "net1")
    cards = unit.get("/unit/queue/rows")
    assert cards.status_code == 200 and "<html" not in cards.text
    assert cards.text.count("data-work-order=") == 1 and "接单时限" not in cards.text
    assert "工单办结时限 剩余" in cards.text
