"""Social supervisors over the real HTTP API on SQLite and PostgreSQL: a registry with
phones masked by role, a scored observation handed to the store's unit with a reply
deadline, the answer sent to the supervisor, a failed finding opening a rectification
task (FindingRef kind social_supervision), and scope."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem

SUPERVISOR: dict[str, Any] = {
    "name": "郑监督",
    "contact_phone": "138-1234-5678",
    "area_unit": "C1",
    "term_start": "2026-01-01",
    "term_end": "2027-12-31",
}


def appoint(api: Api) -> dict[str, Any]:
    response = api.as_("super1").post("/api/v1/social-supervisors", json=SUPERVISOR)
    assert response.status_code == 201, response.text
    return response.json()


def observation(supervisor_id: int, clock: MovableClock, **extra: Any) -> dict[str, Any]:
    return {
        "supervisor_id": supervisor_id,
        "submission_kind": "observation",
        "target_kind": "hotline",
        "target_unit": "C1-HOT",
        "score": 62,
        "observation": "拨打 10000 等待 3 分钟才接通，坐席未报工号",
        "evidence_ref": "rec://20260927-1530.mp3",
        "observed_at": clock.now.isoformat(),
        **extra,
    }


def test_the_phone_is_masked_for_roles_that_may_not_see_it(api: Api):
    supervisor = appoint(api)
    assert supervisor["phone"] == "13812345678" and supervisor["state_label"] == "在聘"
    masked = api.as_("inspector").get(f"/api/v1/social-supervisors/{supervisor['id']}").json()
    assert masked["phone"] == "138****5678"
    listed = api.as_("lead1").get("/api/v1/social-supervisors").json()
    assert [s["phone"] for s in listed["items"]] == ["138****5678"]
    assert "13812345678" not in api.as_("agent1").get("/api/v1/social-supervisors").text


def test_a_failed_observation_is_answered_and_opens_a_rectification(api: Api, clock: MovableClock):
    supervisor = appoint(api)
    recorded = api.as_("super1").post(
        "/api/v1/social-supervisors/submissions",
        json=observation(supervisor["id"], clock, open_rectification=True),
        headers={"Idempotency-Key": "jd-1"},
    )
    assert recorded.status_code == 201, recorded.text
    item = recorded.json()
    assert item["finding"] == "fail" and item["finding_label"] == "不合格"
    assert item["owner_unit"]["code"] == "C1-HOT" and item["status_label"] == "待答复"
    assert item["reply_due_local"] == "2026-10-10 24:00"
    assert item["rectification_number"].startswith("ZG")
    task = api.as_("agent1").get(f"/api/v1/rectifications/{item['rectification_id']}").json()
    assert task["source_kind"] == "social_supervision" and task["source_id"] == item["id"]
    replay = api.as_("super1").post(
        "/api/v1/social-supervisors/submissions",
        json=observation(supervisor["id"], clock, open_rectification=True),
        headers={"Idempotency-Key": "jd-1"},
    )
    assert replay.status_code == 200 and replay.json()["id"] == item["id"]
    clock.advance(days=1)
    answered = api.as_("agent1").post(
        f"/api/v1/social-supervisors/submissions/{item['id']}/answer",
        json={"version": item["version"], "reply": "已增加午间坐席并重申报工号要求，感谢监督"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status_label"] == "已答复"
    assert answered.json()["remaining"] == "按时答复"
    again = api.as_("agent1").post(
        f"/api/v1/social-supervisors/submissions/{item['id']}/answer",
        json={"version": answered.json()["version"], "reply": "再次答复"},
    )
    assert_problem(again, 409, "already_answered")
    outbox = api.as_("admin").get("/api/v1/sla/notifications", params={"kind": "supervision"})
    assert outbox.status_code == 200, outbox.text  # the supervisor is told by SMS
    assert any("已增加午间坐席" in m["body"] for m in outbox.json()["items"])


def test_refusals_say_what_is_wrong_in_chinese(api: Api, clock: MovableClock):
    supervisor = appoint(api)
    no_score = api.as_("super1").post(
        "/api/v1/social-supervisors/submissions",
        json=observation(supervisor["id"], clock, score=None),
    )
    assert "需要填写评分" in assert_problem(no_score, 422, "invalid_input")["detail"]
    bad_phone = api.as_("super1").post(
        "/api/v1/social-supervisors", json={**SUPERVISOR, "contact_phone": "12345"}
    )
    assert "联系电话无效" in assert_problem(bad_phone, 422, "invalid_input")["detail"]
    stopped = api.as_("super1").patch(
        f"/api/v1/social-supervisors/{supervisor['id']}",
        json={"version": supervisor["version"], "active": False},
    )
    assert stopped.json()["state_label"] == "已停用"
    refused = api.as_("super1").post(
        "/api/v1/social-supervisors/submissions", json=observation(supervisor["id"], clock)
    )
    assert_problem(refused, 409, "supervisor_inactive")


def test_another_unit_cannot_answer_and_another_city_cannot_see(api: Api, clock: MovableClock):
    supervisor = appoint(api)
    item = (
        api.as_("lead1")
        .post(
            "/api/v1/social-supervisors/submissions",
            json=observation(supervisor["id"], clock, submission_kind="feedback", score=None),
        )
        .json()
    )
    assert item["finding"] == "none"
    billing = api.as_("bill1").post(
        f"/api/v1/social-supervisors/submissions/{item['id']}/answer",
        json={"version": item["version"], "reply": "不是我们的"},
    )
    assert_problem(billing, 403, "not_owner_unit")
    hidden = api.as_("net2").get(f"/api/v1/social-supervisors/submissions/{item['id']}")
    assert_problem(hidden, 404, "not_found")
    not_failed = api.as_("lead1").post(
        f"/api/v1/social-supervisors/submissions/{item['id']}/rectification",
        json={"version": item["version"]},
    )
    assert_problem(not_failed, 409, "not_a_failed_finding")
    handler = api.as_("net1").post("/api/v1/social-supervisors", json=SUPERVISOR)
    assert_problem(handler, 403, "role_not_allowed")
