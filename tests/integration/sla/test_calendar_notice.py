"""The working calendar through the real HTTP API, the pages and the command line, on SQLite
and PostgreSQL: due dates over New Year 2027 (no notice entered), the note that says so,
the notice import that moves them, and the December reminder.

Dates: Mon 2026-12-28 10:00 Shanghai + 15 working days (15 × 540 business minutes, or the
15th working day counted from the next day — both land on the same day): Dec 28–31, then
Fri 2027-01-01 is New Year's Day (statutory), Jan 2–3 the weekend, and the 15th working day
is Tue 2027-01-19. The weekends-only fallback used to count Jan 1 and gave Jan 18.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select

from careloop.store.models import SecurityEvent
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import assert_problem, create
from tests.integration.web.helpers import csrf_token, post_form, web_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIFTEEN_WORKING_DAYS = {"minutes": 15 * 540, "basis": "working"}
# An invented 2027 notice for the test (the real one is published about December 2026):
# New Year Jan 1–3 and a bridge day Mon Jan 4, made up on Sat Jan 9.
NOTICE_2027 = """# 2027 notice (test)
2027-01-01..2027-01-04 rest 元旦
2027-01-09 work 元旦调休
2027-02-05..2027-02-11 rest 春节
"""


def _reply(answer: dict) -> dict:
    return next(k for k in answer["sla"]["clocks"] if k["clock"] == "reply")


def _local_day(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(SHANGHAI).date().isoformat()


def _fifteen_day_complaint(api: Api, clock: MovableClock) -> dict:
    clock.now = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)
    admin = api.as_("admin")
    policy = admin.put(
        "/api/v1/sla/policies/fifteen-working-days",
        json={"name": "15 个工作日答复", "limits": {"reply": FIFTEEN_WORKING_DAYS}, "rank": 900},
    )
    assert policy.status_code == 200, policy.text
    return create(api.as_("agent1"))


def test_due_after_new_year_2027_and_the_api_and_page_say_2027_is_assumed(
    api: Api, clock: MovableClock, server: LiveServer
):
    c = _fifteen_day_complaint(api, clock)

    answer = api.as_("agent1").get(f"/api/v1/complaints/{c['id']}").json()
    reply = _reply(answer)
    assert answer["sla"]["policy"]["code"] == "fifteen-working-days"
    assert _local_day(reply["due_at"]) == "2027-01-19"
    assert reply["fallback_years"] == [2027]

    page = web_client(server.url, "agent1").get(f"/complaints/{c['id']}").text
    assert "按法定节假日推算，2027年调休安排未录入" in page
    listed = web_client(server.url, "agent1").get("/complaints?open=1").text
    assert "2027年调休未录入" in listed
    english = web_client(server.url, "agent1", lang="en").get(f"/complaints/{c['id']}").text
    assert "the 2027 bridge and make-up days are not entered yet" in english

    # The export carries the same warning in its own column.
    export = api.as_("admin").get("/api/v1/complaints/export", params={"format": "csv"})
    assert export.status_code == 200, export.text
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assumed = rows[0].index("时限推算年份（调休未录入）")
    row = next(r for r in rows[1:] if r[0] == c["number"])
    assert row[assumed] == "2027"


def test_importing_the_notice_moves_stored_due_dates_without_a_sweep(
    api: Api, clock: MovableClock, database_url: str
):
    c = _fifteen_day_complaint(api, clock)
    agent, admin = api.as_("agent1"), api.as_("admin")
    listed = agent.get("/api/v1/complaints", params={"limit": 200}).json()["items"]
    before = next(x for x in listed if x["id"] == c["id"])["reply_due_at"]
    assert _local_day(before) == "2027-01-19"

    clock.advance(hours=1)
    imported = admin.post("/api/v1/sla/calendar/years/2027/notice", json={"text": NOTICE_2027})

    assert imported.status_code == 200, imported.text
    assert imported.json() == {
        "year": 2027,
        "rest_days": 11,
        "work_days": 1,
        "replaced": 0,
        "moved": imported.json()["moved"],
    }
    assert imported.json()["moved"] >= 1
    # The bridge day Jan 4 rests and Sat Jan 9 works: one day off, one day on, so the 15th
    # working day stays Jan 19 — but now it is known, not assumed.
    listed = agent.get("/api/v1/complaints", params={"limit": 200}).json()["items"]
    after = next(x for x in listed if x["id"] == c["id"])["reply_due_at"]
    reply = _reply(agent.get(f"/api/v1/complaints/{c['id']}").json())
    assert reply["fallback_years"] == []
    assert _local_day(after) == _local_day(reply["due_at"]) == "2027-01-19"

    # Take the make-up Saturday out again: the 15th working day moves to Jan 20 at once.
    assert admin.delete("/api/v1/sla/calendar/days/2027-01-09").status_code == 204
    listed = agent.get("/api/v1/complaints", params={"limit": 200}).json()["items"]
    moved = next(x for x in listed if x["id"] == c["id"])["reply_due_at"]
    assert _local_day(moved) == "2027-01-20"

    engine = create_engine(database_url)
    with engine.connect() as db:
        audited = db.execute(
            select(SecurityEvent.username, SecurityEvent.detail).where(
                SecurityEvent.kind == "calendar_changed"
            )
        ).all()
    engine.dispose()
    actions = [(who, detail["action"]) for who, detail in audited]
    assert actions == [("admin", "import_notice"), ("admin", "remove_day")]


def test_a_year_lists_its_days_with_their_source(api: Api, clock: MovableClock):
    admin = api.as_("admin")

    before = admin.get("/api/v1/sla/calendar/years/2027/days").json()
    assert before["notice_entered"] is False
    assert {d["source"] for d in before["days"]} == {"statutory"}
    spring = [d for d in before["days"] if d["name"] in ("农历除夕", "春节")]
    assert [d["day"] for d in spring] == ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]

    admin.post("/api/v1/sla/calendar/years/2027/notice", json={"text": NOTICE_2027})
    after = admin.get("/api/v1/sla/calendar/years/2027/days").json()
    assert after["notice_entered"] is True
    by_day = {d["day"]: d for d in after["days"]}
    assert by_day["2027-01-09"] == {
        "day": "2027-01-09",
        "kind": "work",
        "name": "元旦调休",
        "source": "notice",
    }
    assert by_day["2027-01-04"]["source"] == by_day["2027-02-05"]["source"] == "notice"
    # The test notice leaves National Day out; the law still gives it off.
    assert by_day["2027-10-01"]["source"] == "statutory"


def test_a_bad_notice_names_its_lines_and_changes_nothing(api: Api):
    admin = api.as_("admin")
    text = "2027-01-01 rest 元旦\n2027-13-01 rest 春节\n2027-01-05 work 补班\n"

    response = admin.post("/api/v1/sla/calendar/years/2027/notice", json={"text": text})

    problem = assert_problem(response, 422, "invalid_input")
    assert "第 2 行" in problem["detail"] and "第 3 行" in problem["detail"]
    days = admin.get("/api/v1/sla/calendar/years/2027/days").json()
    assert days["notice_entered"] is False


def test_only_administrators_and_supervisors_import_a_notice(api: Api):
    response = api.as_("agent1").post(
        "/api/v1/sla/calendar/years/2027/notice", json={"text": NOTICE_2027}
    )

    assert_problem(response, 403, "role_not_allowed")


def test_from_december_the_administrator_is_reminded_of_next_years_notice(
    api: Api, clock: MovableClock, server: LiveServer
):
    admin = api.as_("admin")
    clock.now = datetime(2026, 11, 30, 12, tzinfo=SHANGHAI)
    assert admin.get("/api/v1/sla/calendar/reminder").json() == {"years": [], "message": None}
    board = web_client(server.url, "super1").get("/supervisor").text
    assert 'data-testid="calendar-reminder"' not in board

    clock.now = datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)
    reminder = admin.get("/api/v1/sla/calendar/reminder").json()
    assert reminder["years"] == [2027]
    assert "2027年部分节假日安排的通知" in reminder["message"]
    board = web_client(server.url, "super1").get("/supervisor").text
    assert 'data-testid="calendar-reminder"' in board and "2027年" in board
    calendar_page = web_client(server.url, "admin").get("/calendar").text
    assert "2027年部分节假日安排的通知" in calendar_page
    assert "2027 年放假通知未录入" in calendar_page  # December shows next year

    # The page's form imports the notice; the reminder is gone.
    client = web_client(server.url, "admin")
    posted = post_form(client, "/calendar/notice", year=2027, text=NOTICE_2027)
    assert posted.status_code == 303, posted.text
    assert admin.get("/api/v1/sla/calendar/reminder").json()["years"] == []
    done = client.get(posted.headers["location"]).text
    assert "放假通知已导入" in done and "2027 年放假通知已录入" in done


def test_the_calendar_page_shows_a_bad_line_as_a_banner(server: LiveServer):
    client = web_client(server.url, "admin")

    posted = post_form(client, "/calendar/notice", year=2027, text="2027-01-01 holiday-ish 元旦")

    assert posted.status_code == 422
    assert 'role="alert"' in posted.text and "第 1 行" in posted.text


CLI = [sys.executable, "-m", "careloop.cli"]


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def _careloop(url: str, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": lang}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_command_line_shows_a_year_and_imports_its_notice(sqlite_url: str, tmp_path: Path):
    shown = _careloop(sqlite_url, "sla", "calendar", "show", "2027", "--json")
    assert shown.returncode == 0, shown.stderr
    year = json.loads(shown.stdout)
    assert year["notice_entered"] is False
    assert {"day": "2027-10-01", "kind": "rest", "name": "国庆节", "source": "statutory"} in (
        year["days"]
    )

    plain = _careloop(
        sqlite_url, "sla", "calendar", "show", "2027", "--now", "2026-11-30T12:00+08:00", lang="zh"
    )
    assert plain.stdout.startswith("2027 年：放假通知未录入")
    assert "提醒" not in plain.stdout
    december = _careloop(
        sqlite_url, "sla", "calendar", "--now", "2026-12-01T09:00+08:00", lang="zh"
    )
    assert december.returncode == 0, december.stderr
    assert "提醒：请录入国务院办公厅2027年部分节假日安排的通知" in december.stdout
    assert "2027-02-05 周五  休 农历除夕  [法定]" in plain.stdout
    english = _careloop(sqlite_url, "sla", "calendar", "show", "2027")
    assert english.stdout.startswith("2027: notice not entered")
    assert "2027-02-05 Fri  rest day 农历除夕  [statutory rule]" in english.stdout

    bad = tmp_path / "bad.txt"
    bad.write_text("2027-01-01 rest 元旦\n2027-01-02..2026-12-30 rest 元旦\n", encoding="utf-8")
    failed = _careloop(
        sqlite_url, "sla", "calendar", "import-notice", "2027", str(bad), "--as", "admin"
    )
    assert failed.returncode == 1 and "line 2" in failed.stderr

    good = tmp_path / "notice.txt"
    good.write_text(NOTICE_2027, encoding="utf-8")
    done = _careloop(
        sqlite_url, "sla", "calendar", "import-notice", "2027", str(good), "--as", "admin"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rest_days"] == 11
    shown = json.loads(_careloop(sqlite_url, "sla", "calendar", "show", "2027", "--json").stdout)
    assert shown["notice_entered"] is True


def test_the_calendar_page_takes_the_notice_as_an_uploaded_file(server: LiveServer):
    client = web_client(server.url, "admin")
    token = csrf_token(client, "/calendar?year=2027")

    posted = client.post(
        "/calendar/notice",
        data={"csrf_token": token, "year": "2027", "text": ""},
        files={"file": ("notice.txt", NOTICE_2027.encode("utf-8-sig"), "text/plain")},
    )

    assert posted.status_code == 303, posted.text
    page = client.get("/calendar?year=2027").text
    assert "2027 年放假通知已录入" in page and "元旦调休" in page


def test_a_notice_may_list_days_of_the_december_before(api: Api):
    # As the 2019 notice did (rest from Dec 30, work Sat Dec 29): an invented 2027 one.
    admin = api.as_("admin")
    text = "2026-12-31..2027-01-01 rest 元旦\n2026-12-26 work 元旦调休\n"

    response = admin.post("/api/v1/sla/calendar/years/2027/notice", json={"text": text})

    assert response.status_code == 200, response.text
    december = admin.get("/api/v1/sla/calendar/days", params={"year": 2026}).json()
    by_day = {d["day"]: (d["kind"], d["source"]) for d in december}
    assert by_day["2026-12-26"] == ("workday", "notice")
    assert by_day["2026-12-31"] == ("holiday", "notice")
    years = {y["year"]: y["source"] for y in admin.get("/api/v1/sla/calendar/years").json()}
    assert years[2027] == "notice" and years[2026] == "chinese-calendar"
