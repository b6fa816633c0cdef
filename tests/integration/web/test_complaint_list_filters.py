"""The complaint list's filter bar, chips, keyword search, saved views, export and bulk
actions, through the pages as a browser sends them (no JavaScript needed)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import post_form, web_client


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite, except where a test asks for both engines (the keyword search differs)."""
    if request.param == "postgresql":
        factory = request.getfixturevalue("pg_factory")
        if factory is None:
            pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
        return str(factory.new())
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def _numbers(html: str) -> list[str]:
    return re.findall(r'data-col="number"><a href="/complaints/\d+"[^>]*>([^<]+)</a>', html)


def _complaint(api: Api, **overrides: Any) -> dict[str, Any]:
    return create(api.as_("admin"), **overrides)


def test_the_region_filter_shows_its_chip_by_name_with_a_link_that_removes_it(
    server: LiveServer, api: Api
):
    east = _complaint(api, region="C1-K1")
    north = _complaint(api, region="C2-K1", source_ref="CALL-2")
    page = web_client(server.url, "super1")
    html = page.get("/complaints", params={"region": "C1-K1", "category": "broadband"}).text
    assert _numbers(html) == [east["number"]]
    chips = html.split('data-testid="chips"')[1].split("</ul>")[0]
    said = re.sub(r"<[^>]+>", " ", chips)
    assert "地区: 甲市东区" in said and "C1-K1" not in said
    assert "分类: 宽带" in said
    # The region chip's × keeps the category and drops only the region.
    remove = re.search(r'<a class="chip-x" href="([^"]+)" aria-label="移除筛选：地区', chips)
    assert remove is not None
    target = remove.group(1).replace("&amp;", "&")
    assert "region" not in target and "category=broadband" in target
    assert set(_numbers(page.get(target).text)) == {east["number"], north["number"]}


def test_the_filter_bar_offers_only_the_regions_in_the_readers_scope(server: LiveServer, api: Api):
    html = web_client(server.url, "lead1").get("/complaints").text
    bar = html.split('id="f-region"')[1].split("</select>")[0]
    assert "甲市东区" in bar and "甲市西区" in bar
    assert "乙市" not in bar


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_keyword_search_finds_chinese_words_anywhere_in_any_order(server: LiveServer, api: Api):
    both = _complaint(api, description="客户反映家中宽带从昨晚起断网，光猫红灯闪烁。")
    signal = _complaint(api, description="手机信号差，室内经常无服务。", source_ref="CALL-FTTH-9")
    page = web_client(server.url, "super1")

    def found(q: str) -> set[str]:
        return set(_numbers(page.get("/complaints", params={"q": q}).text))

    assert found("断网 宽带") == {both["number"]}  # every word, in any order
    assert found("断网　光猫") == {both["number"]}  # a full-width space separates too
    assert found("信号") == {signal["number"]}
    assert found("宽带 信号") == set()
    assert found("call-ftth") == {signal["number"]}  # Latin letters in either case
    # The inspector reads masked data: a word of the customer's text finds nothing.
    assert _numbers(web_client(server.url, "inspector").get("/complaints?q=断网").text) == []


def test_the_clock_filter_picks_rows_by_the_worst_clock_they_show(
    server: LiveServer, api: Api, clock: MovableClock
):
    late = _complaint(api)
    clock.advance(days=20)
    fresh = _complaint(api, source_ref="CALL-3")
    page = web_client(server.url, "super1")
    breached = page.get("/complaints?sla=breached").text
    assert _numbers(breached) == [late["number"]]
    assert 'data-state="breached"' in breached and "超时" in breached
    assert _numbers(page.get("/complaints?sla=on_time").text) == [fresh["number"]]
    assert "时限状态: 未超时" in page.get("/complaints?sla=on_time").text


