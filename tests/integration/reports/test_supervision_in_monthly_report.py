"""The monthly analysis report shows the month's supervision (监督检查) and rectification
(督促整改) on SQLite and PostgreSQL: one small November built through the real services
(store visits with known scores, a dial-test run, social supervisors' submissions and
answers, rectification tasks closed on time, late, reopened, escalated and left overdue),
then every figure of the new tables equals the value worked out by hand below.

Times are Beijing time; November 2026 has no holiday or make-up working day, so the limits
(complaint findings 3 working days, store-visit findings 5, answers to a supervisor 5) are
counted on weekdays.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from careloop.domain.indicators import periods
from careloop.domain.supervision.checklists import SEED_CHECKLISTS
from careloop.domain.supervision.scoring import ItemResult
from careloop.reports.model import Report
from careloop.services.access.actors import actor_for
from careloop.services.indicators.org_tree import OrgTree
from careloop.services.monitoring import reports
from careloop.services.supervision import inspection_report, inspections, plans, scores
from careloop.services.supervision import rectification as rect
from careloop.services.supervision import social_supervisors as social
from careloop.services.supervision.dial_tests import DialTestIn, record_dial_run
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import PgFactory

BEIJING = ZoneInfo("Asia/Shanghai")
NOVEMBER = date(2026, 11, 30)
NEW_TABLES = ("inspection_regions", "store_ranking", "dial_tests", "social_supervision",
              "rectification")  # fmt: skip


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BEIJING)


def results(**off: float) -> list[ItemResult]:
    """Every item of the store checklist at full marks less `off`, with its evidence."""
    return [
        ItemResult(i.code, i.weight - off.get(i.code, 0), {k: f"ref-{i.code}" for k in i.evidence})
        for i in SEED_CHECKLISTS["store_visit"].items
    ]


@dataclass
class Month:
    engine: str
    url: str
    report: Report
    xlsx: Path


def _database(request: pytest.FixtureRequest, engine: str, tmp: Path) -> str:
    if engine == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp / "careloop.sqlite3")
        return f"sqlite:///{tmp / 'careloop.sqlite3'}"
    pg: PgFactory | None = request.getfixturevalue("pg_factory")
    if pg is None:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return pg.new()


class November:
    """The month's events in the order they happened, each through its service."""

    def __init__(self, factory: Any) -> None:
        self.factory = factory
        self.tasks: dict[str, rect.RectificationView] = {}
        self.subs: dict[str, social.SubmissionView] = {}
        self.supervisor_id = 0

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.factory)

    def subjects(self) -> None:
        with self.uow() as uow:
            boss = actor_for(uow, "super1")
            for new in (
                plans.NewSubject("store", "ST-E", "东区营业厅", "C1-K1-NET"),
                plans.NewSubject("store", "ST-W", "西区营业厅", "C1-K2-NET"),
                plans.NewSubject("store", "ST-N", "北区营业厅", "C2-K1-NET"),
                plans.NewSubject("hotline", "HL-1", "甲市热线", "C1-HOT", hotline_number="10000"),
                plans.NewSubject("hotline", "HL-2", "乙市热线", "C2", hotline_number="10010"),
            ):
                plans.add_subject(uow, new, boss, at(10, 1))
            self.supervisor_id = social.register_supervisor(
                uow,
                social.NewSupervisor("郑监督", "13812345678", "P", date(2026, 1, 1),
                                     date(2027, 12, 31)),
                boss, at(10, 1),
            ).id  # fmt: skip

    def visit(self, store: str, when: datetime, **off: float) -> None:
        with self.uow() as uow:
            boss = actor_for(uow, "super1")
            subject = next(s for s in plans.subjects(uow, boss, "store") if s.code == store)
            inspections.record_visit(
                uow, subject=subject, kind="store_visit", results=results(**off), inspector=None,
                visited_at=when, actor=boss, now=when, source="import",
            )  # fmt: skip
            uow.commit()

    def open(self, name: str, unit: str, when: datetime) -> None:
        with self.uow() as uow:
            view, _ = rect.open_rectification_by_code(
                uow, source=rect.FindingRef("complaint", 9000 + len(self.tasks)), unit_code=unit,
                title=f"整改 {name}", detail="投诉暴露的问题", actor=actor_for(uow, "super1"),
                now=when,
            )  # fmt: skip
        self.tasks[name] = view

    def act(self, name: str, step: str, who: str, when: datetime, **kw: Any) -> None:
        if step == "submit":
            kw = {"actions_taken": "已整改", "evidence_ref": "photo://done.jpg"}
        if step == "fail":
            kw = {"reason": "复查仍不合格"}
        with self.uow() as uow:
            task = self.tasks[name]
            self.tasks[name] = rect.TRANSITIONS[step](
                uow, task.id, actor_for(uow, who), task.version, when, **kw
            )

    def submission(self, name: str, unit: str, when: datetime) -> None:
        with self.uow() as uow:
            boss = actor_for(uow, "super1")
            draft = social.NewSubmission(self.supervisor_id, "feedback", "unit", unit, "排队过长",
                                         when)  # fmt: skip
            self.subs[name], _ = social.record_submission(uow, draft, boss, when)

    def answer(self, name: str, who: str, when: datetime) -> None:
        with self.uow() as uow:
            sub = self.subs[name]
            social.answer_submission(uow, sub.id, sub.version, "已改进", actor_for(uow, who), when)

    def sweep(self, when: datetime) -> None:
        with self.uow() as uow:
            rect.escalate_late(uow, when)

    def dial_run(self, when: datetime) -> None:
        calls = [  # (hotline, day, outcome, answer seconds, wait seconds)
            ("10000", at(10, 30), "answered", 3.0, 5.0),  # October: not counted
            ("10000", at(11, 2), "answered", 5.0, 30.0),
            ("10000", at(11, 3), "answered", 15.0, 10.0),
            ("10000", at(11, 4), "answered", 25.0, 60.0),  # answered, but after 20 s
            ("10000", at(11, 5), "no_answer", None, None),
            ("10010", at(11, 2), "answered", 20.0, 20.0),  # exactly 20 s counts
            ("10010", at(11, 3), "answered", 4.0, 40.0),
        ]
        with self.uow() as uow:
            run = [
                (DialTestIn(h, t, o, a, w), f"run-{i}") for i, (h, t, o, a, w) in enumerate(calls)
            ]
            record_dial_run(uow, run, actor_for(uow, "super1"), when)
            uow.commit()


