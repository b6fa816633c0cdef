"""POST /api/v1/complaints/bulk: many complaints, one outcome each, each its own use case."""

from __future__ import annotations

import pytest

from tests.conftest import Api, LiveServer
from tests.integration.api.helpers import act, assert_problem, create


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:  # type: ignore[no-untyped-def]
    """SQLite only: the per-complaint use cases are tested on both engines already."""
    import shutil

    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def test_a_bulk_dispatch_reports_each_complaint_and_keeps_the_scope(server: LiveServer, api: Api):
    admin = api.as_("admin")
    fresh = create(admin)
    stale = create(admin, source_ref="CALL-2")
    act(admin, f"/api/v1/complaints/{stale['id']}/handle", version=stale["version"])
    elsewhere = create(admin, region="C2-K1", source_ref="CALL-3")
    lead = api.as_("lead1")  # city one only: city two's complaint is not there for them
    answer = lead.post(
        "/api/v1/complaints/bulk",
        json={
            "action": "dispatch",
            "unit": "C1-K1-NET",
            "items": [
                {"id": fresh["id"], "version": fresh["version"]},
                {"id": stale["id"], "version": stale["version"]},
                {"id": elsewhere["id"], "version": elsewhere["version"]},
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["done"], body["failed"]) == (1, 2)
    by_id = {r["id"]: r for r in body["results"]}
    assert by_id[fresh["id"]]["ok"] and by_id[fresh["id"]]["number"] == fresh["number"]
    assert by_id[stale["id"]]["code"] == "version_conflict" and by_id[stale["id"]]["detail"]
    assert by_id[elsewhere["id"]]["code"] == "not_found"
    assert by_id[elsewhere["id"]]["number"] == f"#{elsewhere['id']}"  # nothing leaks
    events = admin.get(f"/api/v1/complaints/{fresh['id']}/events").json()
    assert any(e["action"] == "work_order_dispatched" and e["actor"] == "lead1" for e in events)


def test_a_bulk_chase_counts_each_chase_and_a_dispatch_needs_a_unit(server: LiveServer, api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    answer = agent.post(
        "/api/v1/complaints/bulk", json={"action": "chase", "items": [{"id": c["id"]}]}
    )
    assert answer.status_code == 200 and answer.json()["done"] == 1, answer.text
    assert agent.get(f"/api/v1/complaints/{c['id']}/follow-ups").json()["chases"] == 1
    refused = agent.post(
        "/api/v1/complaints/bulk",
        json={"action": "dispatch", "items": [{"id": c["id"], "version": c["version"]}]},
    )
    assert_problem(refused, 422, "invalid_input")
