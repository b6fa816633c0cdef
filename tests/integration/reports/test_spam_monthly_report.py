"""The monthly spam report (垃圾短信治理月报) on SQLite and PostgreSQL: one small November built
through the real services (ports with their owners, reports from 12321 transfers, serious
ones and SMS-centre interceptions, enforcement cases acted on in time, late and not at all,
ports warned, throttled and closed), then every figure equals the value worked out by hand
below; the XLSX holds numbers, the PDF renders, and the API, the page and the CLI hand it
out within the reader's scope only.

Times are Beijing time. Subscribers: 甲市 (C1) 2 000 000, 乙市 (C2) 800 000, the province
their sum (2 800 000). Reporters are named r1 … r11 below; the same person in two regions
is one reporter of the province.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import update
from typer.testing import CliRunner

from careloop.api.app import create_app
from careloop.cli.main import app as cli_app
from careloop.config import Settings
from careloop.domain.spam.reports import PortDayCounts
from careloop.reports import render
from careloop.reports.model import Report
from careloop.services.access.actors import actor_for
from careloop.services.indicators.org_tree import OrgTree
from careloop.services.indicators.subscribers import SubscriberRow, import_subscribers
from careloop.services.spam import enforcement, monthly_report, ports
from careloop.services.spam.reports import NewReport, record_reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models.spam import SpamReport
from tests.conftest import Api, LiveServer, MovableClock, PgFactory
from tests.security.probes import web_client

BEIJING = ZoneInfo("Asia/Shanghai")
A, B, C, E = "10657001234", "10655002222", "10659003333", "10657009999"
LONE = "13912345678"
"""A point-to-point sender nobody registered: its own number is its port."""
SERIOUS_TEXT = "【乙房产】学区房特价, 回电 13812345678, 回复TD退订"
MONTH = "2026-11"


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def phone(n: int) -> str:
    return f"139000000{n:02d}"


@dataclass
class Fixture:
    engine: str
    url: str
    report: Report
    english: Report
    xlsx: Path
    pdf: Path


def _database(request: pytest.FixtureRequest, engine: str, tmp: Path) -> str:
    if engine == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp / "careloop.sqlite3")
        return f"sqlite:///{tmp / 'careloop.sqlite3'}"
    pg: PgFactory | None = request.getfixturevalue("pg_factory")
    if pg is None:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return pg.new()


def build_november(factory: Any) -> None:
    with UnitOfWork(factory) as uow:
        boss = actor_for(uow, "super1")
        tree = OrgTree.load(uow)
        unit = {code: tree.by_code(code).id for code in ("C1-K1", "C1-K2", "C2-K1")}
        import_subscribers(
            uow,
            [
                SubscriberRow(region, date(2026, month, 1), users, "移动用户")
                for region, users in (("C1", 2_000_000), ("C2", 800_000))
                for month in (10, 11)
            ],
            source="test",
            by="test",
            now=at(10, 1),
        )
        for number, owner, code in ((A, "甲贷款公司", "E1"), (B, "乙房产公司", "E2"),
                                    (C, "甲贷款公司", "E1")):  # fmt: skip
            ports.register_port(
                uow, ports.PortDraft(number, "enterprise", owner, code), boss, at(10, 1), "zh"
            )
        texts = {A: "【甲贷】低息贷款额度50万", B: "【乙房产】学区房特价", C: "【甲贷】快速放款",
                 LONE: "兼职刷单日结"}  # fmt: skip
        kinds = {A: "loan", B: "real_estate", C: "loan", LONE: None}
        drafts: list[NewReport] = []

        def report(sender: str, region: str, who: int, when: datetime, **kw: Any) -> None:
            text = kw.pop("text", f"{texts[sender]} 第{len(drafts)}条")
            drafts.append(
                NewReport("transfer_12321", f"k{len(drafts)}", sender, text, when,
                          unit[region], phone(who), **kw)
            )  # fmt: skip

        for who in (1, 2, 3, 4):  # October: the month before
            report(A, "C1-K1", 20 + who, at(10, 15))
        for who in (1, 2, 3, 1, 4):  # r1 twice: 5 reports, 4 reporters
            report(A, "C1-K1", who, at(11, 3, 9))
        report(A, "C1-K2", 5, at(11, 5), serious_reason="after_unsubscribe")
        report(B, "C2-K1", 6, at(11, 10), serious_reason="no_consent", text=SERIOUS_TEXT)
        report(B, "C2-K1", 7, at(11, 10, 11))
        report(B, "C2-K1", 6, at(11, 11))
        report(C, "C1-K2", 8, at(11, 20))
        report(C, "C1-K2", 9, at(11, 20))
        report(LONE, "C2-K1", 10, at(11, 30, 23, 30))  # Beijing's November, UTC's too
        report(A, "C1-K1", 11, at(12, 1, 0, 10))  # December in Beijing, November in UTC
        for key, region, count, when in (("i1", "C1-K1", 1000, at(11, 15)),
                                         ("i2", "C1-K1", 500, at(11, 15, 11)),
                                         ("i3", "C2-K1", 300, at(11, 16)),
                                         ("i0", "C1-K1", 200, at(10, 16))):  # fmt: skip
            drafts.append(
                NewReport("interception", key, A, texts[A], when, unit[region], message_count=count)
            )
        record_reports(uow, drafts, boss, at(12, 1, 9), action="test_fixture")
        for sender, kind in kinds.items():  # the classifier's verdict, fixed for the test
            uow.session.execute(
                update(SpamReport).where(SpamReport.sender_number == sender).values(kind=kind)
            )
        uow.commit()

    def open_case(port: str, region: str, when: datetime) -> enforcement.CaseView:
        day = when.astimezone(BEIJING).date()
        with UnitOfWork(factory) as uow:
            opened = enforcement.open_cases_from_counts(
                uow, [PortDayCounts(port, day, 500, 300, 0.97, 0)], when,
                region_of={port: region}.get,
            )  # fmt: skip
            assert opened.opened == 1
            page = enforcement.list_cases(
                uow, actor_for(uow, "super1"), "zh", when, port_number=port
            )
            return page.items[0]

    def act(case: enforcement.CaseView, action: str, when: datetime) -> enforcement.CaseView:
        with UnitOfWork(factory) as uow:
            return enforcement.sanction(
                uow, case.id, action, actor_for(uow, "super1"), case.version, when,
                evidence_ref="file://12321/evidence.png",
            )  # fmt: skip

    # Serious cases: 24 hours around the clock.
    a = open_case(A, "C1", at(11, 3, 12))
    a = act(a, "warn", at(11, 3, 14))  # in time
    act(a, "close_port", at(11, 6))
    open_case(B, "C2", at(11, 10, 12))  # never acted on: due 11-11 12:00
    c = open_case(C, "C1", at(11, 20, 12))
    act(c, "throttle", at(11, 22, 9))  # late: due 11-21 12:00
    open_case(E, "C2", at(11, 30, 20))  # due 12-01 20:00, after the month: not judged


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def month(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fixture]:
    tmp = tmp_path_factory.mktemp("spam-month")
    url = _database(request, request.param, tmp)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        build_november(factory)
        period = monthly_report.parse_month(MONTH)
        with UnitOfWork(factory) as uow:
            boss = actor_for(uow, "super1")
            report = monthly_report.build_report(uow, period, None, boss, at(12, 2))
            english = monthly_report.build_report(uow, period, None, boss, at(12, 2), "en")
        xlsx, pdf = monthly_report.write_report(report, period, None, tmp, ("xlsx", "pdf"))
        yield Fixture(request.param, url, report, english, xlsx, pdf)
    finally:
        engine.dispose()


def rows(report: Report, name: str) -> list[list[Any]]:
    return report.table(name).rows


def test_each_regions_figures_equal_the_hand_count(month: Fixture) -> None:
    # C1: A 5 + 1, C 2 = 8 reports by r1-r5, r8, r9; 8 ÷ 2 000 000 × 10⁶ = 4.0; cases A (warned
    # in time, then closed) and C (throttled late): both handled, one in time.
    # C2: B 3 + the lone sender 1 = 4 by r6, r7, r10; 4 ÷ 800 000 × 10⁶ = 5.0; case B overdue
    # and untouched (0 of 1), case E not yet due (not judged), nothing handled: on time "—".
    # Province: 12 reports, 10 reporters, 12 ÷ 2 800 000 × 10⁶ = 4.29; 2 of 3 judged cases
    # handled (66.67 %), 1 of 2 in time. Intercepted: 1000 + 500 in C1, 300 in C2.
    assert rows(month.report, "regions") == [
        ["P", "某省公司", 12, 10, 4.29, 4, 66.67, 50.0, 1, 1, 0, 1, 1800, 2],
        ["C1", "甲市分公司", 8, 7, 4.0, 2, 100.0, 50.0, 1, 1, 0, 1, 1500, 1],
        ["C2", "乙市分公司", 4, 3, 5.0, 2, 0.0, None, 0, 0, 0, 0, 300, 1],
    ]


def test_top_ports_and_enterprises_rank_by_reports(month: Fixture) -> None:
    assert rows(month.report, "top_ports") == [
        [1, A, "甲贷款公司", 6, 5, 1, "已关停"],
        [2, B, "乙房产公司", 3, 2, 1, "正常"],
        [3, C, "甲贷款公司", 2, 2, 0, "限速中"],
        [4, LONE, "", 1, 1, 0, "正常"],
    ]
    # E1 sends through A and C: one enterprise, ranked once.
    assert rows(month.report, "top_enterprises") == [
        [1, "E1", "甲贷款公司", 8, 7, 1, "2 个端口"],
        [2, "E2", "乙房产公司", 3, 2, 1, "1 个端口"],
    ]


def test_kinds_days_and_serious_violations(month: Fixture) -> None:
    assert rows(month.report, "kinds") == [
        ["loan", "贷款", 8, 66.67],
        ["real_estate", "房产", 3, 25.0],
        ["", "未判定", 1, 8.33],
    ]
    days = {r[0]: r[1:] for r in rows(month.report, "daily")}
    assert len(days) == 30
    assert days["2026-11-03"] == [5, 0, 0]
    assert days["2026-11-10"] == [2, 1, 0]
    assert days["2026-11-15"] == [0, 0, 1500]
    assert days["2026-11-30"] == [1, 0, 0]
    assert sum(d[0] for d in days.values()) == 12
    assert sum(d[2] for d in days.values()) == 1800
    serious = rows(month.report, "serious")
    assert [(r[1], r[2], r[3]) for r in serious] == [
        ("乙市北区", B, "未经同意发送"),  # most recent first
        ("甲市西区", A, "退订后仍发送"),
    ]
    assert serious[0][0] == at(11, 10)
    assert phone(6) not in str(serious) and "13812345678" not in str(serious)
    assert serious[0][4] and serious[0][5].startswith("【乙房产】")


def test_headline_compares_with_october_and_summary_says_it(month: Fixture) -> None:
    figures = {h.label_zh: h for h in month.report.headline}
    assert figures["举报量"].value == "12 件"
    assert figures["举报量"].change == pytest.approx(2.0)  # 12 against October's 4
    assert figures["举报人数"].change == pytest.approx(1.5)  # 10 against 4
    assert figures["处置率"].value == "66.67%" and figures["处置率"].change is None
    assert figures["拦截短信"].value == "1,800 条"
    assert figures["拦截短信"].change == pytest.approx(8.0)  # 1800 against 200
    assert month.report.summary[0] == (
        "本月收到垃圾短信举报 12 件, 举报人 10 人, 每百万用户举报量 4.29, 较上月 +200.0%。"
    )
    assert "关停 1 个" in month.report.summary[1]
    assert month.english.summary[0].startswith("12 spam reports from 10 reporters")
    assert rows(month.english, "regions")[0][1] == "Province"
    assert rows(month.english, "kinds")[2][1] == "not classified"


def test_the_xlsx_holds_numbers_and_the_pdf_renders(month: Fixture, tmp_path: Path) -> None:
    book = load_workbook(month.xlsx)
    assert {"regions", "top_ports", "top_enterprises", "kinds", "daily", "serious"} <= set(
        book.sheetnames
    )
    province = next(book["regions"].iter_rows(min_row=2, values_only=True))
    assert province[:8] == ("P", "某省公司", 12, 10, 4.29, 4, 66.67, 50.0)
    assert all(isinstance(v, int | float) for v in province[2:])
    c2 = next(book["regions"].iter_rows(min_row=4, values_only=True))
    assert c2[7] is None  # no case handled: empty, not 0
    pdf = month.pdf
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: apt-get install -y poppler-utils (scripts/test.sh does)")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    (page,) = tmp_path.glob("page*.png")
    histogram = Image.open(page).convert("L").histogram()
    assert sum(histogram[:250]) / sum(histogram) > 0.005


def test_api_and_page_keep_to_the_readers_scope_and_refuse_bad_input(month: Fixture) -> None:
    if month.engine != "sqlite":
        pytest.skip("the channels read the same service; once is enough")
    application = create_app(Settings(database_url=month.url), clock=MovableClock(at(12, 2)))
    url = "/api/v1/spam/monthly-report"
    try:
        with LiveServer(application) as live:
            api = Api(live.url)
            with api.as_("lead1") as city:  # a unit lead of 甲市: the city, nothing else
                got = city.get(url, params={"month": MONTH, "format": "xlsx"})
                assert got.status_code == 200, got.text
                assert "attachment" in got.headers["content-disposition"]
                regions = load_workbook(io.BytesIO(got.content))["regions"]
                codes = [r[0] for r in regions.iter_rows(min_row=2, values_only=True)]
                assert codes == ["C1", "C1-K1", "C1-K2"]
                assert city.get(url, params={"month": MONTH, "region": "C2"}).status_code == 404
                for params, words in (
                    ({"month": "2026-13"}, "YYYY-MM"),
                    ({"month": "11/2026"}, "YYYY-MM"),
                    ({"month": "9999-12"}, "2099"),  # far times: refused, never computed
                    ({"month": "2027-01"}, "还没有开始"),
                    ({"month": MONTH, "format": "docx"}, "xlsx、pdf 或 html"),
                ):
                    refused = city.get(url, params=params)
                    assert refused.status_code == 422, params
                    assert words in refused.json()["detail"], refused.text
            with api.as_("super1", "en") as boss:
                html = boss.get(url, params={"month": MONTH, "format": "html"})
                assert html.status_code == 200 and "Monthly spam-SMS" in html.text
                assert phone(6) not in html.text
            with api.as_("agent1") as agent:
                assert agent.get(url, params={"month": MONTH}).status_code == 403
            with web_client(api, "lead1") as page:
                got = page.get("/spam/report", params={"month": MONTH, "format": "pdf"})
                assert got.status_code == 200 and got.content.startswith(b"%PDF")
                bad = page.get("/spam/report", params={"month": "soon", "format": "pdf"})
                assert bad.status_code == 422 and "YYYY-MM" in bad.text
            with web_client(api, "agent1") as page:
                assert page.get("/spam/report", params={"month": MONTH}).status_code == 403
    finally:
        application.state.engine.dispose()


def test_the_command_writes_the_files(month: Fixture, tmp_path: Path) -> None:
    if month.engine != "sqlite":
        pytest.skip("the command reads the same service; once is enough")
    result = CliRunner().invoke(
        cli_app,
        ["report", "spam-monthly", "--month", MONTH, "--region", "C2", "--format", "xlsx",
         "--out", str(tmp_path)],
        env={"CARELOOP_DATABASE_URL": month.url},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = tmp_path / "careloop-spam-monthly-2026-11-C2.xlsx"
    assert result.stdout.strip() == str(written)
    sheet = load_workbook(written)["regions"]
    assert next(sheet.iter_rows(min_row=2, values_only=True))[:4] == ("C2", "乙市分公司", 4, 3)
    refused = CliRunner().invoke(
        cli_app, ["report", "spam-monthly", "--month", "2026-1"],
        env={"CARELOOP_DATABASE_URL": month.url},
    )  # fmt: skip
    assert refused.exit_code == 1 and "YYYY-MM" in refused.stderr


def test_render_keeps_every_format(month: Fixture) -> None:
    html = render.render(month.report, "html").decode()
    assert "垃圾短信治理月报" in html and "—" in html
