"""SLA through the real HTTP API on SQLite and PostgreSQL: filters, explanations, sweeps."""

from __future__ import annotations

from datetime import datetime, timedelta

from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import Pause, SlaLimit, compute_clock
from careloop.jobs.runner import InProcessRunner
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, create


def _reply(c: dict) -> dict:
    return next(k for k in c["sla"]["clocks"] if k["clock"] == "reply")


def _ids(client, state: str) -> set[int]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/complaints", params={"sla": state, "limit": 200})
    assert response.status_code == 200, response.text
    assert int(response.headers["X-Total-Count"]) == len(response.json()["items"])
    return {c["id"] for c in response.json()["items"]}


def test_sla_filters_and_explanations_agree_with_the_clock_functions(api: Api, clock: MovableClock):
    # Escalated complaints: 48 h calendar reply limit (seeded policy "escalated", 80 % warning).
    agent = api.as_("agent1")
    t0 = clock.now

    def escalated(**kw):  # type: ignore[no-untyped-def]
        c = create(agent, escalated=True, **kw)
        return act(agent, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])

    late = escalated()
    waiting = escalated()
    clock.advance(hours=1)
    waiting = act(
        agent,
        f"/api/v1/complaints/{waiting['id']}/pause",
        version=waiting["version"],
        reason="等待用户提供账单截图",
    )
    clock.advance(hours=10)  # t0 + 11 h
    warned = escalated()
    clock.advance(hours=29)  # t0 + 40 h
    fresh = escalated()
    clock.advance(hours=10)  # t0 + 50 h: late used 50 h > 48; warned used 39 h ≥ 38.4 h

    assert _ids(agent, "breached") == {late["id"]}
    assert _ids(agent, "warning") == {warned["id"]}
    assert _ids(agent, "paused") == {waiting["id"]}
    # The regulatory 15-day limit runs beside every complaint's own clocks (never paused).
    assert _ids(agent, "running") == {late["id"], waiting["id"], warned["id"], fresh["id"]}

    # Every answer explains its clocks; the paused one matches compute_clock exactly.
    answer = agent.get(f"/api/v1/complaints/{waiting['id']}").json()
    reply = _reply(answer)
    assert answer["sla"]["policy"]["code"] == "escalated"
    expected = compute_clock(
        datetime.fromisoformat(answer["accepted_at"]),
        SlaLimit(48 * 60, "calendar"),
        WorkingCalendar(),
        clock.now,
        [Pause(t0 + timedelta(hours=1), None)],
    )
    assert reply["state"] == expected.state == "paused"
    assert datetime.fromisoformat(reply["due_at"]) == expected.due_at
    assert reply["used_minutes"] == expected.used_minutes == 60
    assert reply["paused_minutes"] == expected.paused_minutes == 49 * 60
    assert reply["remaining_minutes"] == expected.remaining_minutes == 47 * 60
    assert len(reply["pauses"]) == 1 and reply["pauses"][0]["end"] is None
    assert "escalated v1" in reply["explanation"]

    late_reply = _reply(agent.get(f"/api/v1/complaints/{late['id']}").json())
    assert late_reply["state"] == "breached" and late_reply["overrun_minutes"] == 120


def test_warning_and_breach_fire_once_and_escalate_up_the_org_tree(
    api: Api, clock: MovableClock, database_url: str
):
    agent, admin = api.as_("agent1"), api.as_("admin")
    c = create(agent, escalated=True)
    c = act(agent, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])
    runner = InProcessRunner(database_url)

    clock.advance(hours=38, minutes=30)  # past 80 % of 48 h
    assert runner.run_once(clock.now)["alerts"] == {"warning": 1}
    assert runner.run_once(clock.now)["alerts"] == {}  # a second sweep: nothing new
    clock.advance(hours=10)  # past due
    first = runner.run_once(clock.now)
    assert first["alerts"] == {"breach": 1, "escalation": 3}  # province waits 240 min
    assert runner.run_once(clock.now)["alerts"] == {}
    clock.advance(hours=5)
    assert runner.run_once(clock.now)["alerts"] == {"escalation": 1}

    page = admin.get("/api/v1/sla/notifications", params={"complaint_id": c["id"]}).json()
    recipients = sorted((n["kind"], n["level"], n["recipient"]) for n in page["items"])
    assert recipients == [
        ("escalation", 1, "staff:agent1"),
        ("escalation", 2, "staff:lead1"),
        ("escalation", 3, "staff:lead1"),
        ("escalation", 4, "staff:super1"),
        ("reminder", None, "staff:agent1"),
    ]
    assert {n["adapter"] for n in page["items"]} == {"recording"}  # nothing really sent
    stored = agent.get("/api/v1/complaints", params={"sort": "-sla_overrun_minutes"}).json()
    assert stored["items"][0]["id"] == c["id"]


