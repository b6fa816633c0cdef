"""/api/v1/rectifications over a real HTTP server on SQLite and PostgreSQL, time moved:
open (idempotent per finding), submit without evidence refused in Chinese first, a failed
re-inspection reopens, a late task escalates in the runner's round, roles and scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from careloop.jobs.runner import InProcessRunner
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem

BODY: dict[str, Any] = {
    "source": {"kind": "dial_test", "id": 9, "item": "answer_time"},
    "unit": "C1-HOT",
    "title": "10000 号人工接通超时",
    "detail": "拨测 20 次，6 次 20 秒内未接通",
}


def open_task(api: Api) -> dict[str, Any]:
    response = api.as_("super1").post("/api/v1/rectifications", json=BODY)
    assert response.status_code == 201, response.text
    return response.json()


def test_open_is_idempotent_per_finding_and_due_in_two_working_days(api: Api):
    first = open_task(api)
    assert first["status_label"] == "待整改" and first["source_label"] == "拨测不合格"
    # Opened Monday 2026-09-28 10:00 Beijing: 09-29 and 09-30 are the two working days.
    assert first["due_local"] == "2026-09-30 24:00"
    again = api.as_("super1").post("/api/v1/rectifications", json=BODY)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first["id"]
    listed = api.as_("agent1").get("/api/v1/rectifications", params={"status": "open_all"})
    assert [t["id"] for t in listed.json()["items"]] == [first["id"]]


def test_submitting_without_evidence_is_refused_in_words(api: Api):
    task = open_task(api)
    refused = api.as_("agent1").post(
        f"/api/v1/rectifications/{task['id']}/submit",
        json={"version": task["version"], "actions_taken": "已增加午间班次"},
    )
    problem = assert_problem(refused, 422, "rectification_evidence_required")
    assert problem["detail"].startswith("没有整改佐证材料")
    english = api.as_("agent1", "en").post(
        f"/api/v1/rectifications/{task['id']}/submit",
        json={"version": task["version"], "actions_taken": "more staff at noon"},
    )
    assert (
        "without evidence"
        in assert_problem(english, 422, "rectification_evidence_required")["detail"]
    )


def test_a_failed_re_inspection_reopens_and_a_pass_closes(api: Api, clock: MovableClock):
    task = open_task(api)
    hotline = api.as_("agent1")
    submitted = hotline.post(
        f"/api/v1/rectifications/{task['id']}/submit",
        json={
            "version": task["version"],
            "actions_taken": "午间增加 3 名坐席",
            "evidence_ref": "file://排班表-10月.xlsx",
        },
    ).json()
    assert submitted["status"] == "submitted"
    own = hotline.post(
        f"/api/v1/rectifications/{task['id']}/confirm", json={"version": submitted["version"]}
    )
    assert_problem(own, 403, "role_not_allowed")
    clock.advance(days=1)
    failed = api.as_("super1").post(
        f"/api/v1/rectifications/{task['id']}/fail",
        json={"version": submitted["version"], "reason": "复测仍有 4 次超时"},
    )
    assert failed.status_code == 200, failed.text
    assert failed.json()["status"] == "reopened" and failed.json()["cycle"] == 2
    stale = api.as_("super1").post(
        f"/api/v1/rectifications/{task['id']}/confirm", json={"version": submitted["version"]}
    )
    assert_problem(stale, 409, "version_conflict")
    illegal = api.as_("super1").post(
        f"/api/v1/rectifications/{task['id']}/confirm", json={"version": failed.json()["version"]}
    )
    assert (
        "复查未通过" in assert_problem(illegal, 409, "illegal_rectification_transition")["detail"]
    )
    trail = api.as_("super1").get(f"/api/v1/rectifications/{task['id']}/events").json()
    assert [e["action"] for e in trail] == ["open", "submit", "fail"]
    assert trail[-1]["action_label"] == "复查不通过，退回重新整改"


def test_a_late_task_escalates_once_in_the_runners_round(api: Api, app, clock: MovableClock):
    task = open_task(api)
    runner = InProcessRunner(str(app.state.engine.url.render_as_string(hide_password=False)))
    clock.now = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)  # 08:00 on 10-01, the day after
    assert runner.run_once(clock.now)["rectifications_escalated"] == 1
    assert runner.run_once(clock.now)["rectifications_escalated"] == 0
    seen = api.as_("lead1").get(f"/api/v1/rectifications/{task['id']}").json()
    assert seen["escalation_level"] == 1 and seen["escalated_to"]["code"] == "C1"
    assert seen["overdue"] and seen["remaining"].startswith("超时")
    overdue = api.as_("lead1").get("/api/v1/rectifications", params={"status": "overdue"})
    assert overdue.json()["total"] == 1


def test_another_city_sees_nothing_and_a_handler_cannot_open(api: Api):
    task = open_task(api)
    # super1 sees the province; a county handler of the other city does not exist here.
    assert api.as_("net2").get(f"/api/v1/rectifications/{task['id']}").status_code == 404
    billing = api.as_("bill1")  # same city, another unit: reads, does not act
    seen = billing.get(f"/api/v1/rectifications/{task['id']}").json()
    assert seen["allowed"] == []
    not_theirs = billing.post(f"/api/v1/rectifications/{task['id']}/start", json={"version": 1})
    assert "甲市客服中心" in assert_problem(not_theirs, 403, "not_owner_unit")["detail"]
    refused = api.as_("net1").post("/api/v1/rectifications", json=BODY)
    assert_problem(refused, 403, "role_not_allowed")
    unknown = api.as_("lead1").post("/api/v1/rectifications", json={**BODY, "unit": "C2-K1-NET"})
    assert "不在您的管辖范围内" in assert_problem(unknown, 422, "invalid_input")["detail"]


def test_the_limit_per_source_kind_is_set_by_the_quality_centre(api: Api):
    answer = api.as_("super1").put(
        "/api/v1/rectifications/policies/dial_test",
        json={"limits": {"count": "working_days", "days": 1}},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["limit"].startswith("1 个工作日")
    assert open_task(api)["due_local"] == "2026-09-29 24:00"
    refused = api.as_("lead1").put(
        "/api/v1/rectifications/policies/dial_test",
        json={"limits": {"count": "working_days", "days": 1}},
    )
    assert_problem(refused, 403, "role_not_allowed")
    bad = api.as_("super1").put(
        "/api/v1/rectifications/policies/dial_test", json={"limits": {"count": "weeks"}}
    )
    assert assert_problem(bad, 422, "invalid_input")["detail"].startswith("整改时限设置无效")
