"""No untranslated key on any page, in Chinese or in English (keys built from data
included: literal keys are checked against the catalogues in tests/unit/i18n)."""

from __future__ import annotations

import pytest

from careloop.i18n import LANGUAGES, MISSING_MARK
from tests.conftest import Api, LiveServer
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import web_client


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_shows_an_untranslated_key(server: LiveServer, api: Api, lang: str):
    agent_api = api.as_("agent1")
    fresh = create(agent_api)
    worked = create(agent_api, customer={"phone": "13900001111", "name": "钱先生"})
    order = act(
        agent_api,
        f"/api/v1/complaints/{worked['id']}/dispatch",
        version=worked["version"],
        unit="C1-K1-NET",
    )
    net = api.as_("net1")
    act(net, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
    returned = create(agent_api, customer={"phone": "13900002222"}, escalated=True)
    order2 = act(
        agent_api,
        f"/api/v1/complaints/{returned['id']}/dispatch",
        version=returned["version"],
        unit="C1-K1-NET",
    )
    act(
        net,
        f"/api/v1/work-orders/{order2['id']}/return",
        version=order2["version"],
        reason="不属于本单位",
    )
    replied = act(
        agent_api,
        f"/api/v1/complaints/{fresh['id']}/reply",
        version=fresh["version"],
        text="已处理",
    )
    act(agent_api, f"/api/v1/complaints/{fresh['id']}/notes", text="备注")
    assert replied["status"] == "replied"

    pages = {
        None: ["/login", "/self-service"],
        "agent1": [
            "/agent/intake",
            "/agent/queue",
            "/agent/customer?phone=13812345678",
            "/agent/customer?phone=139",
            "/agent/categories?q=zzz",
            f"/complaints/{fresh['id']}",
            f"/complaints/{worked['id']}",
            f"/complaints/{returned['id']}",
            "/complaints/999999",
        ],
        "net1": ["/unit/queue", f"/complaints/{worked['id']}"],
        "super1": [
            "/supervisor",
            "/complaints?open=1&escalated=1&repeat=0&sla=breached&category=billing",
            "/complaints?status=replied&q=x&created_from=2026-01-01T00:00:00%2B08:00",
            "/complaints?sla=nonsense",
        ],
        "inspector": [f"/complaints/{returned['id']}", "/supervisor"],
    }
    for user, paths in pages.items():
        client = web_client(server.url, user, lang)
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 404, 422), (path, response.status_code)
            assert MISSING_MARK not in response.text, (lang, path, response.text)
            assert f'lang="{"en" if lang == "en" else "zh-CN"}"' in response.text or (
                "<html" not in response.text
            )
            if "<html" in response.text:
                switch = "中文" if lang == "en" else "English"
                assert switch in response.text, (path, "language switch missing")