def test_reminder_at_night_waits_for_the_end_of_quiet_hours(
    api: Api, clock: MovableClock, database_url: str
):
    agent, admin = api.as_("agent1"), api.as_("admin")
    clock.now = datetime.fromisoformat("2026-09-28T04:00:00+00:00")  # 12:00 Shanghai
    c = create(agent, escalated=True)
    act(agent, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])
    # 80 % of 48 h is 38 h 24 min: 2026-09-29 18:24 UTC, i.e. 02:24 at night in Shanghai.
    clock.now = datetime.fromisoformat("2026-09-29T18:30:00+00:00")
    assert InProcessRunner(database_url).run_once(clock.now)["alerts"] == {"warning": 1}
    [reminder] = admin.get("/api/v1/sla/notifications", params={"kind": "reminder"}).json()["items"]
    assert reminder["status"] == "pending"
    assert reminder["send_after"].startswith("2026-09-30T00:00:00")  # 08:00 Shanghai
    clock.now = datetime.fromisoformat("2026-09-30T00:05:00+00:00")
    InProcessRunner(database_url).run_once(clock.now)
    [reminder] = admin.get("/api/v1/sla/notifications", params={"kind": "reminder"}).json()["items"]
    assert reminder["status"] == "sent" and reminder["adapter"] == "recording"


def test_policy_change_applies_to_new_complaints_and_reapply_is_an_event(
    api: Api, clock: MovableClock
):
    agent, admin = api.as_("agent1"), api.as_("admin")
    before = create(agent)
    # The seeded reply limit is the law's 15 days, counted as calendar days (DOMAIN.md §3).
    assert (_reply(before)["count"], _reply(before)["limit_days"]) == ("calendar_days", 15)
    policy = admin.get("/api/v1/sla/policies").json()
    default = next(p for p in policy if p["code"] == "default")
    body = {k: default[k] for k in ("name", "limits", "escalation", "warn_share", "rank")}
    body["limits"]["reply"] = {"minutes": 10 * 24 * 60, "basis": "calendar"}
    response = admin.put("/api/v1/sla/policies/default", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2

    clock.advance(minutes=5)
    after = create(agent, customer={"phone": "13900000000"})
    assert _reply(after)["limit_minutes"] == 10 * 24 * 60
    kept = agent.get(f"/api/v1/complaints/{before['id']}").json()
    assert _reply(kept)["limit_days"] == 15  # keeps the policy it started with
    assert kept["sla"]["policy"]["version"] == 1

    moved = admin.post(
        f"/api/v1/sla/complaints/{before['id']}/reapply", json={"version": kept["version"]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sla"]["policy"]["version"] == 2
    assert _reply(moved.json())["limit_minutes"] == 10 * 24 * 60
    events = agent.get(f"/api/v1/complaints/{before['id']}/events").json()
    assert events[-1]["action"] == "sla_policy_reapplied"
    assert events[-1]["after"]["sla_policy"] == "default v2"
    # Only supervisors and admins change commitments.
    assert agent.put("/api/v1/sla/policies/default", json=body).status_code == 403


def test_calendar_is_editable_and_an_unknown_year_is_reported_not_raised(api: Api):
    admin = api.as_("admin")
    response = admin.post("/api/v1/sla/calendar/years/2027/import")
    assert response.status_code == 200
    assert response.json()["imported"] is False and "2027" in response.json()["message"]
    years = {y["year"] for y in admin.get("/api/v1/sla/calendar/years").json()}
    assert 2026 in years and 2027 not in years
    day = admin.put(
        "/api/v1/sla/calendar/days/2027-01-01", json={"kind": "holiday", "name": "元旦"}
    )
    assert day.status_code == 200 and day.json()["source"] == "operator"
    assert admin.put("/api/v1/sla/calendar/years/2027").status_code == 200
    assert {d["day"] for d in admin.get("/api/v1/sla/calendar/days?year=2027").json()} == {
        "2027-01-01"
    }
    national_day = admin.get("/api/v1/sla/calendar/days?year=2025").json()
    assert {"day": "2025-10-11", "kind": "workday"}.items() <= next(
        d for d in national_day if d["day"] == "2025-10-11"
    ).items()
