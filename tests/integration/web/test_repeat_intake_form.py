"""A repeat taken on the intake form: the agent is warned before, told after that it was
escalated, and the complaint page shows the raised priority and the reason in its history."""

from __future__ import annotations

import re

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import create
from tests.integration.web.helpers import post_form, web_client

FORM = {
    "phone": "138 1234 5678",
    "name": "孙女士",
    "category": "broadband.speed",
    "region": "C1-K1",
    "channel": "hotline",
    "product": "broadband",
    "tier": "standard",
    "priority": "normal",
    "description": "上周报修的宽带还是很慢，晚上几乎打不开网页。",
}


def test_a_repeat_on_the_form_is_escalated_and_the_agent_is_told(
    server: LiveServer, api: Api, clock: MovableClock
):
    first = create(api.as_("agent1"), category="broadband.outage")
    clock.advance(days=5)
    agent = web_client(server.url, "agent2")
    warning = agent.get("/agent/customer", params={"phone": "13812345678"}).text
    assert "优先级自动提升一级" in warning

    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', agent.get("/agent/intake").text)
    assert key
    accepted = post_form(agent, "/agent/intake", **FORM, idempotency_key=key.group(1))
    assert accepted.status_code == 303
    assert accepted.headers["location"].endswith("?done=accept_repeat")
    page = agent.get(accepted.headers["location"]).text
    assert "重复投诉" in page and "已通知单位负责人" in page
    assert f'href="/complaints/{first["id"]}"' in page  # linked to the first complaint
    assert "「普通」升为「高」" in page  # the reason, in the history

    fresh = post_form(agent, "/agent/intake", **{**FORM, "phone": "13900004444"},
                      idempotency_key="f" * 32)  # fmt: skip
    assert fresh.headers["location"].endswith("?done=accept")
