"""The incident pages: a supervisor opens one through the form, the agent sees the linked
complaints (Chinese first, no codes or UTC stamps) and replies to all behind the
confirmation; masked numbers for readers not involved."""

from __future__ import annotations

import re

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import create
from tests.integration.web.helpers import csrf_token, version_of, web_client

ANSWER = "东区光缆中断，抢修中，预计今晚恢复。"


def _open_through_the_form(server: LiveServer) -> int:
    boss = web_client(server.url, "super1")
    form = boss.get("/incidents/new")
    assert form.status_code == 200 and "发布突发事件" in form.text
    assert "甲市东区" in form.text and 'C1-K1"' in form.text  # names shown, codes as values
    response = boss.post(
        "/incidents",
        data={
            "csrf_token": csrf_token(boss, "/incidents/new"),
            "kind": "network_outage",
            "title": "东区宽带中断",
            "regions": ["C1-K1"],
            "category": "broadband",
            "starts_at": "2026-09-28T09:00",
            "prepared_answer": ANSWER,
            "link_open_complaints": "1",
        },
    )
    assert response.status_code == 303, response.text
    found = re.match(r"/incidents/(\d+)\?done=opened", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def test_open_link_and_reply_to_all_through_the_pages(
    server: LiveServer, api: Api, clock: MovableClock
):
    iid = _open_through_the_form(server)
    agent_api = api.as_("agent1")
    made = [
        create(agent_api, customer={"phone": f"1390000000{i}"}, category="broadband.outage")
        for i in range(3)
    ]
    agent = web_client(server.url, "agent1")
    complaint_page = agent.get(f"/complaints/{made[0]['id']}").text
    assert "此投诉属于突发事件" in complaint_page and ANSWER in complaint_page
    listing = agent.get("/incidents")
    assert listing.status_code == 200 and "东区宽带中断" in listing.text
    page = agent.get(f"/incidents/{iid}")
    assert page.status_code == 200
    html = page.text
    assert ANSWER in html and "关联投诉（3 件）" in html and "一键答复" in html
    assert "network_outage" not in html and "+00:00" not in html and "UTC" not in html
    # Without the confirmation ticked nothing is replied.
    refused = agent.post(
        f"/incidents/{iid}/bulk-reply",
        data={"csrf_token": csrf_token(agent, f"/incidents/{iid}"), "version": version_of(html)},
    )
    assert refused.status_code == 422 and "确认" in refused.text
    assert agent_api.get(f"/api/v1/incidents/{iid}").json()["counts"]["open"] == 3
    done = agent.post(
        f"/incidents/{iid}/bulk-reply",
        data={
            "csrf_token": csrf_token(agent, f"/incidents/{iid}"),
            "version": version_of(html),
            "confirm": "1",
        },
    )
    assert done.status_code == 303, done.text
    after = agent.get(done.headers["location"]).text
    assert "已一键答复" in after and "已发送" in after
    assert agent_api.get(f"/api/v1/incidents/{iid}").json()["counts"]["replied"] == 3


def test_the_page_masks_numbers_and_hides_other_cities(server: LiveServer, api: Api):
    iid = _open_through_the_form(server)
    create(api.as_("agent1"), customer={"phone": "13912345678"}, category="broadband.outage")
    inspector = web_client(server.url, "inspector").get(f"/incidents/{iid}")
    assert inspector.status_code == 200 and "13912345678" not in inspector.text
    assert "139****5678" in inspector.text
    assert "13912345678" in web_client(server.url, "agent1").get(f"/incidents/{iid}").text
    outsider = web_client(server.url, "net2").get(f"/incidents/{iid}")
    assert outsider.status_code == 404 and "东区宽带中断" not in outsider.text
