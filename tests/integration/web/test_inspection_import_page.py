"""The Excel import page for inspection results on a real server (SQLite and PostgreSQL): the
template to fill in, a preview naming every bad row by row, column and reason in the
reader's language, the confirmation, a second run that imports nothing twice, and roles
that may not import."""

from __future__ import annotations

import html
import io
import re

import httpx
from openpyxl import load_workbook

from tests.conftest import Api, LiveServer
from tests.integration.supervision.test_inspection_import import visit_rows, workbook
from tests.integration.supervision.test_inspection_path import set_up_plan
from tests.integration.web.helpers import csrf_token, web_client

PAGE = "/inspections/import"


def preview(web: httpx.Client, content: bytes, name: str = "q3.xlsx") -> httpx.Response:
    return web.post(
        f"{PAGE}/preview",
        data={"csrf_token": csrf_token(web, "/inspections")},
        files={"file": (name, content, "application/octet-stream")},
    )


def problems(page: str) -> list[tuple[str, str, str]]:
    """(行, 列, 原因) as the preview's table shows them."""
    body = re.search(r'data-testid="problems">(.*?)</table>', page, re.S)
    assert body, "no table of problems"
    cells = re.findall(
        r"<tr data-row[^>]*>\s*<td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>",
        body.group(1),
    )
    return [(html.unescape(r), html.unescape(c), html.unescape(why)) for r, c, why in cells]


def confirm_fields(page: str) -> dict[str, str]:
    form = re.search(r'data-testid="confirm-form">(.*?)</form>', page, re.S)
    assert form, "no confirmation on the preview"
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1))
    }


def test_a_supervisor_previews_fixes_confirms_and_a_rerun_imports_nothing_twice(
    server: LiveServer, api: Api
):
    set_up_plan(api)
    web = web_client(server.url, "super1")
    listing = web.get("/inspections").text
    assert f'href="{PAGE}"' in listing

    template = web.get(f"{PAGE}/template")
    assert template.status_code == 200
    assert "attachment" in template.headers["content-disposition"]
    book = load_workbook(io.BytesIO(template.content))
    first, codes = book.worksheets
    assert [c.value for c in first[1]][:6] == [
        "检查对象编码",
        "检查类型",
        "检查时间",
        "检查人",
        "检查项",
        "得分",
    ]
    assert first.max_row == 2  # the headers and one example row
    listed = {row[0] for row in codes.iter_rows(min_row=2, values_only=True)}
    assert {"C1-K1-S1", "C1-K2-S1"} <= listed
    assert "告知资费" in {row[6] for row in codes.iter_rows(min_row=2, values_only=True)}

    good = visit_rows("C1-K1-S1", "2026-09-20 10:00", "net2") + visit_rows(
        "C1-K2-S1", "2026-09-21 15:30", "net1", tariff_disclosure=0
    )
    bad = [list(r) for r in good]
    bad[3][5] = 99  # 告知资费 is worth 15 points
    bad[12][0] = "NO-SUCH-STORE"
    bad[14][2] = "昨天下午"
    refused = preview(web, workbook(bad))
    assert refused.status_code == 422
    found = problems(refused.text)
    assert ("5", "得分", "「告知资费」的得分须在 0 到 15 分之间") in found
    assert any(r == "14" and c == "检查对象编码" and "NO-SUCH-STORE" in why for r, c, why in found)
    assert any(r == "16" and c == "检查时间" and "昨天下午" in why for r, c, why in found)
    assert 'data-testid="confirm-form"' not in refused.text

    english = web_client(server.url, "super1", lang="en")
    in_english = problems(preview(english, workbook(bad)).text)
    assert ("5", "points", "Tariffs disclosed: points must lie between 0 and 15") in in_english

    shown = preview(web, workbook(good))
    assert shown.status_code == 200, shown.text
    assert "共 18 行数据，2 次检查可导入，0 处问题" in shown.text
    assert 'data-subject="C1-K1-S1"' in shown.text and "100.0" in shown.text
    fields = confirm_fields(shown.text)
    assert fields["filename"] == "q3.xlsx"

    nothing_yet = api.as_("super1").get("/api/v1/inspections", params={"status": "submitted"})
    assert nothing_yet.json()["total"] == 0  # the preview writes nothing

    done = web.post(PAGE, data=fields)
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?imported=2"
    assert "已导入 2 次检查" in web.get(done.headers["location"]).text
    submitted = api.as_("super1").get("/api/v1/inspections", params={"status": "submitted"})
    assert submitted.json()["total"] == 2

    again = web.post(PAGE, data=fields)  # the same confirmation sent twice
    assert again.status_code == 422
    assert all("已导入过" in why for _, _, why in problems(again.text))
    rerun = preview(web, workbook(good))
    assert rerun.status_code == 422 and 'data-testid="confirm-form"' not in rerun.text
    assert [r for r, _, _ in problems(rerun.text)] == ["2–10", "11–19"]
    still = api.as_("super1").get("/api/v1/inspections", params={"status": "submitted"})
    assert still.json()["total"] == 2

    tampered = web.post(PAGE, data={**fields, "fingerprint": "0" * 64})
    assert tampered.status_code == 422 and "请重新上传" in tampered.text
    not_excel = preview(web, b"not a spreadsheet", "notes.txt")
    assert problems(not_excel.text) == [("—", "—", "文件不是有效的 Excel（.xlsx）文件")]
    no_file = web.post(
        f"{PAGE}/preview",
        data={"csrf_token": csrf_token(web, "/inspections")},
        files={"other": ("a.txt", b"", "text/plain")},
    )
    assert no_file.status_code == 422 and "请选择一个 .xlsx 文件" in no_file.text


def test_staff_who_may_not_import_are_refused_and_not_offered_the_link(server: LiveServer):
    agent = web_client(server.url, "agent1")
    assert f'href="{PAGE}"' not in agent.get("/inspections").text
    assert agent.get(PAGE).status_code == 403
    assert agent.get(f"{PAGE}/template").status_code == 403
    refused = preview(agent, workbook(visit_rows("C1-K1-S1", "2026-09-20 10:00", "net2")))
    assert refused.status_code == 403 and 'data-testid="preview"' not in refused.text
    forged = agent.post(f"{PAGE}/preview", files={"file": ("a.xlsx", b"x")})
    assert forged.status_code == 403  # no page token: refused before anything is read
