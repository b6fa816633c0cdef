"""The network-quality weekly report (网络质量周报) on both engines, against hand-worked values.

ISO week 2026-W40 (Mon 28 Sep – Sun 4 Oct, Asia/Shanghai) and the week before, test org:

    this week   C1-K1  network.coverage ×2, broadband.outage ×1, billing.dispute ×1 (not network)
                C1-K2  broadband.speed ×1
                C2-K1  network.dropped_calls ×2
    last week   C1-K1  network.coverage ×1
                C2-K1  network.dropped_calls ×4

    by region     C1 4 (last week 1, +300 %), C2 2 (last week 4, −50 %); total 6 against 5
    hot spots     C1-K1 3, C2-K1 2, C1-K2 1
    repair orders two on network complaints finished this week, one late (due 1 h, took
                  3 h) -> on time 1 of 2 = 50 %; the billing complaint's order is not counted
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from careloop.reports import render
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake, lifecycle, work_orders
from careloop.services.monitoring import reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory

DAY = date(2026, 9, 30)  # a Wednesday of week 40
MONDAY = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
LAST_MONDAY = MONDAY - timedelta(days=7)


@pytest.fixture
def uow(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as unit:
        yield unit
    engine.dispose()


_phones = iter(range(10_000))


def _accept(uow, category, region, t):  # type: ignore[no-untyped-def]
    draft = intake.NewComplaint(
        channel="hotline",
        customer_phone=f"1390000{next(_phones):04d}",
        category=category,
        description="网络测试投诉",
        region_code=region,
        product="broadband",
    )
    return intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), t, None).complaint


def _repair(uow, complaint, unit, handler, took_hours):  # type: ignore[no-untyped-def]
    agent = actor_for(uow, "agent1")
    c = lifecycle.handle(uow, complaint.id, agent, complaint.version, MONDAY)
    dispatched = MONDAY + timedelta(minutes=10)
    order = work_orders.dispatch(uow, c.id, agent, c.version, dispatched, unit, "查", due_hours=1)
    net = actor_for(uow, handler)
    order = work_orders.accept(uow, order.id, net, order.version, dispatched)
    work_orders.complete(
        uow, order.id, net, order.version, dispatched + timedelta(hours=took_hours), "好"
    )


def _seed(uow) -> None:  # type: ignore[no-untyped-def]
    coverage = _accept(uow, "network.coverage", "C1-K1", MONDAY)
    _accept(uow, "network.coverage", "C1-K1", MONDAY + timedelta(hours=1))
    _accept(uow, "broadband.outage", "C1-K1", MONDAY + timedelta(days=2))
    billing = _accept(uow, "billing.dispute", "C1-K1", MONDAY)
    speed = _accept(uow, "broadband.speed", "C1-K2", MONDAY + timedelta(days=1))
    for i in range(2):
        _accept(uow, "network.dropped_calls", "C2-K1", MONDAY + timedelta(days=3, hours=i))
    _accept(uow, "network.coverage", "C1-K1", LAST_MONDAY)
    for i in range(4):
        _accept(uow, "network.dropped_calls", "C2-K1", LAST_MONDAY + timedelta(hours=i))
    _repair(uow, coverage, "C1-K1-NET", "net1", took_hours=0.5)  # on time
    _repair(uow, speed, "C1-K2-NET", "net2", took_hours=3)  # late
    _repair(uow, billing, "C1-K1-NET", "net1", took_hours=3)  # not a network complaint


def _rows(report, name):  # type: ignore[no-untyped-def]
    return {row[0]: row for row in report.table(name).rows}


def test_the_weekly_report_counts_network_complaints_by_region_and_week(uow):  # type: ignore[no-untyped-def]
    _seed(uow)
    report = reports.build_report(uow, "weekly", DAY)
    assert report.title_zh.startswith("网络质量周报")
    assert "2026-W40" in report.subtitle

    regions = _rows(report, "network_regions")
    assert regions["C1"][2:] == [4, 1, pytest.approx(3.0)]
    assert regions["C2"][2:] == [2, 4, pytest.approx(-0.5)]

    categories = _rows(report, "network_categories")
    assert categories["network.coverage"][2:4] == [2, 1]
    assert categories["network.dropped_calls"][2:4] == [2, 4]
    assert "billing.dispute" not in categories

    hot = report.table("network_hotspots").rows
    assert [(r[1], r[4], r[5]) for r in hot] == [("C1-K1", 3, 1), ("C2-K1", 2, 4), ("C1-K2", 1, 0)]

    repairs = _rows(report, "repair_orders")
    assert repairs["P"][2:5] == [2, 1, pytest.approx(50.0)]
    assert repairs["C1"][2:5] == [2, 1, pytest.approx(50.0)]
    assert repairs["C2"][2:5] == [0, 0, None]  # no data, not 0 %
    # the handle time is over the orders with working minutes on record, in working hours
    timed = 2 - repairs["P"][7]
    assert (repairs["P"][6] is None) == (timed == 0)
    assert any("网络类投诉 6 件" in line and "上周 5 件" in line for line in report.summary)


def test_the_weekly_report_renders_as_html_xlsx_and_pdf(uow, tmp_path: Path):  # type: ignore[no-untyped-def]
    _seed(uow)
    report = reports.build_report(uow, "weekly", DAY)
    html = render.render(report, "html").decode()
    assert "网络质量周报" in html and "平均处理时长（工作小时）" in html
    book = load_workbook(io.BytesIO(render.render(report, "xlsx")))
    assert {"network_regions", "network_hotspots", "repair_orders"} <= set(book.sheetnames)
    sheet = book["network_regions"]
    assert [c.value for c in sheet[1]][:4] == ["地区代码", "地区", "本周", "上周"]  # Chinese first
    values = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["C1"][2] == 4 and values["C1"][4] == pytest.approx(3.0)  # numbers, not text

    pdf = tmp_path / "weekly.pdf"
    pdf.write_bytes(render.render(report, "pdf"))
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: apt-get install -y poppler-utils (scripts/test.sh does)")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2
    for page in pages:
        grey = Image.open(page).convert("L").histogram()
        assert sum(grey[:250]) / sum(grey) > 0.005, page


def test_supervisor_downloads_the_weekly_report_and_an_agent_may_not(api):  # type: ignore[no-untyped-def]
    with api.as_("super1") as client:
        r = client.get("/api/v1/reports/weekly", params={"date": "2026-09-30", "format": "xlsx"})
        assert r.status_code == 200, r.text
        assert "careloop-weekly-2026-09-30.xlsx" in r.headers["content-disposition"]
        assert "repair_orders" in load_workbook(io.BytesIO(r.content)).sheetnames
        assert (
            client.get("/api/v1/reports/yearly", params={"date": "2026-09-30"}).status_code == 422
        )
    with api.as_("agent1") as client:
        r = client.get("/api/v1/reports/weekly", params={"date": "2026-09-30"})
        assert r.status_code == 403
