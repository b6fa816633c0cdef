"""Evidence photos from the pages on a real server (SQLite and PostgreSQL): the inspector's
phone form stores a camera photo for an item and it is that item's photo evidence at
submit; a program renamed to .jpg is refused on the task page in words and not stored."""

from __future__ import annotations

import re

from careloop.domain.supervision.checklists import SEED_CHECKLISTS
from tests.conftest import Api, LiveServer
from tests.integration.supervision.test_inspection_path import EVIDENCE, set_up_plan
from tests.integration.supervision.test_rectification_api import open_task
from tests.integration.web.helpers import csrf_token, web_client

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200


def test_a_photo_taken_on_the_form_is_the_items_photo_evidence(server: LiveServer, api: Api):
    set_up_plan(api)
    (visit,) = api.as_("net2").get("/api/v1/inspections", params={"mine": "true"}).json()["items"]
    page = f"/inspections/{visit['id']}"
    web = web_client(server.url, "net2")
    form = web.get(page).text
    assert 'capture="environment"' in form and 'enctype="multipart/form-data"' in form
    fields = {"csrf_token": csrf_token(web, page) or "", "version": str(visit["version"]),
              "action": "submit"}  # fmt: skip
    photos = {}
    for item in SEED_CHECKLISTS["store_visit"].items:
        fields[f"awarded_{item.code}"] = f"{item.weight:g}"
        fields.update({f"{k}_{item.code}": EVIDENCE[k] for k in item.evidence if k != "photo"})
        if "photo" in item.evidence:
            photos[f"photo_file_{item.code}"] = (f"{item.code}.jpg", JPEG, "image/jpeg")
    sent = web.post(page, data=fields, files=photos)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith("done=insp_submitted")
    shown = web.get(page).text
    assert "evidence-file #" in shown and "提交" in shown
    links = re.findall(rf'href="({page}/evidence/\d+)"', shown)
    assert len(links) == len(photos)
    got = web.get(links[0])
    assert got.status_code == 200 and got.content == JPEG


def test_a_renamed_program_is_refused_on_the_task_page(server: LiveServer, api: Api):
    task = open_task(api)
    page = f"/rectifications/{task['id']}"
    web = web_client(server.url, "agent1")
    refused = web.post(
        f"{page}/evidence",
        data={"csrf_token": csrf_token(web, page) or ""},
        files={"file": ("整改后.jpg", b"MZ\x90\x00" + b"\x00" * 64, "image/jpeg")},
    )
    assert refused.status_code == 422
    assert "文件内容与扩展名不符" in refused.text
    assert "尚未上传佐证材料" in refused.text
