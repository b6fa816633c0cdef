"""The SLA records through the HTTP API: what a removal answers, what a reader is shown."""

from __future__ import annotations

from tests.conftest import Api


def test_retiring_a_policy_answers_204_with_no_body_and_no_content_type(api: Api) -> None:
    admin = api.as_("admin")
    created = admin.put(
        "/api/v1/sla/policies/h7-retire",
        json={"name": "to retire", "limits": {"reply": {"minutes": 60, "basis": "calendar"}}},
    )
    assert created.status_code == 200, created.text
    assert created.json()["limits"] == {
        "reply": {"count": None, "days": None, "minutes": 60, "basis": "calendar"}
    }
    retired = admin.delete("/api/v1/sla/policies/h7-retire")
    assert retired.status_code == 204
    assert retired.content == b""
    assert "content-type" not in retired.headers
    again = admin.get(f"/api/v1/sla/policies/{created.json()['id']}")
    assert again.json()["active"] is False


def test_removing_a_calendar_day_answers_204_with_no_body_and_no_content_type(api: Api) -> None:
    admin = api.as_("admin")
    entered = admin.put(
        "/api/v1/sla/calendar/days/2031-05-06", json={"kind": "holiday", "name": "调休"}
    )
    assert entered.json() == {
        "day": "2031-05-06",
        "kind": "holiday",
        "name": "调休",
        "source": "operator",
    }
    removed = admin.delete("/api/v1/sla/calendar/days/2031-05-06")
    assert removed.status_code == 204
    assert removed.content == b""
    assert "content-type" not in removed.headers


def test_org_units_are_named_in_the_readers_language_in_path_order(api: Api) -> None:
    units = api.as_("agent1", lang="en").get("/api/v1/org-units").json()
    assert list(units[0]) == [
        "id",
        "code",
        "name",
        "kind",
        "dept_type",
        "parent_id",
        "path",
        "area",
    ]
    seen: set[int] = set()
    for unit in units:  # path order: a parent before its children
        assert unit["parent_id"] is None or unit["parent_id"] in seen
        seen.add(unit["id"])
    zh = {u["code"]: u["name"] for u in api.as_("agent1").get("/api/v1/org-units").json()}
    assert any(zh[u["code"]] != u["name"] for u in units)


def test_only_commitment_managers_sweep_and_only_they_and_unit_leads_read_the_outbox(
    api: Api,
) -> None:
    agent = api.as_("agent1")
    refused = agent.post("/api/v1/sla/sweep")
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_not_allowed"
    assert agent.get("/api/v1/sla/notifications").json()["code"] == "role_not_allowed"
    swept = api.as_("admin").post("/api/v1/sla/sweep")
    assert swept.status_code == 200
    assert "delivered" in swept.json()
