"""The spam pages over real HTTP: the campaign list with reporter counts and port, a campaign
with its reports masked by role, the port registry's edit form (the version read; a stale
one answers 409 with a banner in words), its import refusing bad rows by row, and scope."""

from __future__ import annotations

import re

from tests.conftest import Api
from tests.security.probes import csrf_token, post_form, web_client

CAMPAIGN_TEXTS = [
    "【工商银行】您的积分12580即将清零，请登录 http://t.cn/A6x 兑换礼品",
    "【工商银行】您的积分 99 即将清零！请登录 icbc.vip/q 兑换礼品 ~~",
    "【工商银行】您的积分7即将清零，请登录t.cn/zz兑换礼品😀",
]


def _seed(api: Api) -> dict:  # type: ignore[type-arg]
    admin = api.as_("admin")
    port = admin.post(
        "/api/v1/spam/ports",
        json={"number": "106575551234", "owner_kind": "enterprise", "owner_name": "甲科技公司"},
    ).json()
    for i, text in enumerate(CAMPAIGN_TEXTS):
        response = api.as_("agent1").post(
            "/api/v1/spam/forwarded",
            json={
                "message_id": f"gw-{i}",
                "reporter_phone": f"1391234567{i}",
                "sender": f"10657555123401{i}",
                "text": text,
                "received_at": "2026-09-28T09:00:00+08:00",
                "region": "C1-K1",
            },
        )
        assert response.status_code == 201, response.text
    return port


def test_pages_list_campaigns_show_reports_masked_and_edit_ports_with_the_version(api: Api):
    port = _seed(api)
    supervisor = web_client(api, "super1")
    listing = supervisor.get("/spam")
    assert listing.status_code == 200
    assert "垃圾短信举报" in listing.text and "甲科技公司" in listing.text
    row = re.search(
        r'data-campaign="(\d+)".*?data-testid="reporters"><strong>(\d+)', listing.text, re.S
    )
    assert row and row.group(2) == "3"
    campaign = supervisor.get(f"/spam/campaigns/{row.group(1)}")
    assert "13912345670" in campaign.text
    inspector = web_client(api, "inspector", lang="en").get(f"/spam/campaigns/{row.group(1)}")
    assert inspector.status_code == 200 and "139****5670" in inspector.text
    assert "13912345670" not in inspector.text and "Spam campaign" in inspector.text
    assert web_client(api, "net2").get(f"/spam/campaigns/{row.group(1)}").status_code == 404

    page = f"/spam/ports/{port['id']}"
    token = csrf_token(supervisor, page)
    saved = post_form(
        supervisor, page, token, version=port["version"], owner_name="甲科技有限公司",
        owner_kind="enterprise", status="warned", allowed_kinds="marketing",
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    shown = supervisor.get(saved.headers["location"]).text
    assert "端口已保存" in shown and "已警告" in shown and "正常 → 已警告" in shown
    stale = post_form(supervisor, page, token, version=port["version"], owner_name="旧读数")
    assert stale.status_code == 409 and "请刷新后重试" in stale.text

    token = csrf_token(supervisor, "/spam/ports")
    bad = supervisor.post(
        "/spam/ports/import",
        data={"csrf_token": token},
        files={"file": ("ports.csv", "端口号码,归属客户\n10651234,乙公司\n".encode(), "text/csv")},
    )
    assert bad.status_code == 422 and "第 2 行「端口号码」" in bad.text
    agent = web_client(api, "agent1")
    assert "register-port" not in agent.get("/spam/ports").text