def test_saved_views_are_each_persons_own(server: LiveServer, api: Api, database_url: str):
    _complaint(api, region="C1-K1")
    owner = web_client(server.url, "super1")
    saved = post_form(
        owner, "/complaints/views", name="东区宽带", query="region=C1-K1&category=broadband&page=3"
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == (
        "/complaints?category=broadband&region=C1-K1&done=list_view_saved"
    )
    html = owner.get("/complaints").text
    views = html.split('data-testid="saved-views"')[1].split("</ul>")[0]
    assert "东区宽带" in views and "category=broadband&amp;region=C1-K1" in views
    view_id = re.search(r"/complaints/views/(\d+)/delete", views).group(1)  # type: ignore[union-attr]
    other = web_client(server.url, "lead1")
    assert "东区宽带" not in other.get("/complaints").text
    refused = post_form(other, f"/complaints/views/{view_id}/delete")
    assert refused.status_code == 404 and "已不存在" in refused.text
    assert post_form(owner, "/complaints/views", name="  ").status_code == 422
    assert post_form(owner, f"/complaints/views/{view_id}/delete").status_code == 303
    assert "东区宽带" not in owner.get("/complaints").text
    engine = create_engine(database_url)
    with engine.connect() as db:
        kinds = db.execute(text("SELECT kind, username FROM security_events")).all()
    engine.dispose()
    assert ("list_view_saved", "super1") in kinds and ("list_view_deleted", "super1") in kinds


def test_the_export_holds_every_filtered_row_in_scope_in_the_lists_order(
    server: LiveServer, api: Api
):
    made = [_complaint(api, region="C1-K1", source_ref=f"CALL-{i}") for i in range(3)]
    _complaint(api, region="C2-K1", source_ref="CALL-X")
    page = web_client(server.url, "super1")
    shown = _numbers(page.get("/complaints?region=C1&open=1").text)
    answer = page.get("/complaints/export.xlsx?region=C1&open=1")
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("投诉编号", "时限", "时限截止", "状态")
    assert [r[0] for r in rows[1:]] == shown and len(shown) == len(made)
    assert all(r[6] == "甲市东区" and "T" not in str(r[7]) for r in rows[1:])
    # An agent's spreadsheet is masked, even for the complaints the page shows in full.
    agent_rows = list(
        load_workbook(
            io.BytesIO(web_client(server.url, "agent1").get("/complaints/export.xlsx").content)
        ).active.iter_rows(values_only=True)
    )
    assert all("*" in str(r[5]) for r in agent_rows[1:])


def test_a_bulk_dispatch_answers_each_complaint_with_its_own_outcome(server: LiveServer, api: Api):
    first = _complaint(api)
    second = _complaint(api, source_ref="CALL-2")
    # Someone changes the second after the list was read: its version no longer matches.
    act(api.as_("admin"), f"/api/v1/complaints/{second['id']}/handle", version=second["version"])
    page = web_client(server.url, "super1")
    answer = page.post(
        "/complaints/bulk",
        data={
            "csrf_token": re.search(  # type: ignore[union-attr]
                r'name="csrf-token" content="([0-9a-f]+)"', page.get("/complaints").text
            ).group(1),
            "action": "dispatch",
            "unit": "C1-K1-NET",
            "ids": [f"{first['id']}:{first['version']}", f"{second['id']}:{second['version']}"],
        },
    )
    assert answer.status_code == 200, answer.text
    results = answer.text.split('data-testid="bulk-results"')[1]
    ok = re.search(rf'data-complaint="{first["id"]}" data-ok="(\w+)"', results)
    failed = re.search(rf'data-complaint="{second["id"]}" data-ok="(\w+)"', results)
    assert ok and ok.group(1) == "yes" and failed and failed.group(1) == "no"
    assert "成功 1 件，失败 1 件" in answer.text
    assert "version" not in results.split(f'data-complaint="{second["id"]}"')[1]
    orders = api.as_("admin").get(f"/api/v1/complaints/{first['id']}").json()["work_orders"]
    assert [o["unit"]["code"] for o in orders] == ["C1-K1-NET"]
