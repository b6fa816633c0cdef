"""The unsubscribe (0000) and consent rules hold for every report source: a complaint that
says so, a forwarded SMS and an interception item that state it, and a 12321 row's
violation column each make a serious report, and serious reports of one port's day open an
enforcement case whatever their volume."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, create

PORT = "106575551234"
DAY = "2026-09-28"
COMPLAINT = (
    f"我收到{PORT}01发来的短信，内容为“【某某贷】无抵押当天放款，点击 t.cn/d1 申请”，"
    "回复0000退订后仍在发送。"
)


def test_every_source_flags_messages_sent_after_an_unsubscribe_or_without_consent(api: Api, app):
    app.state.platform.events.queue = None  # queued handlers run in this process
    admin = api.as_("admin", lang="en")
    port = admin.post(
        "/api/v1/spam/ports",
        json={"number": PORT, "owner_kind": "enterprise", "owner_name": "甲贷款公司"},
    )
    assert port.status_code == 201, port.text
    create(api.as_("agent1"), category="spam.sms", description=COMPLAINT)

    def forward(key: str, **extra: str):  # type: ignore[no-untyped-def]
        body = {
            "message_id": key,
            "reporter_phone": "13912345678",
            "sender": f"{PORT}02",
            "text": "【某某贷】无抵押当天放款，点击 t.cn/d2 申请",
            "received_at": f"{DAY}T09:00:00+08:00",
            "region": "C1-K1",
            **extra,
        }
        return api.as_("agent1").post("/api/v1/spam/forwarded", json=body)

    assert forward("gw-1", serious_reason="no_consent").status_code == 201
    assert forward("gw-2").status_code == 201  # said nothing: not serious
    assert_problem(forward("gw-3", serious_reason="annoying"), 422, "invalid_input")
    batch = {
        "batch_id": "smsc-serious",
        "region": "C1",
        "intercepted_at": f"{DAY}T08:00:00+08:00",
        "items": [
            {
                "key": "1",
                "sender": f"{PORT}03",
                "text": "【某某贷】无抵押当天放款，点击 t.cn/d3 申请",
                "count": 500,
                "serious_reason": "after_unsubscribe",
            }
        ],
    }
    assert admin.post("/api/v1/spam/interceptions", json=batch).status_code == 201
    transfer = (
        "举报编号,举报号码,被举报号码,短信内容,举报时间,违规情形\n"
        f"S1,13900000001,{PORT}04,【某某贷】无抵押当天放款,{DAY} 08:00,未经同意发送\n"
        f"S2,13900000002,{PORT}05,【某某贷】无抵押当天放款!,{DAY} 08:05,\n"
    )
    imported = api.as_("super1").post(
        "/api/v1/spam/transfers", params={"region": "C1"}, content=transfer.encode()
    )
    assert imported.json()["imported"] == 2, imported.text

    serious = admin.get("/api/v1/spam/reports", params={"serious": "true"}).json()["items"]
    assert sorted((r["source"], r["serious_label"]) for r in serious) == [
        ("complaint", "Sent after an unsubscribe"),
        ("forwarded", "Sent without consent"),
        ("interception", "Sent after an unsubscribe"),
        ("transfer_12321", "Sent without consent"),
    ]
    assert {r["port_number"] for r in serious} == {PORT}
    assert admin.get("/api/v1/spam/reports", params={"serious": "false"}).json()["total"] == 2

    # Six reports from five people are far below the volume thresholds; four serious ones
    # open a case all the same, one step more severe.
    supervisor = api.as_("super1", lang="en")
    opened = supervisor.post("/api/v1/spam-enforcement/openings", json={"day": DAY}).json()
    assert opened["spam_cases_opened"] == 1, opened
    [case] = supervisor.get("/api/v1/spam-enforcement/cases").json()["items"]
    assert (case["port_number"], case["reasons"], case["severity"]) == (
        PORT,
        ["serious"],
        "major",
    )
