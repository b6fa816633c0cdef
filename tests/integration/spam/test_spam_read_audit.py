"""A spam report's reporter is personal data like a complaint's phone: every answer or page
that shows it (or a forwarded text quoting a number) unmasked is one ``personal_data_read``
security event naming the reports, as is an enforcement case whose evidence or notes quote a
subscriber; masked answers and reports without personal data are not reads."""

from __future__ import annotations

import httpx

from tests.conftest import Api, MovableClock
from tests.integration.privacy.test_export_privacy import security_events
from tests.integration.spam.test_enforcement_api import open_case, post, the_case

FORWARDED = "【贷款】无抵押当天放款，联系经理 13712345678 办理"
INTERCEPTED = "【积分商城】您的积分即将清零，请登录兑换礼品"


def _reads(database_url: str) -> list[tuple[str, str, list[int], list[int]]]:
    return [
        (user, detail["via"], detail["complaints"], detail.get("spam_reports", []))
        for _kind, user, detail in security_events(database_url, "personal_data_read")
    ]


def _page(api: Api, user: str) -> httpx.Client:
    return httpx.Client(
        base_url=api.base_url, timeout=30, cookies={"careloop_session": api.token(user) or ""}
    )


def test_unmasked_spam_reporters_are_audited_and_masked_reads_are_not(api: Api, database_url: str):
    forwarded = api.as_("agent1").post(
        "/api/v1/spam/forwarded",
        json={
            "message_id": "gw-audit-1",
            "reporter_phone": "13912345678",
            "sender": "10657000111",
            "text": FORWARDED,
            "received_at": "2026-09-28T09:00:00+08:00",
            "region": "C1-K1",
        },
    )
    assert forwarded.status_code == 201, forwarded.text
    report_id = forwarded.json()["id"]
    batch = {
        "batch_id": "smsc-audit",
        "region": "C1",
        "intercepted_at": "2026-09-28T08:00:00+08:00",
        "items": [{"key": "1", "sender": "10659000222", "text": INTERCEPTED, "count": 40}],
    }
    assert api.as_("admin").post("/api/v1/spam/interceptions", json=batch).status_code == 201
    assert _reads(database_url) == []  # answers to a creation echo what was sent

    # Masked for the regulator's inspector and for a handler not involved: no reads.
    inspector = api.as_("inspector")
    shown = inspector.get(f"/api/v1/spam/reports/{report_id}").json()
    assert shown["reporter_phone"] == "139****5678" and "13712345678" not in shown["text"]
    assert inspector.get("/api/v1/spam/reports").status_code == 200
    assert inspector.get("/api/v1/spam/campaigns").status_code == 200
    assert api.as_("net1").get(f"/api/v1/spam/reports/{report_id}").status_code == 200
    assert _reads(database_url) == []

    # The province's supervisor reads them in full: one event per request, naming only the
    # report with personal data (the interception has no reporter and quotes nobody).
    supervisor = api.as_("super1")
    listed = supervisor.get("/api/v1/spam/reports").json()
    assert listed["total"] == 2
    by_source = {r["source"]: r for r in listed["items"]}
    assert by_source["forwarded"]["reporter_phone"] == "13912345678"
    campaigns = supervisor.get("/api/v1/spam/campaigns").json()["items"]
    assert [c["sample_text"] for c in campaigns] == [FORWARDED]  # reported by somebody
    intercepted_campaign = by_source["interception"]["campaign_id"]
    page = _page(api, "super1")
    assert page.get(f"/spam/campaigns/{intercepted_campaign}").status_code == 200
    assert page.get(f"/spam/campaigns/{campaigns[0]['id']}").status_code == 200
    assert supervisor.get(f"/api/v1/spam/reports/{by_source['interception']['id']}").is_success
    assert _reads(database_url) == [
        ("super1", "GET /api/v1/spam/reports", [], [report_id]),
        ("super1", "GET /api/v1/spam/campaigns", [], [report_id]),
        ("super1", f"GET /spam/campaigns/{campaigns[0]['id']}", [], [report_id]),
    ]


def test_an_enforcement_case_quoting_a_subscriber_is_a_read_for_those_who_see_it_in_full(
    api: Api, database_url: str, clock: MovableClock
):
    open_case(database_url, clock)
    case = the_case(api, "net1")
    evidence = "用户 13812345678 回复0000退订后仍收到该端口的营销短信"
    warned = post(api.as_("net1"), case, "sanctions", action="warn", evidence=evidence)
    assert warned.status_code == 200 and warned.json()["evidence"] == evidence
    via = f"/api/v1/spam-enforcement/cases/{case['id']}"
    assert _reads(database_url) == [("net1", f"POST {via}/sanctions", [], [])]
    assert security_events(database_url, "personal_data_read")[0][2]["spam_cases"] == [case["id"]]

    inspector = api.as_("inspector")
    masked = inspector.get(via).json()
    assert "13812345678" not in masked["evidence"] and "138****5678" in masked["evidence"]
    assert inspector.get(f"{via}/trail").status_code == 200
    assert len(_reads(database_url)) == 1
    assert api.as_("super1").get(f"{via}/trail").status_code == 200
    (_, user, detail) = security_events(database_url, "personal_data_read")[-1]
    assert (user, detail["via"], detail["spam_cases"]) == (
        "super1",
        f"GET {via}/trail",
        [case["id"]],
    )
