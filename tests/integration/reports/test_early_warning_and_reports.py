"""Early warning on the demo province, and the three reports written by the CLI.

Stated false-alarm rate: the test in domain/early_warning.py holds the false-discovery rate
of each morning at fdr = 0.05 across all its cells (county, city and province) and windows, so
a morning with nothing rising shows any flag with probability at most 0.05 (docs/
early-warning.md). The quiet month below is the 30 report days of seeded demo data that lie
before any seeded hot spot (the demo's own bursts are 8–22 days before its end).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from scipy.stats import binom

from careloop.demo.load import load_demo
from careloop.demo.province import build_province
from careloop.domain.indicators import facts as ind
from careloop.domain.indicators import periods
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.indicators import figures as si
from careloop.services.indicators.org_tree import OrgTree
from careloop.services.indicators.subscribers import UserBases
from careloop.services.monitoring import early_warning as ews
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade

END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 90
START_DAY = (END - timedelta(days=DAYS)).date()
QUIET_DAYS = [START_DAY + timedelta(days=36 + i) for i in range(30)]
"""Report days with the full 35-day history, all ending before END − 25 days."""
BURST_DAY = QUIET_DAYS[-1]
CLI = [sys.executable, "-m", "careloop.cli"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(make_session_factory(engine), count=2000, days=DAYS, seed=11, end=END)
    engine.dispose()
    return path


def _uow(path: Path) -> UnitOfWork:
    return UnitOfWork(make_session_factory(make_engine(f"sqlite:///{path}")))


def test_a_quiet_month_flags_no_more_than_the_false_alarm_rate_predicts(
    demo_db: Path, report_figure
):  # type: ignore[no-untyped-def]
    flags = 0
    flagged_mornings = 0
    levels: set[str] = set()
    with _uow(demo_db) as uow:
        for day in QUIET_DAYS:
            warning = ews.early_warning(uow, day, with_hotspots=False)
            flags += len(warning.flags)
            flagged_mornings += bool(warning.flags)
            levels |= set(warning.cells_by_level)
            assert warning.fdr == 0.05
    # at most 5 % of quiet mornings: 1.5 of 30 expected, 5 is Binomial(30, 0.05)'s 99.9 %
    bound = int(binom.ppf(0.999, len(QUIET_DAYS), 0.05))
    report_figure(
        f"quiet month: {flagged_mornings} of {len(QUIET_DAYS)} mornings with a flag "
        f"({flags} flags), ≤ {bound} allowed at fdr=0.05"
    )
    assert levels >= {"county", "city", "province"}  # every level is tested
    assert flagged_mornings <= bound


def _inject_burst(path: Path) -> str:
    province = build_province()
    county = province.counties()[0]
    city = province.city_of(county.code)
    assert city is not None
    hotline = province.department(city.code, "hotline")
    agent = province.staff_at(hotline.code, "agent")[0].username
    base = datetime.combine(BURST_DAY, datetime.min.time(), periods.LOCAL_TZ) + timedelta(hours=9)
    with _uow(path) as uow:
        actor = actor_for(uow, agent)
        for i in range(40):
            draft = intake.NewComplaint(
                channel="hotline",
                customer_phone=f"1390000{i:04d}",
                category="broadband.outage",
                description=f"小区宽带全部断网, 第 {i} 户",
                region_code=county.code,
                product="broadband",
            )
            at = (base + timedelta(minutes=10 * i)).astimezone(UTC)
            intake.accept_complaint(uow, draft, actor, at, f"burst-{i}")
    return county.code


@pytest.fixture(scope="module")
def burst_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("burst") / "burst.sqlite3"
    shutil.copy(demo_db, path)
    return path, _inject_burst(path)


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": f"sqlite:///{path}", "CARELOOP_LANG": "en"}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=300)


def test_a_burst_of_40_broadband_complaints_is_flagged_the_next_morning(burst_db, tmp_path):
    path, county = burst_db
    with _uow(path) as uow:
        warning = ews.early_warning(uow, BURST_DAY, with_hotspots=False)
    hits = [
        f
        for f in warning.flags
        if f.cell.region_code == county and f.cell.category == "broadband.outage"
    ]
    assert hits, [f.cell for f in warning.flags]
    day_flag = next(f for f in hits if f.window == "day")
    assert day_flag.observed >= 40
    assert sum(1 for c in day_flag.complaints if "第" in c.description) == 40
    assert day_flag.level == "county" and not day_flag.cell.subtree
    assert "区县" in day_flag.explanation() and "期望" in day_flag.explanation()
    assert "expected" in day_flag.explanation("en")
    # one county's burst is that county's flag, not also its city's or the province's total
    totals = [
        f
        for f in warning.flags
        if f.cell.subtree and f.cell.category == "broadband.outage" and f.window == "day"
    ]
    assert not totals, [(f.cell, f.observed, f.expected) for f in totals]

    result = _cli(path, "report", "daily", "--date", BURST_DAY.isoformat(), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(tmp_path / f"careloop-daily-{BURST_DAY}.xlsx")["warnings"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert any(r[1] == "broadband.outage" and r[3] == county and r[7] >= 40 for r in rows), rows


def _non_white_share(png: Path) -> float:
    image = Image.open(png).convert("L")
    histogram = image.histogram()  # 256 bins of grey levels
    return sum(histogram[:250]) / sum(histogram)


@pytest.mark.parametrize("kind", ["daily", "tenday", "monthly"])
def test_report_command_writes_html_xlsx_and_pdf(burst_db, tmp_path, kind):
    path, _ = burst_db
    day = BURST_DAY
    result = _cli(path, "report", kind, "--date", day.isoformat(), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    stem = tmp_path / f"careloop-{kind}-{day}"
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert "<img" in html and "data:image/png;base64," in html and "及时率" in html

    # XLSX: real numbers, equal to the domain's formulas over the same complaints
    book = load_workbook(stem.with_suffix(".xlsx"))
    assert "indicators" in book.sheetnames and "regions" in book.sheetnames
    table = {r[0]: r for r in book["indicators"].iter_rows(min_row=2, values_only=True)}
    period = periods.period_of({"daily": "day", "tenday": "tenday", "monthly": "month"}[kind], day)
    with _uow(path) as uow:
        facts = list(si.complaint_facts(uow, period))
        users = UserBases(uow, OrgTree.load(uow), period)
        root = OrgTree.load(uow).root()
        base = users.base(root)
    assert facts
    for indicator_id, expected in (
        ("escalated_rate", ind.escalated_rate(facts)),
        ("repeat_rate", ind.repeat_rate(facts)),
        ("complaints_per_10k", ind.complaints_per_10k(facts, base)),
        ("appeals_per_million", ind.appeals_per_million(facts, base)),
    ):
        row = table[indicator_id]
        assert isinstance(row[3], int | float), row  # a number, not text
        assert row[3] == pytest.approx(expected.value), indicator_id
        assert row[8] == expected.numerator and row[9] == pytest.approx(expected.denominator)
    assert table["complaints_per_10k"][10] == base.definition

    # PDF: rendered to an image, the first page and a chart page are not blank
    pdf = stem.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
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
        assert _non_white_share(page) > 0.005, page


def test_daily_report_is_delivered_once_through_the_notify_outbox(burst_db, tmp_path):
    from careloop.services.monitoring import reports
    from careloop.store.models import Notification

    path, _ = burst_db
    now = datetime(2026, 10, 6, 23, 0, tzinfo=UTC)
    with _uow(path) as uow:
        assert reports.queue_daily_delivery(uow, BURST_DAY, now) == 1
        assert reports.queue_daily_delivery(uow, BURST_DAY, now) == 0  # same morning: once
        row = uow.session.query(Notification).filter_by(kind="report").one()
        assert "预警" in row.body and row.status == "pending"


def test_quiet_day_is_before_the_seeded_hot_spots():
    assert QUIET_DAYS[-1] <= (END - timedelta(days=25)).date()
    assert date(2026, 1, 1) < QUIET_DAYS[0]
