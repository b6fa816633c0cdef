"""No untranslated key on any page, in Chinese or in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from careloop.web.i18n import LANGUAGES, MISSING_MARK, catalogue
from tests.conftest import Api, LiveServer
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import web_client

WEB = Path(__file__).parents[3] / "src" / "careloop" / "web"
_LITERAL = re.compile(r"""\bt\(\s*['"]([a-z0-9_.]+)['"]\s*[,)]""")
"""Literal keys only; keys built from data (``'clock.state.' ~ state``) are covered by
rendering every page in every state below."""


def test_both_catalogues_have_the_same_keys_and_no_empty_text():
    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en), set(zh) ^ set(en)
    assert all(zh.values()) and all(en.values())


def test_every_literal_key_in_templates_and_code_is_in_the_catalogue():
    sources = [*WEB.rglob("*.html"), *WEB.rglob("*.py")]
    used = {key for path in sources for key in _LITERAL.findall(path.read_text("utf-8"))}
    assert used, "the scan found the t('…') calls"
    for lang in LANGUAGES:
        assert used <= set(catalogue(lang)), (lang, sorted(used - set(catalogue(lang))))


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
