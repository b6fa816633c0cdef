"""/api/v1/accountability over the real HTTP server, on SQLite and PostgreSQL: a breached
escalated complaint opens a case; the penalty moves the unit's scorecard; the person
concerned sees it and appeals; an upheld appeal restores the score. Scope, roles, stale
versions and bad input answer in words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from careloop.domain.indicators.periods import period_of
from careloop.services.access.actors import actor_for
from careloop.services.events import InProcessQueue
from careloop.services.indicators import figures
from careloop.services.sla import sweep as sla_sweep
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, create

BASE = "/api/v1/accountability"


@pytest.fixture
def late_case(app, api: Api, clock: MovableClock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """An escalated complaint the hotline agent owns, left unanswered past its 48 h."""
    platform = app.state.platform
    platform.events.queue = InProcessQueue(platform.events)  # handlers in this process
    complaint = create(api.as_("agent1"), escalated=True, category="billing.dispute")
    clock.advance(days=3)
    sla_sweep.sweep(platform.session_factory, clock.now)
    page = api.as_("super1").get(f"{BASE}/cases").json()
    assert page["total"] == 1
    case = page["items"][0]
    assert (case["source_kind"], case["source_id"]) == ("complaint", complaint["id"])
    return case


def complaint_number(api: Api, complaint_id: int) -> str:
    return str(api.as_("agent1").get(f"/api/v1/complaints/{complaint_id}").json()["number"])


def _c1_score(app) -> tuple[float, bool]:  # type: ignore[no-untyped-def]
    with app.state.platform.unit_of_work() as uow:
        # Decided in October (the complaint came on 28 September): the case alone moves it.
        period = period_of("month", date(2026, 10, 1))
        rows = figures.unit_scorecards(uow, period, "P", actor_for(uow, "super1"))
    card = next(r.card for r in rows if r.subject_code == "C1")
    return card.score, card.vetoed


def test_the_person_concerned_sees_the_case_appeals_and_an_upheld_appeal_restores_the_score(
    app, api: Api, clock: MovableClock, late_case: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    agent, boss = api.as_("agent1"), api.as_("super1")
    mine = agent.get(f"{BASE}/cases", params={"mine": "true"}).json()
    assert [c["id"] for c in mine["items"]] == [late_case["id"]]
    assert mine["items"][0]["rule_label"] == "越级投诉超时未办结"
    assert mine["items"][0]["source_ref"] == complaint_number(api, late_case["source_id"])
    before = _c1_score(app)
    assert before[1] is False
    decided = act(boss, f"{BASE}/cases/{late_case['id']}/decide", version=late_case["version"],
                  points=10, amount="2000.00", veto=True)  # fmt: skip
    assert decided["status"] == "decided" and decided["penalty"]["veto"] is True
    assert _c1_score(app) == (0.0, True)
    seen = agent.get(f"{BASE}/cases/{late_case['id']}").json()
    assert "appeal" in seen["actions"] and seen["appeal_due_at"]
    clock.advance(days=1)
    appealed = act(agent, f"{BASE}/cases/{late_case['id']}/appeal", version=seen["version"],
                   reason="计费系统故障，已按时提交工单")  # fmt: skip
    assert appealed["status"] == "appealed"
    final = act(boss, f"{BASE}/cases/{late_case['id']}/appeal-decision",
                version=appealed["version"], outcome="upheld", reason="核实为系统故障")  # fmt: skip
    assert final["status"] == "final" and final["penalty"] == {
        "points": 0.0, "amount": "0.00", "veto": False,
    }  # fmt: skip
    assert _c1_score(app) == before
    assert [t["action"] for t in final["trail"]] == ["open", "decide", "appeal", "decide_appeal"]


def test_others_neither_see_nor_appeal_a_case_that_is_not_theirs(
    api: Api, late_case: dict[str, Any]
) -> None:
    for username in ("agent2", "net1"):
        client = api.as_(username)
        assert client.get(f"{BASE}/cases").json()["total"] == 0
        assert_problem(client.get(f"{BASE}/cases/{late_case['id']}"), 404, "not_found")
    lead = api.as_("lead1").get(f"{BASE}/cases").json()  # the city's lead: his unit's cases
    assert lead["total"] == 1


def test_only_a_supervisor_decides_and_a_stale_version_conflicts(
    api: Api, late_case: dict[str, Any]
) -> None:
    path = f"{BASE}/cases/{late_case['id']}/decide"
    body = {"version": late_case["version"], "points": 10, "amount": "2000", "veto": True}
    refused = assert_problem(api.as_("lead1").post(path, json=body), 403, "role_not_allowed")
    assert "角色" in refused["detail"]
    act(api.as_("super1"), path, **body)
    assert_problem(api.as_("super1").post(path, json=body), 409, "version_conflict")


def test_bad_penalties_are_refused_in_words(api: Api, late_case: dict[str, Any]) -> None:
    path = f"{BASE}/cases/{late_case['id']}/decide"
    boss = api.as_("super1")
    too_many = boss.post(path, json={"version": late_case["version"], "points": 500, "amount": 1})
    problem = assert_problem(too_many, 422, "invalid_input")
    assert "考核扣分" in problem["detail"] and "points" not in problem["detail"]
    unreasoned = boss.post(path, json={"version": late_case["version"], "points": 1, "amount": 1})
    assert "调整原因" in assert_problem(unreasoned, 422, "invalid_input")["detail"]
    english = boss.post(path, json={"version": late_case["version"], "points": 1, "amount": 1},
                        headers={"Accept-Language": "en"})  # fmt: skip
    assert "reason" in english.json()["detail"]


def test_opening_by_hand_is_idempotent_per_source(api: Api, clock: MovableClock) -> None:
    body = {
        "source": {"kind": "inspection", "id": 12, "item": "S-03"},
        "unit": "C1-K1",
        "rule": "inspection_failure",
        "summary": "暗访发现营业厅未公示资费标准",
    }
    first = api.as_("super1").post(f"{BASE}/cases", json=body)
    again = api.as_("super1").post(f"{BASE}/cases", json={**body, "summary": "重复提交"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["summary"] == "暗访发现营业厅未公示资费标准"
    other = {**body, "rule": "nope", "source": {"kind": "inspection", "id": 13}}
    unknown = api.as_("super1").post(f"{BASE}/cases", json=other)
    assert "条款" in assert_problem(unknown, 422, "invalid_input")["detail"]
    assert_problem(api.as_("agent1").post(f"{BASE}/cases", json=body), 403, "role_not_allowed")


def test_the_rules_are_listed_and_an_administrator_changes_a_default(api: Api) -> None:
    rules = api.as_("agent1").get(f"{BASE}/rules").json()
    assert {r["code"] for r in rules} >= {"reply_overdue", "escalated_complaint", "first_question"}
    changed = api.as_("admin").put(f"{BASE}/rules/service_attitude", json={
        "name_zh": "服务态度恶劣", "name_en": "Rude service", "points": 4, "amount": "600",
    })  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["default"] == {"points": 4.0, "amount": "600.00", "veto": False}
    assert_problem(
        api.as_("agent1").put(f"{BASE}/rules/x", json={"name_zh": "x", "name_en": "x"}),
        403,
        "role_not_allowed",
    )
