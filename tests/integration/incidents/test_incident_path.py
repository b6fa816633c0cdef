"""The incident path end to end over the real HTTP API, on SQLite and PostgreSQL: an
incident opened for a region and a category, 30 matching complaints linked at intake (the
prepared answer in each intake answer), one bulk reply that replies and audits all 30 with
one incident event, and 30 SMS notices handed to the recording adapter; another city's
staff neither see nor reply; phones masked where the complaints' rule masks them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from careloop.notify.adapters import Message, RecordingAdapter
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem, create

ANSWER = (
    "因东区光缆被施工挖断，宽带业务中断，抢修人员已到场，"
    "预计今晚 22 点前恢复，给您带来不便深表歉意。"
)


class KeepingAdapter(RecordingAdapter):
    """The recording adapter, also keeping what it was handed (what a gateway would get)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


@pytest.fixture
def sms(app) -> KeepingAdapter:  # type: ignore[no-untyped-def]
    adapter = KeepingAdapter()
    app.state.platform.adapters["sms"] = adapter
    return adapter


def open_incident(api: Api, clock: MovableClock, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "network_outage",
        "title": "东区宽带大面积中断",
        "prepared_answer": ANSWER,
        "regions": ["C1-K1"],
        "categories": ["broadband"],
        "starts_at": (clock.now - timedelta(hours=1)).isoformat(),
        **overrides,
    }
    response = api.as_("super1").post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_thirty_complaints_linked_replied_in_bulk_and_noticed(
    api: Api, clock: MovableClock, sms: KeepingAdapter
):
    incident = open_incident(api, clock)
    assert incident["status"] == "open" and incident["counts"]["linked"] == 0
    agent = api.as_("agent1")
    linked = []
    for i in range(30):
        answer = create(
            agent,
            customer={"phone": f"1391000{i:04d}", "name": "用户"},
            category="broadband.outage",
            region="C1-K1",
        )
        assert answer["incident"]["id"] == incident["id"], answer
        assert answer["incident"]["prepared_answer"] == ANSWER
        linked.append(answer)
    other_region = create(agent, region="C1-K2", category="broadband.outage")
    other_category = create(agent, region="C1-K1", category="billing.dispute", product="mobile")
    assert other_region["incident"] is None and other_category["incident"] is None

    shown = agent.get(f"/api/v1/complaints/{linked[0]['id']}").json()
    assert shown["incident"]["number"] == incident["number"]
    current = agent.get(f"/api/v1/incidents/{incident['id']}").json()
    assert current["counts"]["linked"] == 30 and current["counts"]["open"] == 30
    assert "bulk_reply" in current["allowed_actions"]

    done = agent.post(
        f"/api/v1/incidents/{incident['id']}/bulk-reply", json={"version": current["version"]}
    )
    assert done.status_code == 200, done.text
    result = done.json()
    assert sorted(result["replied"]) == sorted(c["id"] for c in linked)
    assert result["skipped"] == [] and result["notices_queued"] == 30
    assert result["incident"]["counts"]["replied"] == 30
    assert result["incident"]["counts"]["notices_sent"] == 30

    for complaint in linked:
        after = agent.get(f"/api/v1/complaints/{complaint['id']}").json()
        assert after["status"] == "replied" and after["reply_text"] == ANSWER
        events = agent.get(f"/api/v1/complaints/{complaint['id']}/events").json()
        replies = [e for e in events if e["action"] == "reply"]
        assert len(replies) == 1 and replies[0]["actor"] == "agent1"
        assert any(e["action"] == "link_incident" for e in events)
    for untouched in (other_region, other_category):
        assert agent.get(f"/api/v1/complaints/{untouched['id']}").json()["status"] == "accepted"

    trail = agent.get(f"/api/v1/incidents/{incident['id']}/events").json()
    bulk = [e for e in trail if e["action"] == "bulk_reply"]
    assert len(bulk) == 1
    assert bulk[0]["actor"] == "agent1" and bulk[0]["after"]["replied"] == 30

    # 30 notices reached the SMS adapter, each to its customer's full number ...
    assert len(sms.messages) == 30
    assert {m.recipient for m in sms.messages} == {f"tel:1391000{i:04d}" for i in range(30)}
    assert all(ANSWER in m.body for m in sms.messages)
    # ... and the outbox shows them sent, numbers masked to a unit lead.
    outbox = api.as_("lead1").get("/api/v1/sla/notifications", params={"kind": "incident"})
    assert outbox.status_code == 200, outbox.text
    listed = outbox.json()
    assert listed["total"] == 30
    assert all(m["status"] == "sent" and m["adapter"] == "recording" for m in listed["items"])

    # A second bulk reply finds nothing left to reply and tells no customer twice.
    again = agent.post(
        f"/api/v1/incidents/{incident['id']}/bulk-reply",
        json={"version": result["incident"]["version"]},
    ).json()
    assert again["replied"] == [] and again["notices_queued"] == 0
    assert {s["reason"] for s in again["skipped"]} == {"finished"}
    assert len(sms.messages) == 30

    report = api.as_("lead1").get(f"/api/v1/incidents/{incident['id']}/report").json()
    assert report["linked"] == 30 and report["replied"] == 30 and report["notices_sent"] == 30
    assert [(r["region_code"], r["linked"]) for r in report["rows"]] == [("C1-K1", 30)]
    csv = api.as_("lead1").get(
        f"/api/v1/incidents/{incident['id']}/report", params={"format": "csv"}
    )
    assert csv.status_code == 200 and "甲市东区" in csv.text


