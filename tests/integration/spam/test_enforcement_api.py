"""/api/v1/spam-enforcement over a real HTTP server on SQLite and PostgreSQL: a case opened
from a day's counts is listed within scope, sanctioned with evidence (refused in words
without), appealed by staff for the port's customer, decided by someone else; a suspended port is
reinstated after rectification by a unit lead, never resolved away; a closed port stays
blocked; the thresholds are set by the quality centre only."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from careloop.domain.spam.reports import PortDayCounts
from careloop.services.spam import enforcement as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem

PORT = "10657001234"
BASE = "/api/v1/spam-enforcement"


def open_case(database_url: str, clock: MovableClock) -> None:
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        counts = [PortDayCounts(PORT, date(2026, 9, 28), 40, 20, 0.9, 0)]
        service.open_cases_from_counts(uow, counts, clock.now, region_of={PORT: "C1-K1"}.get)
    engine.dispose()


def the_case(api: Api, username: str = "super1", lang: str = "zh") -> dict[str, Any]:
    listed = api.as_(username, lang).get(f"{BASE}/cases")
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 1
    return listed.json()["items"][0]  # type: ignore[no-any-return]


def post(client: httpx.Client, case: dict[str, Any], path: str, **body: Any) -> httpx.Response:
    return client.post(
        f"{BASE}/cases/{case['id']}/{path}", json={"version": case["version"], **body}
    )


def test_a_case_is_sanctioned_with_evidence_appealed_and_lifted(
    api: Api, database_url: str, clock: MovableClock
):
    open_case(database_url, clock)
    case = the_case(api, "net1")  # the county's network department owns the county's port
    assert case["unit"]["code"] == "C1-K1-NET" and case["status_label"] == "待处置"
    assert case["deadline_label"] == "处理中" and case["severity_label"] == "一般"
    assert api.as_("net2").get(f"{BASE}/cases").json()["total"] == 0
    hidden = api.as_("net2").get(f"{BASE}/cases/{case['id']}")
    assert_problem(hidden, 404, "not_found")

    net1 = api.as_("net1")
    refused = post(net1, case, "sanctions", action="warn", evidence=" ")
    problem = assert_problem(refused, 422, "enforcement_evidence_required")
    assert problem["detail"].startswith("处置端口必须附依据")
    english = post(api.as_("net1", "en"), case, "sanctions", action="warn")
    assert (
        "without evidence"
        in assert_problem(english, 422, "enforcement_evidence_required")["detail"]
    )
    too_high = post(net1, case, "sanctions", action="suspend", evidence="x")
    assert_problem(too_high, 403, "role_not_allowed")

    suspended = post(
        api.as_("lead1"), case, "sanctions", action="suspend",
        evidence_ref="file://12321/0928.png", evidence="贷款营销短信",
    )  # fmt: skip
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["port_blocked"] and suspended.json()["decided_by"] == "lead1"
    stale = post(net1, case, "notes", note="过期版本")
    assert_problem(stale, 409, "version_conflict")

    case = suspended.json()
    appealed = post(
        api.as_("agent1"), case, "appeal", appellant="某某科技有限公司", reason="已整改"
    )
    assert appealed.status_code == 200, appealed.text
    case = appealed.json()
    by_unit = post(api.as_("lead1"), case, "appeal-decision", outcome="lift", reason="同意")
    assert_problem(by_unit, 403, "role_not_allowed")
    lifted = post(api.as_("super1"), case, "appeal-decision", outcome="lift", reason="同意")
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["status"] == "resolved" and not lifted.json()["port_blocked"]
    trail = api.as_("inspector").get(f"{BASE}/cases/{case['id']}/trail").json()
    assert [e["action"] for e in trail] == ["open", "suspend", "appeal", "lift"]
    assert trail[1]["actor"] == "刘主任" and trail[1]["action_label"] == "暂停端口"


def test_a_suspended_port_is_reinstated_after_rectification(
    api: Api, database_url: str, clock: MovableClock
):
    open_case(database_url, clock)
    case = the_case(api, "lead1")
    suspended = post(api.as_("lead1"), case, "sanctions", action="suspend", evidence="营销短信")
    assert suspended.status_code == 200, suspended.text
    case = suspended.json()
    # The owner unit's handler may record notes and appeals, never lift a suspension.
    rectified = {"evidence_ref": "file://rectify/1008.pdf", "evidence": "已清洗名单"}
    by_handler = post(api.as_("net1"), case, "reinstate", **rectified)
    assert_problem(by_handler, 403, "role_not_allowed")
    stranded = post(api.as_("net1"), case, "resolve", note="办结")
    assert "恢复端口" in assert_problem(stranded, 409, "illegal_enforcement_transition")["detail"]
    bare = post(api.as_("lead1", "en"), case, "reinstate", evidence=" ")
    assert (
        "without evidence" in assert_problem(bare, 422, "enforcement_evidence_required")["detail"]
    )
    back = post(api.as_("lead1", "en"), case, "reinstate", **rectified)
    assert back.status_code == 200, back.text
    done = back.json()
    assert done["status"] == "resolved" and done["port_state"] == "active"
    assert not done["port_blocked"] and done["last_action"] == "reinstate"
    assert done["last_action_label"] == "reinstate the port after rectification"
    stale = post(api.as_("lead1"), case, "reinstate", **rectified)
    assert_problem(stale, 409, "version_conflict")
    ports = api.as_("inspector").get(f"{BASE}/ports", params={"number": PORT}).json()
    assert ports["items"][0]["state"] == "active" and not ports["items"][0]["blocked"]
    history = ports["items"][0]["history"]
    assert [(h["action"], h["state"]) for h in history] == [
        ("suspend", "suspended"),
        ("reinstate", "active"),
    ]
    trail = api.as_("inspector").get(f"{BASE}/cases/{case['id']}/trail").json()
    assert [e["action"] for e in trail] == ["open", "suspend", "reinstate"]
    assert trail[-1]["action_label"] == "整改完成，恢复端口" and trail[-1]["note"] == "已清洗名单"


def test_a_closed_port_stays_blocked(api: Api, database_url: str, clock: MovableClock):
    open_case(database_url, clock)
    case = the_case(api)
    closed = post(api.as_("super1"), case, "sanctions", action="close_port", evidence="屡教不改")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status_label"] == "已关停端口" and closed.json()["allowed"] == []
    again = post(api.as_("admin"), closed.json(), "sanctions", action="warn", evidence="再警告")
    assert_problem(again, 409, "illegal_enforcement_transition")
    never = post(api.as_("admin"), closed.json(), "reinstate", evidence="已整改")
    assert_problem(never, 409, "illegal_enforcement_transition")
    ports = api.as_("lead1").get(f"{BASE}/ports", params={"number": "106 5700 1234"}).json()
    assert ports["items"][0]["state"] == "closed" and ports["items"][0]["blocked"]
    assert [h["state"] for h in ports["items"][0]["history"]] == ["closed"]
    assert api.as_("net2").get(f"{BASE}/ports").json()["total"] == 0
    assert api.as_("net1").get(f"{BASE}/ports").json()["total"] == 1


def test_thresholds_are_the_quality_centres_to_set(api: Api):
    defaults = api.as_("lead1").get(f"{BASE}/thresholds")
    assert defaults.status_code == 200, defaults.text
    assert defaults.json()["region_code"] == "C1" and not defaults.json()["configured"]
    body = {"region": "C1", "terms": {"min_reports": 30}}
    assert_problem(api.as_("lead1").put(f"{BASE}/thresholds", json=body), 403, "role_not_allowed")
    done = api.as_("super1").put(f"{BASE}/thresholds", json=body)
    assert done.status_code == 200 and done.json()["terms"]["min_reports"] == 30
    county = api.as_("net1").get(f"{BASE}/thresholds").json()
    assert county["region_code"] == "C1-K1" and county["terms"]["min_reports"] == 30
    bad = api.as_("super1").put(
        f"{BASE}/thresholds", json={"region": "C1", "terms": {"min_reports": 0}}
    )
    assert "阈值" in assert_problem(bad, 422, "invalid_input")["detail"]
    elsewhere = api.as_("net1").get(f"{BASE}/thresholds", params={"region": "C2"})
    assert_problem(elsewhere, 422, "invalid_input")


def test_a_days_opening_is_run_by_the_quality_centre_only(api: Api):
    body = {"day": "2026-09-28"}
    refused = api.as_("lead1").post(f"{BASE}/openings", json=body)
    assert_problem(refused, 403, "role_not_allowed")
    far = api.as_("super1").post(f"{BASE}/openings", json={"day": "9999-12-31"})
    assert_problem(far, 422, "invalid_input")
    ran = api.as_("super1").post(f"{BASE}/openings", json=body)
    assert ran.status_code == 200, ran.text
    assert ran.json()["spam_cases_opened"] == 0  # no reports recorded that day
