"""规则目录 (/accountability/rules) over the real server: every rule a case can cite with its
penalty, in Chinese first and in English, for every role that reads cases (an agent too);
the case list and each case link to their rule, and a case links to its source whatever it
is (an inspection's page, a rectification task's page)."""

from __future__ import annotations

import re

from careloop.domain.supervision.accountability import DEFAULT_RULES
from tests.conftest import Api, LiveServer
from tests.integration.web.helpers import web_client

BASE = "/api/v1/accountability"


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_rule_catalogue_reads_for_everyone_and_cases_link_to_rule_and_source(
    server: LiveServer, api: Api
) -> None:
    agent = web_client(server.url, "agent1")
    page = agent.get("/accountability/rules")
    assert page.status_code == 200 and "责任追究规则目录" in page.text
    for rule in DEFAULT_RULES.values():
        assert f'id="rule-{rule.code}"' in page.text and rule.name_zh in page.text
    assert "¥2,000.00" in page.text and "扣 10 分" in page.text and "一票否决" in page.text
    for code in ("escalated_overdue", "⟦", "True"):
        assert code not in _text(page.text), code
    english = web_client(server.url, "agent1", lang="en").get("/accountability/rules").text
    assert "Rules of accountability" in english and "One-vote veto" in english
    assert "Escalated complaint not settled in time" in english and "⟦" not in english
    listed = api.as_("agent1").get(f"{BASE}/rules").json()
    assert {r["code"] for r in listed} == set(DEFAULT_RULES)

    boss = api.as_("super1")
    opened = {}
    for kind, source_id in (("inspection", 12), ("rectification", 34)):
        body = {
            "source": {
                "kind": kind,
                "id": source_id,
                "item": "S-03" if kind == "inspection" else "",
            },
            "unit": "C1-K1",
            "rule": "inspection_failure" if kind == "inspection" else "rectification_overdue",
            "summary": "暗访发现营业厅未公示资费标准",
        }
        answer = boss.post(f"{BASE}/cases", json=body)
        assert answer.status_code == 201, answer.text
        opened[kind] = answer.json()["id"]
    supervisor = web_client(server.url, "super1")
    listing = supervisor.get("/accountability").text
    assert 'href="/accountability/rules"' in listing and "规则目录" in listing
    assert 'href="/accountability/rules#rule-inspection_failure"' in listing
    inspection_case = supervisor.get(f"/accountability/cases/{opened['inspection']}").text
    assert 'href="/inspections/12"' in inspection_case
    assert 'href="/accountability/rules#rule-inspection_failure"' in inspection_case
    task_case = supervisor.get(f"/accountability/cases/{opened['rectification']}").text
    assert 'href="/rectifications/34"' in task_case
