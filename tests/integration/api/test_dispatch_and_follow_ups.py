"""Dispatch targets are ranked for the complaint, and a caller's open complaint is followed
up (追加, 催办) instead of opened twice, over the real HTTP API (SQLite: nothing here
differs by engine)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from careloop.domain.dispatch import UnitFacts, rank_targets, search
from tests.conftest import Api
from tests.integration.api.helpers import act, assert_problem, create


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def _codes(answer: dict[str, Any]) -> list[list[str]]:
    return [[t["code"] for t in g["targets"]] for g in answer["groups"]]


def _province() -> dict[str, UnitFacts]:
    specs = [
        ("G", "group", None, None),
        ("P", "province", "G", None),
        ("P-QA", "department", "P", "quality"),
        ("C1", "city", "P", None),
        ("C1-STO", "department", "C1", "store"),
        ("C1-BIL", "department", "C1", "billing"),
        ("C1-NET", "department", "C1", "network"),
        ("C1-K1", "county", "C1", None),
        ("C1-K1-NET", "department", "C1-K1", "network"),
        ("C1-K1-STO", "department", "C1-K1", "store"),
        ("C1-K2", "county", "C1", None),
        ("C1-K2-NET", "department", "C1-K2", "network"),
        ("C2", "city", "P", None),
        ("C2-BIL", "department", "C2", "billing"),
        ("C2-K1", "county", "C2", None),
        ("C2-K1-NET", "department", "C2-K1", "network"),
    ]
    units: dict[str, UnitFacts] = {}
    for i, (code, kind, parent, dept) in enumerate(specs, 1):
        path = (units[parent].path if parent else "/") + f"{i}/"
        units[code] = UnitFacts(i, code, kind, path, dept, f"{code}单位", f"{code} unit")
    return units


def _ranked(region: str, category: str, exclude: tuple[int, ...] = ()) -> list[list[str]]:
    units = _province()
    groups = rank_targets(units.values(), units[region], category, exclude)
    return [[t.unit.code + ("*" if t.recommended else "") for t in g.targets] for g in groups]


def test_ranking_puts_the_complaints_city_first_and_the_suggested_unit_on_top():
    # A broadband fault in county K2: its network department, then the county's, the city's
    # and the city's other county's units; the province's own; the other city last.
    assert _ranked("C1-K2", "broadband.outage") == [
        ["C1-K2-NET*", "C1-STO", "C1-BIL", "C1-NET", "C1-K1-NET", "C1-K1-STO"],
        ["P-QA"],
        ["C2-BIL", "C2-K1-NET"],
    ]
    # A bill is the city's: filed in a county, the city billing department is suggested.
    assert _ranked("C1-K1", "billing.dispute")[0][0] == "C1-BIL*"
    # Service attitude: the county's store; at city level, the city's store.
    assert _ranked("C1-K1", "service.attitude")[0][0] == "C1-K1-STO*"
    assert _ranked("C1", "service.attitude")[0][0] == "C1-STO*"
    # A county without the suggested kind falls back to the city's department.
    assert _ranked("C1-K2", "service.attitude")[0][0] == "C1-STO*"
    # From the other city, that city comes first.
    assert _ranked("C2-K1", "network.coverage")[0] == ["C2-K1-NET*", "C2-BIL"]
    # A transfer leaves out the unit holding the order; another suggestion takes the top.
    net = _province()["C1-K2-NET"].id
    assert _ranked("C1-K2", "broadband.outage", (net,))[0][0] == "C1-NET*"


def test_search_matches_names_codes_and_regions_in_either_language():
    units = _province()
    groups = rank_targets(units.values(), units["C1-K1"], "billing.dispute")
    assert [t.unit.code for g in search(groups, "c2-k1 UNIT") for t in g.targets] == ["C2-K1-NET"]
    assert [t.unit.code for g in search(groups, "C1-K2单位") for t in g.targets] == [
        "C1-K2-NET"  # found by the county's name it serves
    ]
    assert search(groups, "nothing like this") == []


def test_dispatch_targets_are_ranked_scoped_and_searchable(api: Api):
    agent = api.as_("agent1")
    complaint = create(agent, category="broadband.outage", region="C1-K2")
    answer = agent.get(f"/api/v1/complaints/{complaint['id']}/dispatch-targets")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["recommended"]["code"] == "C1-K2-NET"
    assert found["groups"][0]["local"] is True and found["groups"][0]["region_code"] == "C1"
    assert _codes(found)[0] == ["C1-K2-NET", "C1-HOT", "C1-BILL", "C1-K1-NET"]
    assert _codes(found)[-1] == ["C2-K1-NET"]
    assert found["groups"][0]["targets"][0]["name"] == "西区网络部"
    assert found["count"] == 6

    narrowed = agent.get(
        f"/api/v1/complaints/{complaint['id']}/dispatch-targets", params={"q": "北区"}
    ).json()
    assert _codes(narrowed) == [["C2-K1-NET"]] and narrowed["recommended"] is None

    # A handler of a county sees only its county's complaints: another's answers 404.
    assert_problem(
        api.as_("net1").get(f"/api/v1/complaints/{complaint['id']}/dispatch-targets"),
        404,
        "not_found",
    )


def _notices(client: httpx.Client, complaint_id: int) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/sla/notifications", params={"complaint_id": complaint_id, "kind": "chase"}
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_add_call_and_chase_follow_up_the_open_complaint_once_per_key(api: Api):
    agent, colleague, lead = api.as_("agent1"), api.as_("agent2"), api.as_("lead1")
    complaint = create(agent, category="broadband.outage", region="C1-K2")
    cid = complaint["id"]
    act(agent, f"/api/v1/complaints/{cid}/dispatch", version=complaint["version"], unit="C1-K2-NET")

    # Another agent takes the customer's next call and adds it to the open complaint.
    added = colleague.post(
        f"/api/v1/complaints/{cid}/add-call",
        json={"text": "客户再次来电：仍无法上网", "channel": "wechat"},
        headers={"Idempotency-Key": "call-2"},
    )
    assert added.status_code == 201, added.text
    assert (added.json()["action"], added.json()["calls_added"]) == ("add_call", 1)
    again = colleague.post(
        f"/api/v1/complaints/{cid}/add-call",
        json={"text": "客户再次来电：仍无法上网", "channel": "wechat"},
        headers={"Idempotency-Key": "call-2"},
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["event_id"] == added.json()["event_id"]

    chased = colleague.post(f"/api/v1/complaints/{cid}/chase", json={"note": "客户很着急"})
    assert chased.status_code == 201, chased.text
    assert chased.json()["chases"] == 1
    assert chased.json()["recipients"] == ["staff:agent1", "unit:C1-K2-NET"]

    events = agent.get(f"/api/v1/complaints/{cid}/events").json()
    follow = [e for e in events if e["action"] in ("add_call", "chase")]
    assert [(e["action"], e["actor"]) for e in follow] == [
        ("add_call", "agent2"),
        ("chase", "agent2"),
    ]
    assert follow[0]["note"] == "客户再次来电：仍无法上网"
    assert follow[0]["after"]["channel"] == "wechat"
    notices = _notices(lead, cid)
    assert sorted(n["recipient"] for n in notices) == ["staff:agent1", "unit:C1-K2-NET"]
    assert "催办" in notices[0]["subject"] and "138****5678" in notices[0]["body"]
    counts = agent.get(f"/api/v1/complaints/{cid}/follow-ups").json()
    assert counts == {"calls_added": 1, "chases": 1}
    # The complaint itself did not move: same status, same version.
    stored = agent.get(f"/api/v1/complaints/{cid}").json()
    assert (stored["status"], stored["version"]) == ("in_progress", complaint["version"] + 1)


def test_follow_ups_are_refused_readably_when_closed_out_of_scope_or_empty(api: Api):
    agent = api.as_("agent1")
    complaint = create(agent)
    cid = complaint["id"]
    empty = agent.post(f"/api/v1/complaints/{cid}/add-call", json={"text": "   "})
    assert_problem(empty, 422, "invalid_input")
    assert_problem(
        api.as_("inspector").post(f"/api/v1/complaints/{cid}/chase", json={}),
        403,
        "role_not_allowed",
    )
    assert_problem(
        api.as_("net2").post(f"/api/v1/complaints/{cid}/chase", json={}), 404, "not_found"
    )
    act(agent, f"/api/v1/complaints/{cid}/cancel", version=complaint["version"], reason="撤诉")
    assert_problem(
        agent.post(f"/api/v1/complaints/{cid}/chase", json={}), 409, "illegal_transition"
    )
