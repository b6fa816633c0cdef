"""Inspection results from Excel over the real HTTP API (SQLite and PostgreSQL): a row per
visit × item; a file with one bad row imports nothing and names the row; the good file
imports every visit once, fills the planned slot, and a second import is refused."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from careloop.domain.supervision.checklists import SEED_CHECKLISTS
from tests.conftest import Api, MovableClock
from tests.integration.supervision.test_inspection_path import EVIDENCE, set_up_plan

HEADER = [
    "检查对象编码",
    "检查类型",
    "检查时间",
    "检查人",
    "检查项",
    "得分",
    "照片",
    "录音编号",
    "时间记录",
    "说明",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def visit_rows(store: str, when: str, who: str, **overrides: float) -> list[list[Any]]:
    rows = []
    for item in SEED_CHECKLISTS["store_visit"].items:
        rows.append([
            store, "营业厅明察暗访", when, who, item.name_zh, overrides.get(item.code, item.weight),
            EVIDENCE["photo"] if "photo" in item.evidence else None,
            EVIDENCE["recording"] if "recording" in item.evidence else None,
            EVIDENCE["timestamp"] if "timestamp" in item.evidence else None,
            "",
        ])  # fmt: skip
    return rows


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(api: Api, content: bytes) -> dict[str, Any]:
    response = api.as_("super1").post(
        "/api/v1/inspections/import", content=content, headers={"Content-Type": XLSX}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_one_bad_row_imports_nothing_and_the_good_file_imports_once(api: Api, clock: MovableClock):
    set_up_plan(api)
    good = visit_rows("C1-K1-S1", "2026-09-20 10:00", "net2") + visit_rows(
        "C1-K2-S1", "2026-09-21 15:30", "net1", tariff_disclosure=0
    )
    bad = [list(r) for r in good]
    bad[3][5] = 99  # 告知资费 is worth 15 points
    bad[12][0] = "NO-SUCH-STORE"
    refused = upload(api, workbook(bad))
    assert refused["imported"] is False and refused["visits"] == 0
    assert any(e.startswith("第 5 行") and "告知资费" in e for e in refused["errors"])
    assert any(e.startswith("第 14 行") and "未知检查对象" in e for e in refused["errors"])
    listed = api.as_("super1").get("/api/v1/inspections", params={"status": "submitted"})
    assert listed.json()["total"] == 0

    done = upload(api, workbook(good))
    assert done == {"imported": True, "visits": 2, "errors": []}
    visits = api.as_("super1").get("/api/v1/inspections").json()["items"]
    assert len(visits) == 2  # the two planned slots, filled
    by_store = {v["subject_code"]: v for v in visits}
    assert by_store["C1-K1-S1"]["score"] == 100.0 and by_store["C1-K1-S1"]["compliant"]
    assert by_store["C1-K2-S1"]["compliant"] is False
    assert {v["source"] for v in visits} == {"import"}

    again = upload(api, workbook(good))
    assert again["imported"] is False and all("已导入过" in e for e in again["errors"])


def test_a_file_that_is_not_excel_is_refused_in_words(api: Api, clock: MovableClock):
    answer = upload(api, b"not a spreadsheet")
    assert answer["imported"] is False and "Excel" in answer["errors"][0]
    missing = workbook([])
    book = Workbook()
    book.active.append(["门店编码", "得分"])
    buffer = io.BytesIO()
    book.save(buffer)
    answer = upload(api, buffer.getvalue())
    assert "缺少列" in answer["errors"][0] and "检查时间" in answer["errors"][0]
    assert upload(api, missing)["errors"] == ["文件中没有数据行 / no data rows"]