def build_november(factory: Any) -> None:
    m = November(factory)
    m.subjects()
    m.open("F", "C1-K1-NET", at(10, 20))  # due 10-23 24:00
    m.visit("ST-E", at(10, 20), staff_appearance=2, notices=3)  # October: 95, not counted
    m.act("F", "submit", "net1", at(10, 22))
    m.submission("S4", "C1-K1-NET", at(10, 28))  # due 11-04 24:00
    m.open("B", "C1-K1-NET", at(11, 2))  # due 11-05 24:00
    m.open("C", "C1-K1-NET", at(11, 2))  # due 11-05 24:00
    m.open("E", "C1-K2-NET", at(11, 2))  # due 11-05 24:00
    m.answer("S4", "net1", at(11, 2))  # on time, answered in November
    m.act("F", "confirm", "super1", at(11, 3))  # closed in November, submitted on time
    m.visit("ST-E", at(11, 3))  # 100
    m.submission("S1", "C1-K1-NET", at(11, 3))  # due 11-10 24:00
    m.submission("S2", "C1-K2-NET", at(11, 3))  # due 11-10 24:00
    m.act("B", "submit", "net1", at(11, 4))
    m.act("E", "submit", "net2", at(11, 4))
    m.visit("ST-N", at(11, 5), tariff_disclosure=15)  # 85, mandatory item failed: a task
    m.answer("S1", "net1", at(11, 5))
    m.act("B", "confirm", "super1", at(11, 6))
    m.act("E", "fail", "super1", at(11, 6))  # reopened, due 11-11 24:00
    m.act("C", "submit", "net1", at(11, 9))  # late
    m.open("D", "C1-K2-NET", at(11, 9))  # due 11-12 24:00
    m.act("C", "confirm", "super1", at(11, 10))
    m.visit("ST-E", at(11, 10), environment=3, service_language=3, waiting_time=3)  # 91
    m.act("D", "submit", "net2", at(11, 11))
    m.visit(
        "ST-W",
        at(11, 12),
        environment=4,
        service_language=4,
        waiting_time=4,
        notices=4,
        staff_appearance=2,
        first_question=2,
    )  # 80: no item failed, below the pass mark
    m.answer("S2", "net2", at(11, 12))  # late
    m.act("D", "fail", "super1", at(11, 13))  # reopened, due 11-18 24:00
    m.sweep(at(11, 16))  # escalates E (due 11-11) and the store task (due 11-12)
    m.act("D", "submit", "net2", at(11, 17))
    m.act("D", "confirm", "super1", at(11, 19))
    m.open("G", "C1-K1-NET", at(11, 20))  # due 11-25 24:00
    m.open("H", "C1-K1-NET", at(11, 23))  # due 11-26 24:00
    m.act("H", "submit", "net1", at(11, 24))  # waiting for re-inspection at the month's end
    m.submission("S3", "C1-K1-NET", at(11, 25))  # not answered
    m.dial_run(at(11, 30))
    m.act("G", "submit", "net1", at(12, 1))  # late: still owed when November ended


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def month(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Month]:
    tmp = tmp_path_factory.mktemp("supervision-month")
    url = _database(request, request.param, tmp)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        build_november(factory)
        with UnitOfWork(factory) as uow:
            boss = actor_for(uow, "super1")
            report = reports.build_report(uow, "monthly", NOVEMBER, "P", boss, now=at(12, 2))
        (xlsx,) = reports.write_report(report, "monthly", NOVEMBER, "P", tmp, ("xlsx",))
        yield Month(request.param, url, report, xlsx)
    finally:
        engine.dispose()


