"""Intake never loses, duplicates or silently changes a complaint."""

from __future__ import annotations

import json
import threading

import httpx

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, complaint_body, create


def _count(api: Api) -> int:
    return api.as_("admin").get("/api/v1/complaints", params={"limit": 1}).json()["total"]


def test_same_idempotency_key_twice_yields_one_complaint(api: Api):
    agent = api.as_("agent1")
    first = agent.post(
        "/api/v1/complaints", json=complaint_body(), headers={"Idempotency-Key": "call-42"}
    )
    again = agent.post(
        "/api/v1/complaints", json=complaint_body(), headers={"Idempotency-Key": "call-42"}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert _count(api) == 1


def test_idempotency_key_in_the_body_works_too(api: Api):
    agent = api.as_("agent1")
    body = complaint_body(idempotency_key="form-7")
    ids = {agent.post("/api/v1/complaints", json=body).json()["id"] for _ in range(3)}
    assert len(ids) == 1 and _count(api) == 1


def test_same_key_with_different_content_is_refused_not_overwritten(api: Api):
    agent = api.as_("agent1", lang="en")
    create(agent, key="call-43")
    response = agent.post(
        "/api/v1/complaints",
        json=complaint_body(description="另一件事"),
        headers={"Idempotency-Key": "call-43"},
    )
    assert_problem(response, 409, "idempotency_mismatch")
    assert _count(api) == 1


def test_concurrent_retries_with_one_key_create_one_complaint(api: Api):
    results: list[httpx.Response] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        with api.as_("agent1") as client:
            barrier.wait()
            results.append(
                client.post(
                    "/api/v1/complaints",
                    json=complaint_body(),
                    headers={"Idempotency-Key": "burst-1"},
                )
            )

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert _count(api) == 1


def test_two_concurrent_updates_with_one_version_give_one_success_and_one_409(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    results: list[httpx.Response] = []
    barrier = threading.Barrier(2)
    bodies = [
        ("pause", {"version": c["version"], "reason": "等客户提供截图"}),
        ("handle", {"version": c["version"]}),
    ]

    def fire(action: str, body: dict[str, object]) -> None:
        with api.as_("agent1") as client:
            barrier.wait()
            results.append(client.post(f"/api/v1/complaints/{c['id']}/{action}", json=body))

    threads = [threading.Thread(target=fire, args=pair) for pair in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["code"] == "version_conflict"
    events = agent.get(f"/api/v1/complaints/{c['id']}/events").json()
    assert len(events) == 2  # accept + the one winner


def test_stale_version_is_a_409_and_changes_nothing(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    act(agent, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])
    response = agent.post(
        f"/api/v1/complaints/{c['id']}/pause", json={"version": c["version"], "reason": "x"}
    )
    problem = assert_problem(response, 409, "version_conflict")
    assert "刷新" in problem["detail"]
    assert agent.get(f"/api/v1/complaints/{c['id']}").json()["status"] == "in_progress"


def test_repeat_complaint_within_30_days_is_linked(api: Api, clock: MovableClock):
    agent = api.as_("agent1")
    first = create(agent, category="broadband.outage")
    clock.advance(days=12)
    second = create(agent, category="broadband.speed", customer={"phone": "+86 13812345678"})
    assert second["is_repeat"] is True and second["repeat_of_id"] == first["id"]
    events = agent.get(f"/api/v1/complaints/{second['id']}/events").json()
    assert events[1]["action"] == "link_repeat"
    # Other first-level category: not a repeat; same category after 30 days: not a repeat.
    other = create(agent, category="billing.dispute")
    assert other["is_repeat"] is False
    clock.advance(days=31)
    late = create(agent, category="broadband.outage")
    assert late["is_repeat"] is False
    listed = agent.get("/api/v1/complaints", params={"repeat": "true"}).json()
    assert [c["id"] for c in listed["items"]] == [second["id"]]


def test_malformed_input_names_the_field_and_writes_nothing(api: Api):
    agent = api.as_("agent1", lang="en")
    cases = [
        (complaint_body(customer={"phone": "12345"}), "customer.phone"),
        (complaint_body(category="billing.nonsense"), "category"),
        (complaint_body(category="billing"), "category"),
        (complaint_body(description=""), "description"),
        (complaint_body(description="   "), "description"),
        (complaint_body(description="投诉" * 174_763), "description"),  # 1 MiB of UTF-8
        (complaint_body(escalated="maybe"), "escalated"),
        (complaint_body(customer="13812345678"), "customer"),
        (complaint_body(channel="pigeon"), "channel"),
        (complaint_body(region="NOWHERE"), "region"),
        (complaint_body(surprise=1), "surprise"),
        ({"channel": "hotline"}, "customer"),
    ]
    for body, field in cases:
        response = agent.post("/api/v1/complaints", json=body)
        assert 400 <= response.status_code < 500, (field, response.status_code)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        fields = [e["field"] for e in problem.get("errors", [])]
        assert field in fields, (field, problem)
    not_json = agent.post(
        "/api/v1/complaints", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert _count(api) == 0


def test_chinese_is_the_default_language_of_errors(api: Api):
    response = api.as_("agent1", lang="zh-CN").post(
        "/api/v1/complaints", json=complaint_body(category="nope.nope")
    )
    problem = assert_problem(response, 422, "invalid_input")
    assert problem["title"] == "输入无效"
    assert "未知分类" in problem["errors"][0]["message"]


def test_oversized_request_is_refused_before_parsing(api: Api):
    response = api.as_("agent1").post(
        "/api/v1/complaints",
        content=b"x" * (3 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "request_too_large")


def test_chunked_body_without_length_is_limited_too(api: Api):
    """No Content-Length (chunked): the limit is counted on the bytes as they arrive."""

    def chunks(body: bytes, size: int = 64 * 1024):
        for start in range(0, len(body), size):
            yield body[start : start + size]

    agent = api.as_("agent1")
    oversized = agent.post(
        "/api/v1/complaints",
        content=chunks(b"x" * (3 * 1024 * 1024)),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in oversized.request.headers
    assert_problem(oversized, 413, "request_too_large")
    assert _count(api) == 0
    small = agent.post(
        "/api/v1/complaints",
        content=chunks(json.dumps(complaint_body()).encode(), size=50),
        headers={"content-type": "application/json"},
    )
    assert small.status_code == 201, small.text
    assert _count(api) == 1