def test_another_citys_staff_neither_see_nor_reply(api: Api, clock: MovableClock):
    incident = open_incident(api, clock)
    create(api.as_("agent1"), region="C1-K1", category="broadband.outage")
    iid = incident["id"]
    # net2 works in C1's west district: the east district's outage is not theirs.
    outsider = api.as_("net2")
    assert_problem(outsider.get(f"/api/v1/incidents/{iid}"), 404, "not_found")
    assert_problem(outsider.get(f"/api/v1/incidents/{iid}/complaints"), 404, "not_found")
    assert outsider.get("/api/v1/incidents").json()["total"] == 0
    # A handler may read but not reply in bulk; the role is refused before the scope.
    assert_problem(
        outsider.post(f"/api/v1/incidents/{iid}/bulk-reply", json={"version": 1}),
        403,
        "role_not_allowed",
    )
    # The city's unit lead sees it (the district lies within the city).
    assert api.as_("lead1").get("/api/v1/incidents").json()["total"] == 1


def test_a_city_wide_incident_is_hidden_from_the_other_city(api: Api, clock: MovableClock):
    incident = open_incident(api, clock, regions=["C2"], categories=[])
    assert api.as_("agent1").get("/api/v1/incidents").json()["total"] == 0
    assert_problem(
        api.as_("agent1").post(
            f"/api/v1/incidents/{incident['id']}/bulk-reply", json={"version": 1}
        ),
        404,
        "not_found",
    )


def test_phones_are_masked_for_readers_not_involved(api: Api, clock: MovableClock):
    incident = open_incident(api, clock)
    create(
        api.as_("agent1"),
        customer={"phone": "13912345678"},
        region="C1-K1",
        category="broadband.outage",
    )
    path = f"/api/v1/incidents/{incident['id']}/complaints"
    owner = api.as_("agent1").get(path).json()["items"][0]
    assert owner["customer_phone"] == "13912345678"
    inspector = api.as_("inspector").get(path).json()["items"][0]
    assert "13912345678" not in inspector["customer_phone"]
    assert inspector["customer_phone"].startswith("139")
    handler = api.as_("net1").get(path).json()["items"][0]  # same district, not involved
    assert "13912345678" not in handler["customer_phone"]


def test_opening_links_the_open_complaints_accepted_since_the_start(api: Api, clock: MovableClock):
    early = create(api.as_("agent1"), region="C1-K1", category="broadband.outage")
    assert early["incident"] is None
    incident = open_incident(api, clock)
    assert incident["counts"]["linked"] == 1
    shown = api.as_("agent1").get(f"/api/v1/complaints/{early['id']}").json()
    assert shown["incident"]["id"] == incident["id"]
    trail = api.as_("super1").get(f"/api/v1/incidents/{incident['id']}/events").json()
    assert [e["action"] for e in trail] == ["open", "link_open"]
    assert trail[1]["after"] == {"linked": 1}


def test_refusals_name_the_problem_in_words(api: Api, clock: MovableClock):
    agent = api.as_("agent1")
    body = {
        "kind": "network_outage",
        "title": "x",
        "prepared_answer": "y",
        "regions": ["C1-K1"],
        "starts_at": clock.now.isoformat(),
    }
    assert_problem(agent.post("/api/v1/incidents", json=body), 403, "role_not_allowed")
    boss = api.as_("super1")
    unknown = boss.post("/api/v1/incidents", json={**body, "regions": ["NOPE"]})
    problem = assert_problem(unknown, 422, "invalid_input")
    assert "地区" in problem["detail"] and "NOPE" in problem["detail"]
    backwards = boss.post(
        "/api/v1/incidents",
        json={**body, "expected_end_at": (clock.now - timedelta(hours=2)).isoformat()},
        headers={"Accept-Language": "en"},
    )
    assert "before the start" in assert_problem(backwards, 422, "invalid_input")["detail"]
    opened = boss.post("/api/v1/incidents", json=body).json()
    resolved = boss.post(
        f"/api/v1/incidents/{opened['id']}/resolve", json={"version": opened["version"]}
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    # Resolved: no more edits or links, but a reply is still owed to late complaints.
    assert resolved.json()["allowed_actions"] == ["bulk_reply"]
    twice = boss.post(
        f"/api/v1/incidents/{opened['id']}/resolve", json={"version": resolved.json()["version"]}
    )
    assert "已恢复" in assert_problem(twice, 409, "incident_resolved")["detail"]
    stale = boss.patch(f"/api/v1/incidents/{opened['id']}", json={"version": 1, "title": "z"})
    assert_problem(stale, 409, "version_conflict")
