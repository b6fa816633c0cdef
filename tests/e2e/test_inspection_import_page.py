"""The Excel import page in a real browser on a 375 px phone: a supervisor follows the link
from 监督检查, uploads a small file, reads the preview and confirms with the keyboard; the
page fits the screen and every field is labelled."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Api, LiveServer
from tests.e2e.test_inspection_pages import FITS, UNLABELLED, _phone, _shot
from tests.integration.supervision.test_inspection_import import visit_rows, workbook
from tests.integration.supervision.test_inspection_path import set_up_plan

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_supervisor_imports_a_small_file_on_a_phone(browser: Any, server: LiveServer, api: Api):
    set_up_plan(api)
    page = _phone(browser, server, "super1")
    page.goto("/inspections")
    page.click("[data-testid=import-link]")
    page.wait_for_url(re.compile(r"/inspections/import$"))
    assert page.evaluate(FITS), "the import page is wider than the phone"
    assert page.evaluate(UNLABELLED) == []
    content = workbook(visit_rows("C1-K1-S1", "2026-09-20 10:00", "net2"))
    page.set_input_files("#import-file", files=[{"name": "q3.xlsx", "mimeType": XLSX,
                                                 "buffer": content}])  # fmt: skip
    page.focus("#import-file")
    page.keyboard.press("Tab")  # on to 检查文件
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inspections/import/preview$"))
    preview = page.inner_text("[data-testid=preview]")
    assert "1 次检查可导入，0 处问题" in preview and "东区解放路营业厅" in preview
    assert page.evaluate(FITS), "the preview is wider than the phone"
    _shot(page, "inspection-import-preview")
    page.focus("[data-testid=confirm-form] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"imported=1$"))
    assert "已导入 1 次检查" in page.inner_text("[data-testid=imported]")
    listed = api.as_("super1").get("/api/v1/inspections", params={"status": "submitted"})
    assert listed.json()["total"] == 1
