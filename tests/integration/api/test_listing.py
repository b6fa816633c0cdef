"""Complaint lists: filters, totals, pagination."""

from __future__ import annotations

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, create


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_filters_and_total_count(api: Api, clock: MovableClock):
    agent = api.as_("agent1")
    a = create(
        agent,
        category="billing.unknown_deduction",
        region="C1-K1",
        customer={"phone": "13900000001"},
        description="莫名扣费10元",
    )
    clock.advance(days=1)
    b = create(
        agent,
        category="broadband.outage",
        region="C1-K2",
        channel="wechat",
        customer={"phone": "13900000002"},
    )
    clock.advance(days=1)
    c = create(
        agent,
        category="network.coverage",
        region="C2-K1",
        channel="regulator",
        source_ref="GXB-2026-0099",
        customer={"phone": "13900000003"},
    )
    act(agent, f"/api/v1/complaints/{b['id']}/dispatch", version=b["version"], unit="C1-K2-NET")

    get = agent.get
    everything = get("/api/v1/complaints")
    assert everything.json()["total"] == 3 and everything.headers["X-Total-Count"] == "3"
    assert _ids(everything) == [c["id"], b["id"], a["id"]]
    assert _ids(get("/api/v1/complaints", params={"status": "accepted"})) == [c["id"], a["id"]]
    assert _ids(
        get("/api/v1/complaints", params=[("status", "accepted"), ("status", "in_progress")])
    ) == [c["id"], b["id"], a["id"]]
    assert _ids(get("/api/v1/complaints", params={"category": "billing"})) == [a["id"]]
    assert _ids(get("/api/v1/complaints", params={"category": "broadband.outage"})) == [b["id"]]
    assert _ids(get("/api/v1/complaints", params={"region": "C1"})) == [b["id"], a["id"]]
    assert _ids(get("/api/v1/complaints", params={"unit": "C1-K2"})) == [b["id"]]
    assert _ids(get("/api/v1/complaints", params={"channel": "wechat"})) == [b["id"]]
    assert _ids(get("/api/v1/complaints", params={"escalated": "true"})) == [c["id"]]
    assert _ids(get("/api/v1/complaints", params={"q": "扣费"})) == [a["id"]]
    assert _ids(get("/api/v1/complaints", params={"q": "GXB-2026"})) == [c["id"]]
    assert _ids(get("/api/v1/complaints", params={"phone": "139-0000-0002"})) == [b["id"]]
    day2 = "2026-09-29T00:00:00+00:00"
    assert _ids(get("/api/v1/complaints", params={"created_from": day2})) == [c["id"], b["id"]]
    assert _ids(get("/api/v1/complaints", params={"created_to": day2})) == [a["id"]]
    # Escalated: due in 48 h, so the only one due before day 5.
    assert _ids(get("/api/v1/complaints", params={"due_to": "2026-10-03T00:00:00+00:00"})) == [
        c["id"]
    ]
    page = get("/api/v1/complaints", params={"limit": 2, "offset": 2, "sort": "accepted_at"})
    assert page.json()["total"] == 3 and _ids(page) == [c["id"]]


def test_bad_filters_are_4xx_naming_the_parameter(api: Api):
    agent = api.as_("agent1", lang="en")
    for params, field in [
        ({"status": "lost"}, "status"),
        ({"category": "x"}, "category"),
        ({"region": "NOWHERE"}, "region"),
        ({"limit": 0}, "limit"),
        ({"limit": 10_000}, "limit"),
        ({"escalated": "perhaps"}, "escalated"),
        ({"sort": "customer_phone"}, "sort"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"created_from": "2026-09-01T00:00:00"}, "created_from"),
    ]:
        response = agent.get("/api/v1/complaints", params=params)
        problem = assert_problem(response, 422, "invalid_input")
        assert field in [e["field"] for e in problem["errors"]], problem


def test_unknown_complaint_is_404(api: Api):
    assert_problem(api.as_("agent1").get("/api/v1/complaints/999999"), 404, "not_found")


def test_reference_data_for_forms(api: Api):
    client = api.as_("agent1", lang="en")
    categories = client.get("/api/v1/categories").json()
    assert {"code": "billing.sp_subscription", "level": 2}.items() <= {
        k: v for c in categories if c["code"] == "billing.sp_subscription" for k, v in c.items()
    }.items()
    lifecycle = client.get("/api/v1/lifecycle").json()
    archive = next(t for t in lifecycle["complaint"] if t["name"] == "archive")
    assert archive["from"] == ["closed"] and "handler" not in archive["roles"]
    units = client.get("/api/v1/org-units").json()
    assert units[0]["code"] == "G" and any(u["code"] == "C1-K1-NET" for u in units)
