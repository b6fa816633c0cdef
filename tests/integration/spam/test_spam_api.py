"""The spam API over real HTTP on SQLite and PostgreSQL: a spam complaint becomes a report,
forwarded SMS and interception batches are stored once, reports and campaigns are scoped by
region and masked by role, ports are edited with the version read (409), files are imported
with their bad rows named, labels are kept for training, and refusals are in words."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, create

SPAM_TEXT = (
    "我收到10657555123401发来的短信，内容为“【工商银行】您的积分12580即将清零，请登录 "
    "http://t.cn/A6x 兑换礼品”，回复TD退订无效，仍在发送。"
)


def _forward(api: Api, who: str, key: str, region: str = "C1-K1", **over: Any):  # type: ignore[no-untyped-def]
    body = {
        "message_id": key,
        "reporter_phone": "13912345678",
        "sender": "10657555123402",
        "text": "【工商银行】您的积分 99 即将清零！请登录 icbc.vip/q 兑换礼品",
        "received_at": "2026-09-28T09:00:00+08:00",
        "region": region,
        **over,
    }
    return api.as_(who).post("/api/v1/spam/forwarded", json=body)


def test_reports_from_complaints_sms_and_interception_are_one_campaign_scoped_and_masked(
    api: Api, app
):
    app.state.platform.events.queue = None  # queued handlers run in this process
    admin = api.as_("admin")
    port = admin.post(
        "/api/v1/spam/ports",
        json={"number": "106575551234", "owner_kind": "enterprise", "owner_name": "甲科技公司"},
    )
    assert port.status_code == 201, port.text
    complaint = create(api.as_("agent1"), category="spam.sms", description=SPAM_TEXT)
    forwarded = _forward(api, "agent1", "gw-1")
    assert forwarded.status_code == 201 and forwarded.json()["created"], forwarded.text
    assert _forward(api, "agent1", "gw-1").json() == {
        "id": forwarded.json()["id"],
        "created": False,
    }
    batch = {
        "batch_id": "smsc-1",
        "region": "C1",
        "items": [
            {
                "key": "1",
                "sender": "1065755512349",
                "text": "【工商银行】您的积分7即将清零，请登录t.cn/zz兑换礼品",
                "count": 1200,
            }
        ],
        "intercepted_at": "2026-09-28T08:00:00+08:00",
    }
    stored = admin.post("/api/v1/spam/interceptions", json=batch)
    assert stored.status_code == 201 and stored.json()["created"] == 1, stored.text
    assert admin.post("/api/v1/spam/interceptions", json=batch).json()["duplicates"] == 1

    listed = admin.get("/api/v1/spam/reports").json()
    assert listed["total"] == 3
    by_source = {r["source"]: r for r in listed["items"]}
    from_complaint = by_source["complaint"]
    assert from_complaint["complaint_id"] == complaint["id"]
    assert from_complaint["port_number"] == "106575551234" and from_complaint["serious"]
    assert from_complaint["text"].startswith("【工商银行】")
    assert from_complaint["reporter_phone"] == "13812345678"
    campaigns = admin.get("/api/v1/spam/campaigns").json()
    assert campaigns["total"] == 1
    campaign = campaigns["items"][0]
    assert (campaign["reports"], campaign["reporters"], campaign["messages"]) == (3, 2, 1202)
    assert campaign["port_owner"] == "甲科技公司"

    # The regulator's inspector reads it masked; the west district does not see it at all.
    masked = api.as_("inspector").get(f"/api/v1/spam/reports/{from_complaint['id']}").json()
    assert masked["reporter_phone"] == "138****5678"
    west = api.as_("net2")
    assert west.get("/api/v1/spam/reports").json()["total"] == 0
    assert_problem(west.get(f"/api/v1/spam/reports/{from_complaint['id']}"), 404, "not_found")
    assert_problem(west.get(f"/api/v1/spam/campaigns/{campaign['id']}"), 404, "not_found")
    east = api.as_("net1").get(f"/api/v1/spam/campaigns/{campaign['id']}").json()
    assert (east["reports"], east["reporters"]) == (2, 2)

    labelled = api.as_("agent1").post(
        f"/api/v1/spam/reports/{from_complaint['id']}/label",
        json={"spam": True, "kind": "fraud"},
    )
    assert labelled.status_code == 200 and labelled.json()["label_kind"] == "fraud"
    refused = api.as_("inspector", lang="en").post(
        f"/api/v1/spam/reports/{from_complaint['id']}/label", json={"spam": False}
    )
    assert_problem(refused, 403, "role_not_allowed")


def test_ports_are_edited_with_the_version_read_and_refused_in_the_callers_language(api: Api):
    admin = api.as_("admin", lang="en")
    bad = admin.post(
        "/api/v1/spam/ports",
        json={"number": "10651234567", "owner_kind": "enterprise", "owner_name": "x"},
    )
    problem = assert_problem(bad, 422, "invalid_input")
    assert "10657, 10655, 10659 or 1069" in problem["detail"]
    port = admin.post(
        "/api/v1/spam/ports",
        json={
            "number": "1069 0123 4567",
            "owner_kind": "sp",
            "owner_name": "乙SP",
            "allowed_kinds": ["verification"],
        },
    ).json()
    assert (port["number"], port["operator_label"]) == ("106901234567", "All three networks")
    path = f"/api/v1/spam/ports/{port['id']}"
    changed = admin.patch(path, json={"version": port["version"], "status": "suspended"})
    assert changed.status_code == 200 and changed.json()["status"] == "suspended"
    stale = api.as_("super1").patch(path, json={"version": port["version"], "note": "x"})
    assert_problem(stale, 409, "version_conflict")
    assert "刷新" in stale.json()["detail"]
    history = admin.get(f"{path}/history").json()
    assert [h["action"] for h in history] == ["register", "edit"]
    assert history[1]["changes"] == ["Status: Active → Suspended"]
    assert_problem(
        api.as_("agent1").patch(path, json={"version": 2, "note": "x"}), 403, "role_not_allowed"
    )
    assert api.as_("inspector").get(path).status_code == 200


def test_files_are_imported_with_bad_rows_named_and_nothing_stored_twice(api: Api):
    admin = api.as_("super1")
    ports_csv = "端口号码,归属客户,归属类型\n106575551234,甲公司,集团客户\n10657,乙公司,集团客户\n"
    refused = admin.post("/api/v1/spam/ports/import", content=ports_csv.encode())
    assert refused.status_code == 200 and not refused.json()["imported"]
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(3, "number")]
    transfer = (
        "举报编号,举报号码,被举报号码,短信内容,举报时间\n"
        "A1,13900000001,106575551234,【贷款】无抵押当天放款,2026-09-28 08:00\n"
        "A2,13900000002,106575551234,【贷款】无抵押当天放款!!,2026-09-28 08:05\n"
        "A3,13900000003,95588,【贷款】无抵押当天放款,2026-09-28 08:06\n"
    )
    first = admin.post(
        "/api/v1/spam/transfers", params={"region": "C1"}, content=transfer.encode()
    ).json()
    assert (first["imported"], first["duplicates"]) == (2, 0)
    assert [(e["row"], e["column"], e["column_label"]) for e in first["errors"]] == [
        (4, "sender", "被举报号码")
    ]
    again = admin.post(
        "/api/v1/spam/transfers", params={"region": "C1"}, content=transfer.encode()
    ).json()
    assert (again["imported"], again["duplicates"]) == (0, 2)
    assert_problem(
        api.as_("agent1").post(
            "/api/v1/spam/transfers", params={"region": "C1"}, content=transfer.encode()
        ),
        403,
        "role_not_allowed",
    )
    outside = api.as_("lead1").post(
        "/api/v1/spam/transfers", params={"region": "C2"}, content=transfer.encode()
    )
    assert_problem(outside, 422, "invalid_input")
