"""An inspection from plan to score over the real HTTP API, on SQLite and PostgreSQL: a
quarterly rotation sends each county's staff to the other county's stores, the inspector
sees the visits they were sent on, saves a draft, cannot submit without the evidence,
submits, and the store's score, 达标率 and rectification tasks follow; nobody outside the
scope sees the visit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careloop.domain.supervision.checklists import SEED_CHECKLISTS
from careloop.store.models import InspectionEvent
from careloop.store.models.rectification import RectificationTask
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem

STORES = [("C1-K1-S1", "东区解放路营业厅", "C1-K1"), ("C1-K2-S1", "西区文三路营业厅", "C1-K2")]
EVIDENCE = {"photo": "IMG_0412.jpg", "recording": "REC-20260928-01", "timestamp": "10:02-10:19"}


def set_up_plan(api: Api) -> dict[str, Any]:
    super1 = api.as_("super1")
    for code, name, unit in STORES:
        response = super1.post(
            "/api/v1/inspections/subjects",
            json={"kind": "store", "code": code, "name_zh": name, "unit": unit},
        )
        assert response.status_code == 201, response.text
    response = super1.post(
        "/api/v1/inspections/plans",
        json={
            "name": "2026年第三季度营业厅明察暗访",
            "kind": "store_visit",
            "cadence": "quarterly",
            "starts_on": "2026-07-01",
            "ends_on": "2026-09-30",
            "inspectors": ["net1", "net2"],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def full_marks(**overrides: float) -> list[dict[str, Any]]:
    items = []
    for item in SEED_CHECKLISTS["store_visit"].items:
        entry: dict[str, Any] = {
            "code": item.code,
            "awarded": overrides.get(item.code, item.weight),
        }
        entry.update({kind: EVIDENCE[kind] for kind in item.evidence})
        items.append(entry)
    return items


def test_a_planned_visit_is_entered_submitted_scored_and_its_findings_opened(
    app, api: Api, clock: MovableClock
):
    plan = set_up_plan(api)
    assert plan["slots"] == 2
    net2 = api.as_("net2")
    mine = net2.get("/api/v1/inspections", params={"mine": "true"}).json()
    (visit,) = mine["items"]  # the rotation sends 西区's staff to 东区's store only
    assert visit["subject_code"] == "C1-K1-S1" and visit["status"] == "planned"

    draft = net2.put(
        f"/api/v1/inspections/{visit['id']}/draft",
        json={"version": visit["version"], "items": full_marks()[:3]},
    )
    assert draft.status_code == 200, draft.text
    saved = draft.json()
    assert saved["inspection"]["status"] == "draft"
    assert [i["awarded"] for i in saved["items"][:3]] == [10, 15, 15]

    without_recording = [
        {k: v for k, v in item.items() if k != "recording"} for item in full_marks()
    ]
    refused = net2.post(
        f"/api/v1/inspections/{visit['id']}/submit",
        json={"version": saved["inspection"]["version"], "items": without_recording},
    )
    problem = assert_problem(refused, 422, "invalid_input")
    assert "「告知资费」缺少录音编号" in problem["detail"]

    submitted = net2.post(
        f"/api/v1/inspections/{visit['id']}/submit",
        json={
            "version": saved["inspection"]["version"],
            "items": full_marks(tariff_disclosure=0, waiting_time=4),
            "visited_at": "2026-09-27T10:02:00+08:00",
        },
    )
    assert submitted.status_code == 200, submitted.text
    result = submitted.json()["inspection"]
    assert result["score"] == 79.0 and result["compliant"] is False
    assert set(result["failed_items"]) == {"tariff_disclosure", "waiting_time"}
    assert result["checklist_version"] == 1

    again = net2.post(
        f"/api/v1/inspections/{visit['id']}/submit",
        json={"version": result["version"], "items": []},
    )
    assert_problem(again, 422, "invalid_input")

    with app.state.platform.unit_of_work() as uow:
        tasks = uow.session.scalars(
            select(RectificationTask).where(RectificationTask.source_kind == "inspection")
        ).all()
        actions = uow.session.scalars(
            select(InspectionEvent.action).where(InspectionEvent.inspection_id == visit["id"])
        ).all()
    assert sorted(t.source_item for t in tasks) == ["tariff_disclosure", "waiting_time"]
    assert all(t.source_id == visit["id"] for t in tasks)
    assert actions == ["draft_saved", "submitted"]

    scores = (
        api.as_("super1")
        .get("/api/v1/inspections/scores", params={"start": "2026-07-01", "end": "2026-09-30"})
        .json()
    )
    (store,) = scores["stores"]
    assert store["code"] == "C1-K1-S1" and store["mean_score"] == 79.0
    assert store["compliance_rate"] == 0.0 and store["rank"] == 1
    assert scores["trend"] == [
        {"period": "2026-09", "visits": 1, "compliant": 0, "compliance_rate": 0.0,
         "mean_score": 79.0}
    ]  # fmt: skip


def test_another_inspectors_visit_cannot_be_recorded_and_is_unseen_outside_scope(
    api: Api, clock: MovableClock
):
    set_up_plan(api)
    visit = api.as_("net2").get("/api/v1/inspections", params={"mine": "true"}).json()["items"][0]
    agent = api.as_("agent1")  # 甲市 hotline agent: sees the city's visits, records none of them
    assert agent.get(f"/api/v1/inspections/{visit['id']}").status_code == 200
    refused = agent.put(
        f"/api/v1/inspections/{visit['id']}/draft", json={"version": visit["version"], "items": []}
    )
    assert_problem(refused, 403, "role_not_allowed")
    seen_by_net2 = api.as_("net2").get("/api/v1/inspections").json()
    assert {v["subject_code"] for v in seen_by_net2["items"]} == {"C1-K1-S1", "C1-K2-S1"}
    net1_mine = api.as_("net1").get("/api/v1/inspections", params={"mine": "true"}).json()
    assert [v["subject_code"] for v in net1_mine["items"]] == ["C1-K2-S1"]


def test_a_stale_version_conflicts(api: Api, clock: MovableClock):
    set_up_plan(api)
    net2 = api.as_("net2")
    visit = net2.get("/api/v1/inspections", params={"mine": "true"}).json()["items"][0]
    first = net2.put(
        f"/api/v1/inspections/{visit['id']}/draft",
        json={"version": visit["version"], "items": full_marks()[:1]},
    )
    assert first.status_code == 200
    stale = net2.put(
        f"/api/v1/inspections/{visit['id']}/draft",
        json={"version": visit["version"], "items": full_marks()[1:2]},
    )
    assert_problem(stale, 409, "version_conflict")


def test_a_new_checklist_version_leaves_earlier_results_on_theirs(api: Api, clock: MovableClock):
    super1 = api.as_("super1")
    current = super1.get("/api/v1/checklists/store_visit").json()
    assert current["version"] == 1 and current["versions"] == [1]
    body = {
        "name_zh": current["name_zh"],
        "pass_mark": 90,
        "items": [
            {k: i[k] for k in ("code", "name_zh", "weight", "mandatory", "evidence")}
            for i in current["items"]
        ],
    }
    added = super1.post("/api/v1/checklists/store_visit", json=body)
    assert added.status_code == 201, added.text
    assert added.json()["version"] == 2 and added.json()["versions"] == [1, 2]
    assert (
        super1.get("/api/v1/checklists/store_visit", params={"version": 1}).json()["pass_mark"]
        == 85
    )
    assert_problem(
        api.as_("net1").post("/api/v1/checklists/store_visit", json=body), 403, "role_not_allowed"
    )
