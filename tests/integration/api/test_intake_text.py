"""Free text is cleaned at intake, on every path, and bounded with a clear answer."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from careloop.store.database import make_engine
from careloop.store.models import Complaint, Event, Note, WorkOrder
from tests.conftest import Api
from tests.integration.api.helpers import act, assert_problem, complaint_body, create

HOSTILE = "宽带\x00断网\u200b了\u202e，\x07请\u2066尽快\u2069\ufeff修\x9f"
CLEAN = "宽带断网了，请尽快修"


def _stored(database_url: str, model, column, ident: int):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(column).where(model.id == ident))
    finally:
        engine.dispose()


def test_control_zero_width_bidi_and_nul_are_removed_at_intake(api: Api, database_url: str):
    """NUL used to answer a misleading 'out of range' 422 on PostgreSQL; now it is gone."""
    agent = api.as_("agent1")
    c = create(
        agent,
        description=HOSTILE,
        customer={"phone": "13812345678", "name": "孙\u202e女士\x00"},
        source_ref="CALL\x00-1\u200b",
    )
    assert c["description"] == CLEAN
    assert c["customer"]["name"] == "孙女士"
    assert _stored(database_url, Complaint, Complaint.description, c["id"]) == CLEAN
    assert _stored(database_url, Complaint, Complaint.source_ref, c["id"]) == "CALL-1"


def test_a_hundred_thousand_character_description_gets_a_clear_422(api: Api):
    for lang, words in (
        ("zh", "投诉内容过长：最多 5000 字"),
        ("en", "The description is too long"),
    ):
        response = api.as_("agent1", lang=lang).post(
            "/api/v1/complaints", json=complaint_body(description="长" * 100_000)
        )
        problem = assert_problem(response, 422, "invalid_input")
        assert problem["detail"].startswith(words)
        if lang == "zh":
            assert "description" not in problem["detail"]  # the field's name, not its code
        assert problem["errors"] == [{"field": "description", "message": problem["detail"]}]


def test_a_lone_surrogate_or_only_invisible_text_is_refused(api: Api):
    agent = api.as_("agent1", lang="en")
    raw = (
        '{"channel": "hotline", "customer": {"phone": "13812345678"}, '
        '"category": "broadband.outage", "region": "C1-K1", "description": "\\ud800"}'
    )
    response = agent.post(
        "/api/v1/complaints", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422, "invalid_input")
    response = agent.post("/api/v1/complaints", json=complaint_body(description="\u200b\x00 "))
    assert_problem(response, 422, "invalid_input")


def test_codes_and_keys_with_nul_are_refused_clearly(api: Api):
    agent = api.as_("agent1", lang="en")
    response = agent.post("/api/v1/complaints", json=complaint_body(region="C1\x00"))
    problem = assert_problem(response, 422, "invalid_input")
    assert problem["errors"][0]["field"] == "region"
    response = agent.post("/api/v1/complaints", json=complaint_body(idempotency_key="k\x00"))
    assert_problem(response, 422, "invalid_input")


def test_work_order_notes_replies_and_reasons_are_cleaned(api: Api, database_url: str):
    agent, net1 = api.as_("agent1"), api.as_("net1")
    c = create(agent)
    order = act(
        agent,
        f"/api/v1/complaints/{c['id']}/dispatch",
        version=c["version"],
        unit="C1-K1-NET",
        instructions=HOSTILE,
    )
    assert order["instructions"] == CLEAN
    order = act(net1, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
    order = act(
        net1,
        f"/api/v1/work-orders/{order['id']}/complete",
        version=order["version"],
        result=HOSTILE,
    )
    assert _stored(database_url, WorkOrder, WorkOrder.result, order["id"]) == CLEAN
    note = agent.post(f"/api/v1/complaints/{c['id']}/notes", json={"text": HOSTILE})
    assert note.status_code == 201, note.text
    assert _stored(database_url, Note, Note.text, note.json()["id"]) == CLEAN
    c = agent.get(f"/api/v1/complaints/{c['id']}").json()
    c = act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text=HOSTILE)
    assert c["reply_text"] == CLEAN
    too_long = agent.post(f"/api/v1/complaints/{c['id']}/notes", json={"text": "注" * 5001})
    assert_problem(too_long, 422, "invalid_input")
    engine = make_engine(database_url)
    with engine.connect() as conn:
        notes = list(conn.scalars(select(Event.note).where(Event.complaint_id == c["id"])))
    engine.dispose()
    assert all("\x00" not in n and "\u202e" not in n for n in notes if n)


def test_batch_intake_cleans_each_item_and_refuses_only_the_too_long(api: Api):
    agent = api.as_("agent1", lang="en")
    response = agent.post(
        "/api/v1/complaints/batch",
        json={
            "items": [
                complaint_body(description=HOSTILE, idempotency_key="b-1"),
                complaint_body(description="长" * 6000, idempotency_key="b-2"),
            ]
        },
    )
    assert response.status_code == 200, response.text
    first, second = response.json()["items"]
    assert first["result"] == "created"
    full = agent.get(first["complaint"]["location"]).json()
    assert full["description"] == CLEAN
    assert second["result"] == "error" and second["problem"]["code"] == "invalid_input"
    assert second["problem"]["field"] == "description"


def test_csv_import_cleans_text(database_url: str, tmp_path: Path):
    path = tmp_path / "feed.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["phone", "category", "region", "description", "name"])
        writer.writerow(["13812340001", "billing.dispute", "C1-K1", HOSTILE, "孙\u200b女士"])
    env = {**os.environ, "CARELOOP_DATABASE_URL": database_url, "CARELOOP_LANG": "en"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "careloop.cli",
            "complaint",
            "import",
            str(path),
            "--as",
            "agent1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    engine = make_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(select(Complaint.description, Complaint.customer_name)).one()
    engine.dispose()
    assert tuple(stored) == (CLEAN, "孙女士")


def test_list_filters_with_nul_answer_clearly_not_out_of_range(api: Api):
    """PostgreSQL cannot compare a string holding NUL: it used to answer 'out of range'."""
    agent = api.as_("agent1", lang="en")
    create(agent)
    found = agent.get("/api/v1/complaints", params={"q": "CALL\x00-2026\u200b0928"})
    assert found.status_code == 200 and found.json()["total"] == 1
    for name in ("region", "unit", "channel", "category"):
        response = agent.get("/api/v1/complaints", params={name: "C1\x00"})
        problem = assert_problem(response, 422, "invalid_input")
        assert "contains control or invisible characters" in problem["detail"]
        assert problem["errors"][0]["field"] == name


def test_policy_and_calendar_names_are_cleaned_and_codes_checked(api: Api):
    admin = api.as_("admin", lang="en")
    policy = admin.get("/api/v1/sla/policies").json()
    default = next(p for p in policy if p["code"] == "default")
    body = {k: default[k] for k in ("name", "limits", "escalation", "warn_share", "rank")}
    body["name"] = "默认\x00承诺\u202e"
    saved = admin.put("/api/v1/sla/policies/default", json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["name"] == "默认承诺"
    day = admin.put(
        "/api/v1/sla/calendar/days/2026-10-01", json={"kind": "holiday", "name": "国庆\x00节\u200b"}
    )
    assert day.status_code == 200, day.text
    assert day.json()["name"] == "国庆节"
    response = admin.put("/api/v1/sla/policies/de%00fault", json=body)
    assert_problem(response, 422, "invalid_input")