def rows(report: Report, name: str) -> list[list[Any]]:
    return report.table(name).rows


def test_store_visits_are_pooled_per_region_as_the_catalogue_counts_them(month: Month) -> None:
    # ST-E 100 and 91 (both 达标), ST-W 80 (below 85), ST-N 85 with a mandatory item failed.
    assert rows(month.report, "inspection_regions") == [
        ["P", "某省公司", 4, 2, 89.0, 50.0],  # 356 ÷ 4; 2 ÷ 4
        ["C1", "甲市分公司", 3, 2, 90.3, 66.7],  # 271 ÷ 3
        ["C2", "乙市分公司", 1, 0, 85.0, 0.0],
    ]
    indicators = {r[0]: r[3] for r in rows(month.report, "indicators")}
    assert indicators["inspection_compliance_rate"] == 50.0
    assert indicators["mean_inspection_score"] == 89.0


def test_stores_are_ranked_by_mean_score(month: Month) -> None:
    assert rows(month.report, "store_ranking") == [
        [1, "ST-E", "东区营业厅", "甲市东区", 2, 95.5, 100.0],
        [2, "ST-N", "北区营业厅", "乙市北区", 1, 85.0, 0.0],
        [3, "ST-W", "西区营业厅", "甲市西区", 1, 80.0, 0.0],
    ]


def test_dial_tests_count_answers_within_twenty_seconds_per_hotline(month: Month) -> None:
    assert rows(month.report, "dial_tests") == [
        ["HL-2", "10010", "乙市热线", "乙市分公司", 2, 2, 100.0, 30.0],
        ["HL-1", "10000", "甲市热线", "甲市分公司", 4, 2, 50.0, 33.3],  # waits 30, 10, 60
        ["", "", "合计", "", 6, 4, 66.7, 32.0],  # 160 s ÷ 5 answered calls
    ]


