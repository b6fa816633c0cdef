"""POST /api/v1/complaints/batch: bulk intake keeps every rule of single intake."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, complaint_body


def _item(key: str | None, phone: str = "13812345678", **overrides: Any) -> dict[str, Any]:
    body = complaint_body(customer={"phone": phone, "name": "孙女士"}, **overrides)
    if key is not None:
        body["idempotency_key"] = key
    return body


def test_batch_accepts_valid_items_and_reports_each_invalid_one(api: Api):
    agent = api.as_("agent1", lang="en")
    items = [
        _item("imp-1", "13800000001"),
        _item("imp-2", "13800000002", region="NOWHERE"),
        _item("imp-3", "not a phone"),
        {"channel": "hotline", "idempotency_key": "imp-4"},  # no customer, category ...
        _item("imp-5", "13800000005", category="billing.dispute"),
    ]
    response = agent.post("/api/v1/complaints/batch", json={"items": items})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["created"], answer["replayed"], answer["errors"]) == (2, 0, 3)
    results = answer["items"]
    assert [r["result"] for r in results] == ["created", "error", "error", "error", "created"]
    assert [r["idempotency_key"] for r in results] == [f"imp-{i}" for i in range(1, 6)]
    assert results[1]["problem"]["code"] == "invalid_input"
    assert results[1]["problem"]["field"] == "region"
    assert results[2]["problem"]["field"] == "customer.phone"
    assert results[3]["problem"]["code"] == "invalid_input"
    assert {"customer", "category"} <= {e["field"] for e in results[3]["problem"]["errors"]}
    created = results[0]["complaint"]
    assert created["number"].startswith("TS") and created["status"] == "accepted"
    full = agent.get(created["location"]).json()
    assert full["first_owner"] == "agent1" and full["version"] == created["version"]
    assert full["sla"]["policy"] is not None
    assert full["reply_due_at"].startswith(created["reply_due_at"][:16])


def test_resending_a_whole_batch_replays_it_without_duplicates(api: Api):
    agent = api.as_("agent1")
    items = [_item(f"feed-{i}", f"1390000000{i}") for i in range(4)]
    first = agent.post("/api/v1/complaints/batch", json={"items": items}).json()
    again = agent.post("/api/v1/complaints/batch", json={"items": items}).json()
    assert first["created"] == 4
    assert (again["created"], again["replayed"], again["errors"]) == (0, 4, 0)
    assert [r["complaint"]["id"] for r in again["items"]] == [
        r["complaint"]["id"] for r in first["items"]
    ]
    listed = agent.get("/api/v1/complaints", params={"phone": "13900000001"}).json()
    assert listed["total"] == 1
    changed = [_item("feed-0", "13900000000", description="另一份不同的投诉内容")]
    mismatch = agent.post("/api/v1/complaints/batch", json={"items": changed}).json()
    assert mismatch["items"][0]["problem"]["code"] == "idempotency_mismatch"
    # The same key twice in one batch: the second is a replay of the first.
    twice = [_item("dup-1", "13700000001"), _item("dup-1", "13700000001")]
    both = agent.post("/api/v1/complaints/batch", json={"items": twice}).json()
    assert [r["result"] for r in both["items"]] == ["created", "replayed"]
    assert both["items"][0]["complaint"]["id"] == both["items"][1]["complaint"]["id"]


def test_repeat_detection_spans_earlier_complaints_and_the_batch_itself(api: Api):
    agent = api.as_("agent1")
    earlier = agent.post(
        "/api/v1/complaints", json=_item(None, "13611112222", category="network.coverage")
    ).json()
    items = [
        _item("rep-1", "13611112222", category="network.dropped_calls"),  # repeats `earlier`
        _item("rep-2", "13633334444", category="billing.dispute"),
        _item("rep-3", "13633334444", category="billing.unknown_deduction"),  # repeats rep-2
        _item("rep-4", "13633334444", category="network.coverage"),  # other category: new
    ]
    results = agent.post("/api/v1/complaints/batch", json={"items": items}).json()["items"]
    refs = [r["complaint"] for r in results]
    assert [r["result"] for r in results] == ["created"] * 4
    assert refs[0]["is_repeat"] and refs[0]["repeat_of_id"] == earlier["id"]
    assert not refs[1]["is_repeat"]
    assert refs[2]["is_repeat"] and refs[2]["repeat_of_id"] == refs[1]["id"]
    assert not refs[3]["is_repeat"]
    events = agent.get(f"/api/v1/complaints/{refs[2]['id']}/events").json()
    assert [e["action"] for e in events] == ["accept", "link_repeat"]
    accept = events[0]
    assert accept["actor"] == "agent1"
    assert accept["after"]["number"] == refs[2]["number"]
    assert accept["after"]["repeat_of_id"] == refs[1]["id"]
    assert accept["after"]["first_owner_id"] is not None


def test_batch_events_are_one_accept_per_complaint(api: Api):
    agent = api.as_("agent2")
    items = [_item(f"ev-{i}", f"1350000000{i}") for i in range(3)]
    refs = [
        r["complaint"]
        for r in agent.post("/api/v1/complaints/batch", json={"items": items}).json()["items"]
    ]
    for ref in refs:
        events = agent.get(f"/api/v1/complaints/{ref['id']}/events").json()
        assert [(e["action"], e["actor"]) for e in events] == [("accept", "agent2")]
        assert events[0]["before"] is None
        assert events[0]["after"]["status"] == "accepted"


def test_a_role_that_may_not_accept_is_refused(api: Api):
    inspector = api.as_("inspector")
    response = inspector.post("/api/v1/complaints/batch", json={"items": [_item("x-1")]})
    assert_problem(response, 403, "role_not_allowed")


def test_oversize_batch_is_a_problem_naming_the_field(api: Api):
    agent = api.as_("agent1")
    items = [_item(f"big-{i}", f"1380000{i:04d}") for i in range(501)]
    response = agent.post("/api/v1/complaints/batch", json={"items": items})
    problem = assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in problem["errors"]] == ["items"]
    empty = agent.post("/api/v1/complaints/batch", json={"items": []})
    assert_problem(empty, 422, "invalid_input")


def test_an_import_is_not_held_to_an_agents_pace(api: Api):
    # The hotline limit is 120 complaints a minute per agent; an import of 200 rows goes
    # through the bulk budget in one call.
    items = [_item(f"pace-{i}", f"1370000{i:04d}") for i in range(200)]
    answer = api.as_("agent1").post("/api/v1/complaints/batch", json={"items": items}).json()
    assert (answer["created"], answer["errors"]) == (200, 0)


def test_the_bulk_budget_is_charged_per_item_all_or_none(api: Api, app, clock):  # type: ignore[no-untyped-def]
    from careloop.api.ratelimit import TokenBucket

    app.state.batch_limiter = TokenBucket(5)
    agent = api.as_("agent1")

    def post(keys: list[str]) -> Any:
        items = [_item(k, f"1360000{i:04d}") for i, k in enumerate(keys)]
        return agent.post("/api/v1/complaints/batch", json={"items": items})

    assert post(["b-1", "b-2", "b-3"]).json()["created"] == 3
    limited = post(["b-4", "b-5", "b-6"])
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert agent.get("/api/v1/complaints", params={"phone": "13600000000"}).json()["total"] == 1
    assert_problem(post([f"c-{i}" for i in range(6)]), 422, "invalid_input")
    clock.advance(minutes=1)
    assert post(["b-4", "b-5", "b-6"]).json()["created"] == 3
