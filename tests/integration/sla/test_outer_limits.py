"""The regulator's outer limits cannot be paused, through the real HTTP API, the sweep and the
stored columns, on SQLite and PostgreSQL.

The clock starts Monday 2026-09-28 10:00 Beijing time (02:00 UTC). Fifteen days are counted
from the next day (09-29): the 15th is Tuesday 10-13, a working day (the National Day
holiday ends 10-07, and Saturday 10-10 is a make-up working day), so the complaint must be
answered by 24:00 on 10-13 Beijing time, 2026-10-13T16:00Z. A customer kept "waiting on the
customer" all the while has still not had an answer on day 16.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from careloop.services.sla import sweep as sla_sweep
from careloop.store.models import Complaint, SlaAlert
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, create

DUE_15_DAYS = datetime(2026, 10, 13, 16, 0, tzinfo=UTC)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _clock(answer: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(k for k in answer["sla"]["clocks"] if k["clock"] == name)


def _ids(client, state: str) -> set[int]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/complaints", params={"sla": state, "limit": 200})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


def test_a_paused_complaint_still_breaches_the_regulatory_limit_on_day_16(
    api: Api, clock: MovableClock, app
):  # type: ignore[no-untyped-def]
    agent, admin = api.as_("agent1"), api.as_("admin")
    c = create(agent)
    with app.state.session_factory() as session:  # stored at intake, before any sweep
        stored = session.get(Complaint, c["id"])
        assert stored is not None and stored.outer_due_at == DUE_15_DAYS
    outer = _clock(c, "outer_reply")
    assert outer["regulatory"] is True and outer["paused_minutes"] == 0
    assert (outer["count"], outer["limit_days"]) == ("calendar_days", 15)
    assert _at(outer["due_at"]) == DUE_15_DAYS

    clock.advance(hours=1)
    c = act(agent, f"/api/v1/complaints/{c['id']}/pause", version=c["version"], reason="等待用户")

    # The last minute of day 15: the pausable reply clock stands still, the law's runs on.
    clock.now = datetime(2026, 10, 13, 15, 59, tzinfo=UTC)
    answer = agent.get(f"/api/v1/complaints/{c['id']}").json()
    assert _clock(answer, "reply")["state"] == "paused"
    assert _clock(answer, "outer_reply")["state"] == "warning"
    assert c["id"] not in _ids(agent, "breached")

    # Day 16, still waiting on the customer: breached, in the list, the explanation says so.
    clock.now = datetime(2026, 10, 14, 2, 0, tzinfo=UTC)
    answer = agent.get(f"/api/v1/complaints/{c['id']}", headers={"Accept-Language": "en"}).json()
    reply, outer = _clock(answer, "reply"), _clock(answer, "outer_reply")
    assert reply["state"] == "paused" and reply["paused_minutes"] > 15 * 24 * 60
    assert outer["state"] == "breached" and outer["paused_minutes"] == 0
    assert outer["overrun_minutes"] == 10 * 60
    assert "cannot be paused" in outer["explanation"]
    assert c["id"] in _ids(agent, "breached")

    # The sweep records the breach and escalates it like any other (default policy's steps).
    report = sla_sweep.sweep(app.state.session_factory, clock.now)
    assert report.alerts["breach"] >= 1
    with app.state.session_factory() as session:
        kinds = set(
            session.scalars(
                select(SlaAlert.kind).where(SlaAlert.subject == f"complaint:{c['id']}:outer_reply")
            )
        )
        stored = session.get(Complaint, c["id"])
        assert stored is not None
        assert stored.outer_state == "breached" and stored.outer_due_at == DUE_15_DAYS
        assert stored.sla_state == "paused"
    assert {"warning", "breach", "escalation:1"} <= kinds
    escalations = admin.get(
        "/api/v1/sla/notifications", params={"complaint_id": c["id"], "kind": "escalation"}
    ).json()["items"]
    assert any("outer_reply" in n["subject"] for n in escalations)

    # Answering late stops the clock as met_late; the stored state follows without a sweep.
    clock.advance(hours=1)
    c = agent.get(f"/api/v1/complaints/{c['id']}").json()
    c = act(agent, f"/api/v1/complaints/{c['id']}/resume", version=c["version"])
    c = act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理")
    assert _clock(c, "outer_reply")["state"] == "met_late"
    with app.state.session_factory() as session:
        stored = session.get(Complaint, c["id"])
        assert stored is not None and stored.outer_state == "met_late"


def test_a_regulator_appeal_has_five_working_days_to_accept_and_thirty_to_answer(
    api: Api, clock: MovableClock
):  # type: ignore[no-untyped-def]
    agent = api.as_("agent1")
    c = create(agent, regulator_transfer=True)
    names = {k["clock"] for k in c["sla"]["clocks"]}
    assert {"appeal_accept", "appeal_answer"} <= names and "outer_reply" not in names
    accept, answer = _clock(c, "appeal_accept"), _clock(c, "appeal_answer")
    # Five working days from 09-29: 09-29, 09-30, then the holiday to 10-07, 10-08, 10-09,
    # 10-10 (a make-up working day): due 24:00 on 10-10 Beijing time.
    assert _at(accept["due_at"]) == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)
    assert accept["count"] == "working_days" and accept["regulatory"] is True
    # Thirty days from 09-29: 10-28, a Wednesday and a working day.
    assert _at(answer["due_at"]) == datetime(2026, 10, 28, 16, 0, tzinfo=UTC)

    clock.advance(hours=2)
    c = act(agent, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])
    assert _clock(c, "appeal_accept")["state"] == "met"
    assert _clock(c, "appeal_answer")["stopped_at"] is None