def test_social_supervisors_submissions_are_counted_with_answers_on_time(month: Month) -> None:
    # East: S1 and S3 recorded, S1 and October's S4 answered in time; West: S2 answered late.
    assert rows(month.report, "social_supervision") == [
        ["C1-K1-NET", "东区网络部", 2, 2, 2, 100.0],
        ["C1-K2-NET", "西区网络部", 1, 1, 0, 0.0],
        ["", "合计", 3, 3, 2, 66.7],
    ]


def test_rectification_per_owner_unit_replays_the_state_at_the_months_end(month: Month) -> None:
    # East: B, C, G, H opened; B, C and October's F closed, C late; G still owed at the end
    # (submitted only in December), H waiting for re-inspection. West: D reopened then closed
    # in time; E reopened, escalated, still owed. North: the store visit's task, never worked.
    assert rows(month.report, "rectification") == [
        ["C1-K1-NET", "东区网络部", 4, 3, 2, 66.7, 1, 0, 0],
        ["C1-K2-NET", "西区网络部", 2, 1, 1, 100.0, 1, 1, 2],
        ["C2-K1-NET", "北区网络部", 1, 0, 0, None, 1, 1, 0],
        ["", "合计", 7, 4, 3, 75.0, 3, 2, 2],
    ]


def test_the_summary_says_the_supervision_figures_in_one_line_each(month: Month) -> None:
    assert month.report.summary[-4:] == [
        "明察暗访 4 次 (营业厅 3 家), 平均得分 89.0, 达标率 50.0%",
        "热线拨测 6 次, 拨测接通率 66.7%",
        "社会监督员反映 3 件, 答复 3 件, 其中按时 2 件",
        "督促整改: 新立 7 件, 销号 4 件 (按期 3 件), 月末超期未整改 3 件, 超期升级 2 件, "
        "复查不通过 2 件",
    ]


def test_the_xlsx_has_a_sheet_per_new_table_with_its_headers(month: Month) -> None:
    book = load_workbook(month.xlsx, read_only=True)
    assert set(NEW_TABLES) <= set(book.sheetnames)
    headers = {
        name: [c.value for c in next(book[name].iter_rows(max_row=1))] for name in NEW_TABLES
    }
    assert headers["inspection_regions"][-2:] == ["平均得分", "达标率"]
    assert "拨测接通率" in headers["dial_tests"]
    assert "按时答复率" in headers["social_supervision"]
    assert "月末超期未整改" in headers["rectification"]
    titles = {t.name: (t.title_zh, t.title_en) for t in month.report.tables}
    assert titles["rectification"] == ("督促整改 (本月)", "Rectification tasks (this month)")
    book.close()


def test_a_city_report_counts_only_its_own_stores_hotlines_and_units(month: Month) -> None:
    engine = make_engine(month.url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            tree = OrgTree.load(uow)
            city = tree.by_code("C1")
            period = periods.period_of("month", NOVEMBER)
            part = inspection_report.section(uow, period, tree, city)
            december = periods.period_of("month", date(2026, 12, 31))
            empty = inspection_report.section(uow, december, tree, city)
    finally:
        engine.dispose()
    regions, ranking, dials, _ = part.tables
    assert regions.rows == [
        ["C1", "甲市分公司", 3, 2, 90.3, 66.7],
        ["C1-K1", "甲市东区", 2, 2, 95.5, 100.0],
        ["C1-K2", "甲市西区", 1, 0, 80.0, 0.0],
    ]
    assert [r[1] for r in ranking.rows] == ["ST-E", "ST-W"]
    assert [r[0] for r in dials.rows] == ["HL-1", ""]
    assert empty.summary[0] == "明察暗访 0 次 (营业厅 0 家), 平均得分 —, 达标率 —"
    assert empty.tables[2].rows == [["", "", "合计", "", 0, 0, None, None]]


def test_a_long_ranking_shows_the_best_and_the_worst_five() -> None:
    ranked = [scores.Score(f"S{i:02d}", "", "", 1, 1, 100.0, 100.0 - i, i + 1) for i in range(12)]
    shown = inspection_report.best_and_worst(ranked)
    assert [s.rank for s in shown] == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    assert inspection_report.best_and_worst(ranked[:10]) == ranked[:10]
