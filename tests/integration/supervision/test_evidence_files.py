"""Evidence files over the real HTTP API on SQLite and PostgreSQL: a unit uploads a photo to
its rectification task and submits it for re-inspection on that file alone; a program
renamed to .jpg, a file too large and a caller outside the scope are refused in words with
nothing stored; downloads stay within scope and are recorded; an inspector's photo for a
checklist item is that item's photo evidence when the result is submitted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from careloop.domain.attachments import MAX_BYTES
from careloop.domain.supervision.checklists import SEED_CHECKLISTS
from careloop.store.models import SecurityEvent
from careloop.store.models.evidence import EvidenceContent, EvidenceFile
from careloop.store.models.rectification import RectificationEvent
from tests.conftest import Api
from tests.integration.api.helpers import assert_problem
from tests.integration.supervision.test_inspection_path import EVIDENCE, set_up_plan
from tests.integration.supervision.test_rectification_api import open_task

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
PROGRAM = b"MZ\x90\x00" + b"\x00" * 200


def _stored(app: Any) -> int:
    with app.state.platform.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(EvidenceFile)) or 0)


def test_a_unit_submits_its_task_on_an_uploaded_photo_and_refusals_store_nothing(
    app: Any, api: Api
):
    task = open_task(api)
    base = f"/api/v1/rectifications/{task['id']}"
    hotline = api.as_("agent1")

    renamed = hotline.post(f"{base}/evidence", files={"file": ("整改后.jpg", PROGRAM)})
    assert "文件内容与扩展名不符" in assert_problem(renamed, 422, "invalid_input")["detail"]
    too_large = api.as_("agent1", "en").post(
        f"{base}/evidence", files={"file": ("big.jpg", JPEG + b"\x00" * MAX_BYTES)}
    )
    assert too_large.status_code in (413, 422), too_large.text
    empty = hotline.post(f"{base}/evidence", data={"note": "忘了选文件"})
    assert "请选择要上传的文件" in assert_problem(empty, 422, "invalid_input")["detail"]
    outside = api.as_("net2").post(f"{base}/evidence", files={"file": ("a.jpg", JPEG)})
    assert "整改任务不存在" in assert_problem(outside, 404, "not_found")["detail"]
    other_unit = api.as_("bill1").post(f"{base}/evidence", files={"file": ("a.jpg", JPEG)})
    assert "责任单位" in assert_problem(other_unit, 403, "not_owner_unit")["detail"]
    assert _stored(app) == 0

    uploaded = hotline.post(f"{base}/evidence", files={"file": ("C:\\相册\\整改后.jpg", JPEG)})
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    assert photo["filename"] == "整改后.jpg" and photo["content_type"] == "image/jpeg"
    assert photo["is_image"] and photo["uploaded_by"] == "王坐席" and photo["cycle"] == 1

    submitted = hotline.post(
        f"{base}/submit", json={"version": task["version"], "actions_taken": "午间增加 3 名坐席"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert f"#{photo['id']} 整改后.jpg" in submitted.json()["evidence_ref"]
    late = hotline.post(f"{base}/evidence", files={"file": ("b.jpg", JPEG)})
    assert_problem(late, 409, "illegal_rectification_transition")

    trail = hotline.get(f"{base}/events").json()
    assert [e["action"] for e in trail] == ["open", "evidence_added", "submit"]
    assert trail[1]["action_label"] == "上传佐证材料"
    assert [f["id"] for f in api.as_("super1").get(f"{base}/evidence").json()] == [photo["id"]]

    assert api.as_("net2").get(f"{base}/evidence/{photo['id']}").status_code == 404
    assert api.as_("super1").get(f"{base}/evidence/999999").status_code == 404
    got = api.as_("super1").get(f"{base}/evidence/{photo['id']}")
    assert got.status_code == 200 and got.content == JPEG
    assert got.headers["content-disposition"].startswith("attachment;")
    with app.state.platform.unit_of_work() as uow:
        downloads = uow.session.scalars(
            select(SecurityEvent.username).where(SecurityEvent.kind == "evidence_downloaded")
        ).all()
        kept = uow.session.get(EvidenceContent, photo["id"])
        assert kept is not None and kept.content == JPEG
        actions = uow.session.scalars(
            select(RectificationEvent.action).where(RectificationEvent.task_id == task["id"])
        ).all()
    assert downloads == ["super1"] and actions.count("evidence_added") == 1


def test_an_inspectors_photo_is_the_items_photo_evidence(app: Any, api: Api):
    set_up_plan(api)
    net2 = api.as_("net2")
    (visit,) = net2.get("/api/v1/inspections", params={"mine": "true"}).json()["items"]
    base = f"/api/v1/inspections/{visit['id']}"
    checklist = SEED_CHECKLISTS["store_visit"].items
    photo_items = [i.code for i in checklist if "photo" in i.evidence]

    refused = api.as_("net1").post(
        f"{base}/evidence", data={"item": photo_items[0]}, files={"file": ("a.jpg", JPEG)}
    )
    assert_problem(refused, 403, "role_not_allowed")  # in scope, not the inspector sent
    assert _stored(app) == 0
    for code in photo_items:
        sent = net2.post(
            f"{base}/evidence", data={"item": code}, files={"file": ("门头.jpg", JPEG)}
        )
        assert sent.status_code == 201, sent.text

    items = []
    for item in checklist:
        entry: dict[str, Any] = {"code": item.code, "awarded": item.weight}
        entry.update({k: EVIDENCE[k] for k in item.evidence if k != "photo"})
        items.append(entry)
    submitted = net2.post(f"{base}/submit", json={"version": visit["version"], "items": items})
    assert submitted.status_code == 200, submitted.text
    shown = {i["code"]: i["evidence"] for i in submitted.json()["items"]}
    assert all(shown[c]["photo"].startswith("evidence-file #") for c in photo_items)
    late = net2.post(
        f"{base}/evidence", data={"item": photo_items[0]}, files={"file": ("b.jpg", JPEG)}
    )
    assert_problem(late, 422, "invalid_input")
    files = api.as_("super1").get(f"{base}/evidence").json()
    assert sorted(f["item_code"] for f in files) == sorted(photo_items)
