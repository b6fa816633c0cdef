"""Every answer that shows personal data unmasked is a security event: who read which
complaints, one event per request (not one per row), and none for masked answers."""

from __future__ import annotations

import httpx

from tests.conftest import Api
from tests.integration.api.helpers import create
from tests.integration.privacy.test_export_privacy import security_events


def _reads(database_url: str) -> list[tuple[str, str, list[int]]]:
    return [
        (user, detail["via"], detail["complaints"])
        for _kind, user, detail in security_events(database_url, "personal_data_read")
    ]


def _page(api: Api, user: str) -> httpx.Client:
    return httpx.Client(
        base_url=api.base_url, timeout=30, cookies={"careloop_session": api.token(user) or ""}
    )


def test_unmasked_answers_are_audited_once_per_request_naming_the_complaints(
    api: Api, database_url: str
):
    agent = api.as_("agent1")
    ids = [create(agent)["id"] for _ in range(3)]
    assert _reads(database_url) == []  # the intake answer echoes what the agent typed

    assert agent.get("/api/v1/complaints").status_code == 200
    assert _reads(database_url) == [("agent1", "GET /api/v1/complaints", sorted(ids))]

    supervisor = api.as_("super1")
    assert supervisor.get(f"/api/v1/complaints/{ids[0]}/events").status_code == 200
    assert _page(api, "super1").get(f"/complaints/{ids[1]}").status_code == 200
    assert _reads(database_url)[1:] == [
        ("super1", f"GET /api/v1/complaints/{ids[0]}/events", [ids[0]]),
        ("super1", f"GET /complaints/{ids[1]}", [ids[1]]),
    ]


def test_masked_answers_and_refusals_are_not_reads(api: Api, database_url: str):
    c = create(api.as_("agent1"), region="C1-K2")
    inspector = api.as_("inspector")
    assert inspector.get(f"/api/v1/complaints/{c['id']}").status_code == 200
    assert inspector.get("/api/v1/complaints").status_code == 200
    assert _page(api, "inspector").get(f"/complaints/{c['id']}").status_code == 200
    # The West district's handler sees the complaint (its region) but is not involved.
    handler = api.as_("net2")
    shown = handler.get(f"/api/v1/complaints/{c['id']}").json()
    assert shown["customer"]["phone"] == "138****5678"
    assert api.as_("net1").get(f"/api/v1/complaints/{c['id']}").status_code == 404
    assert _reads(database_url) == []


def test_the_unmask_action_is_audited_as_a_read_too(api: Api, database_url: str):
    c = create(api.as_("agent1"), region="C1-K2")
    response = api.as_("net2").post(
        f"/api/v1/complaints/{c['id']}/unmask", json={"reason": "上门前确认"}
    )
    assert response.status_code == 200 and response.json()["phone"] == "13812345678"
    assert _reads(database_url) == [
        ("net2", f"POST /api/v1/complaints/{c['id']}/unmask", [c["id"]])
    ]
