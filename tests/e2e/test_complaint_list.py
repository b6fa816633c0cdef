"""A supervisor works the complaint list in a real browser: filters by region, category
and a Chinese keyword, reads the chips by name and removes one, saves the view, exports the
filtered list to Excel (the file holds exactly the rows shown) and dispatches the rows in
bulk, with an outcome per complaint."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import TEST_PASSWORD, Api, LiveServer
from tests.integration.api.helpers import create

pytestmark = pytest.mark.e2e


def _row_cells(page: Any) -> list[list[str]]:
    """The list's rows as the page shows them, in the export's column order."""
    return page.evaluate(
        """() => [...document.querySelectorAll('table.list-rows tbody tr[data-complaint]')]
          .map(tr => ['number', 'clock', 'status', 'category', 'customer', 'region', 'summary']
            .map(c => {
              const cell = tr.querySelector(`[data-col="${c}"]`);
              if (c === 'number') return cell.querySelector('a').innerText.trim();
              if (c === 'clock') return cell.querySelector('.clock').innerText.trim();
              return cell.innerText.trim();
            }))"""
    )


def test_a_supervisor_filters_saves_exports_and_dispatches_the_list(
    browser: Any, server: LiveServer, api: Api, tmp_path: Path
):
    admin = api.as_("admin")
    outage = [
        create(admin, description=f"家中宽带断网第{i}天，光猫红灯闪烁。", source_ref=f"C-{i}")
        for i in range(3)
    ]
    slow = create(admin, description="宽带晚上网速很慢。", source_ref="C-slow")
    create(admin, region="C2-K1", description="宽带断网，北区。", source_ref="C-north")
    create(admin, category="billing.dispute", product="mobile", description="断网后仍扣费。")

    context = browser.new_context(
        base_url=server.url, viewport={"width": 1366, "height": 768}, locale="zh-CN",
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "super1")
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/supervisor"))
    page.goto("/complaints")

    # Every control of the filter bar has a visible label.
    for control in page.locator("form.filter-bar select, form.filter-bar input").all():
        ident = control.get_attribute("id")
        assert page.locator(f'label[for="{ident}"]').count() == 1, ident

    page.select_option("#f-region", label="　甲市东区")
    page.select_option("#f-category", value="broadband")
    page.fill("#f-q", "断网")
    page.press("#f-q", "Enter")
    page.wait_for_url(re.compile(r"q="))
    numbers = {r[0] for r in _row_cells(page)}
    assert numbers == {c["number"] for c in outage}
    chips = page.locator('[data-testid="chips"]').inner_text()
    assert "地区: 甲市东区" in chips and "分类: 宽带故障" in chips and "关键词: 断网" in chips
    assert "C1-K1" not in chips

    # Removing the keyword chip keeps the region and the category.
    page.get_by_role("link", name="移除筛选：关键词 断网").click()
    page.wait_for_url(lambda url: "q=" not in url)
    assert {r[0] for r in _row_cells(page)} == {c["number"] for c in outage} | {slow["number"]}
    assert "关键词" not in page.locator('[data-testid="chips"]').inner_text()

    page.locator("details.views summary").press("Enter")  # folded until wanted
    page.fill("#view-name", "东区宽带")
    page.press("#view-name", "Enter")
    page.wait_for_url(re.compile(r"done=list_view_saved"))
    assert "东区宽带" in page.locator('[data-testid="saved-views"]').inner_text()

    # The export holds exactly the rows shown, in their order, in Chinese and local time.
    shown = _row_cells(page)
    with page.expect_download() as download:
        page.locator('[data-testid="export"]').click()
    target = tmp_path / "list.xlsx"
    download.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    exported = list(sheet.iter_rows(values_only=True))
    assert exported[0] == (
        "投诉编号", "时限", "时限截止", "状态", "分类", "客户号码", "地区", "受理时间", "内容摘要"
    )  # fmt: skip
    as_shown = [[r[0], r[1], r[3], r[4], r[5], r[6], r[8]] for r in exported[1:]]
    assert as_shown == shown
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r[7]) for r in exported[1:])

    # Bulk dispatch of every row on the page: one outcome per complaint.
    page.locator("[data-pick-all]").check()
    page.select_option("#bulk-action", value="dispatch")
    page.select_option("#bulk-unit", value="C1-K1-NET")
    page.locator("#bulk button[type=submit]").click()
    page.wait_for_selector('[data-testid="bulk-results"]')
    outcomes = page.locator('[data-testid="bulk-results"] tbody tr')
    assert outcomes.count() == len(shown)
    assert set(outcomes.evaluate_all("rows => rows.map(r => r.dataset.ok)")) == {"yes"}
    assert "成功 4 件，失败 0 件" in page.locator('[data-testid="bulk-summary"]').inner_text()

    # On a phone the list does not spill sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/complaints?region=C1-K1")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()
