"""The regulator's spam figures on a small September, against values worked out by hand,
on SQLite and PostgreSQL: per region (counties rolled up to cities and the province), the
top ports and enterprises, and the three spam indicators in the indicator report, its
objectives and the monthly report's indicator sheet.

The month (local days, Asia/Shanghai), the test org of tests/conftest.py:

reports by people (reporters r1…r6; ✱ serious)      region   port
  r1 r2 r3 r1✱  forwarded                            C1-K1    A 10657001111 (E1)
  r1 r4✱        12321 transfers                      C1-K2    B 10659002222 (E1)
  r5 r6         forwarded                            C2-K1    C 10655003333 (E2)
  r5            forwarded                            C2-K1    13800001111 (not registered)
interceptions: 2 items of A, 1 000 + 500 messages    C1
outside the month: one report a minute before it, one at its end (next month's)

enforcement cases (serious: 24 hours around the clock)
  1 A  C1-K1 opened 7 Sep, warned after 2 h (in time), port closed after 3 h
  2 B  C1-K2 opened 7 Sep, suspended 2 h after the deadline (late)
  3 C  C2-K1 opened 7 Sep, never acted on (overdue)
  4 D  C2-K1 opened 30 Sep, warned 1 Oct within time: decided in October, not judged here
  5 E  C1-K1 opened 31 Aug, warned 1 Sep in time: decided in September, judged here

subscribers: C1 2 000 000, C2 500 000 (the province: their sum); the counties none.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain.indicators.periods import period_of
from careloop.domain.spam.reports import PortDayCounts
from careloop.services.access.actors import SYSTEM, actor_for
from careloop.services.indicators import figures as indicator_figures
from careloop.services.indicators import objectives
from careloop.services.indicators.org_tree import OrgTree
from careloop.services.indicators.subscribers import SubscriberRow, import_subscribers
from careloop.services.spam import enforcement, figures, ports
from careloop.services.spam.reports import NewReport, record_reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import OrgUnit
from tests.conftest import Api

START = datetime(2026, 8, 31, 16, 0, tzinfo=UTC)  # 1 Sep, local midnight
END = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 1 Oct, local midnight
SEPTEMBER = period_of("month", date(2026, 9, 15))
A, B, C, D, E = "10657001111", "10659002222", "10655003333", "10657004444", "10655005555"
P2P = "13800001111"
SHOT = {"evidence": "多名用户举报贷款营销短信"}


def reporter(n: int) -> str:
    return f"1390000000{n}"


def build(factory: sessionmaker[Session]) -> None:
    with UnitOfWork(factory) as uow:
        admin = actor_for(uow, "admin")
        for number, owner, code in ((A, "甲贷款公司", "E1"), (B, "甲贷款公司", "E1"),
                                    (C, "乙房产", "E2")):  # fmt: skip
            draft = ports.PortDraft(number, "enterprise", owner, code, None, ["notification"])
            ports.register_port(uow, draft, admin, START, "zh")
        import_subscribers(
            uow,
            [SubscriberRow("C1", date(2026, 9, 1), 2_000_000, "mobile users"),
             SubscriberRow("C2", date(2026, 9, 1), 500_000, "mobile users")],
            source="test", by="admin", now=START,
        )  # fmt: skip
        region = {u.code: u.id for u in uow.session.scalars(select(OrgUnit))}
        day5 = START + timedelta(days=4, hours=3)
        drafts = []

        def add(source: str, sender: str, unit: str, who: int | None, at: datetime,
                serious: str | None = None, count: int = 1) -> None:  # fmt: skip
            drafts.append(
                NewReport(
                    source=source,
                    key=f"k{len(drafts)}",
                    sender=sender,
                    text=f"【贷款】低息贷款秒到账，详询 {len(drafts)} 号专员",
                    received_at=at,
                    region_id=region[unit],
                    reporter_phone=None if who is None else reporter(who),
                    message_count=count,
                    serious_reason=serious,
                )
            )

        for n, who in enumerate((1, 2, 3, 1)):
            add("forwarded", A, "C1-K1", who, day5 + timedelta(minutes=n),
                "after_unsubscribe" if n == 3 else None)  # fmt: skip
        add("transfer_12321", B, "C1-K2", 1, day5)
        add("transfer_12321", B, "C1-K2", 4, day5, "no_consent")
        add("forwarded", C, "C2-K1", 5, START)  # the first instant of the month counts
        add("forwarded", C, "C2-K1", 6, day5)
        add("forwarded", P2P, "C2-K1", 5, day5)
        add("interception", A, "C1", None, day5, count=1_000)
        add("interception", A, "C1", None, day5, count=500)
        add("forwarded", A, "C1-K1", 2, START - timedelta(minutes=1))  # August
        add("forwarded", A, "C1-K1", 2, END)  # October
        record_reports(uow, drafts, SYSTEM, END, action="test_reports")

    seventh = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
    opened = {
        A: ("C1-K1", seventh),
        B: ("C1-K2", seventh),
        C: ("C2-K1", seventh),
        D: ("C2-K1", datetime(2026, 9, 30, 6, 0, tzinfo=UTC)),
        E: ("C1-K1", datetime(2026, 8, 31, 10, 0, tzinfo=UTC)),
    }
    for port, (unit, at) in opened.items():
        with UnitOfWork(factory) as uow:
            burst = PortDayCounts(port, at.date(), 500, 300, 0.97, 0)
            report = enforcement.open_cases_from_counts(
                uow, [burst], at, region_of=lambda _, unit=unit: unit
            )
            assert report.opened == 1

    def act(port: str, action: str, when: object) -> None:
        with UnitOfWork(factory) as uow:
            actor = actor_for(uow, "super1")
            case = next(
                c for c in enforcement.list_cases(uow, actor, "zh", END).items
                if c.port_number == port
            )  # fmt: skip
            at = when(case) if callable(when) else when
            assert isinstance(at, datetime)
            enforcement.sanction(uow, case.id, action, actor, case.version, at, **SHOT)

    act(A, "warn", seventh + timedelta(hours=2))
    act(A, "close_port", seventh + timedelta(hours=3))
    act(B, "suspend", lambda case: case.due_at + timedelta(hours=2))
    act(D, "warn", datetime(2026, 10, 1, 1, 0, tzinfo=UTC))
    act(E, "warn", datetime(2026, 9, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    made = make_session_factory(engine)
    build(made)
    yield made
    engine.dispose()


def test_spam_figures_equal_the_hand_counted_month(factory: sessionmaker[Session]) -> None:
    with UnitOfWork(factory) as uow:
        result = figures.spam_figures(uow, START, END, "P", actor_for(uow, "super1"))
        regions = {r.code: r for r in figures.region_figures(uow, START, END)}
        tree = OrgTree.load(uow)
        total = figures.totals(uow, START, END, tree.within(tree.by_code("P")))

    p, c1, c2, k1, k2 = (regions[code] for code in ("P", "C1", "C2", "C1-K1", "C1-K2"))
    assert result.root == p == total
    assert [r.code for r in result.regions] == ["C1", "C2"]
    # reports by people, distinct people (r1 reported in both counties of C1), serious
    assert [(r.reports, r.reporters, r.serious) for r in (p, c1, c2, k1, k2)] == [
        (9, 6, 2), (6, 4, 2), (3, 2, 0), (4, 3, 1), (2, 2, 1)
    ]  # fmt: skip
    assert (c1.interceptions, c1.messages_intercepted, p.messages_intercepted) == (2, 1500, 1500)
    assert k1.messages_intercepted == 0  # filed under the city itself
    # per million subscribers: the province over its cities' 2.5 million
    assert p.subscribers == 2_500_000 and p.subscriber_definition == "mobile users"
    assert p.reports_per_million == pytest.approx(9 / 2.5)
    assert c1.reports_per_million == pytest.approx(3.0)
    assert c2.reports_per_million == pytest.approx(6.0)
    assert k1.subscribers is None and k1.reports_per_million is None
    # cases: opened in the month / judged / acted on / in time / overdue
    assert [
        (r.cases_opened, r.cases_judged, r.cases_handled, r.cases_on_time, r.cases_overdue)
        for r in (p, c1, c2, k1, k2)
    ] == [(4, 4, 3, 2, 1), (2, 3, 3, 2, 0), (2, 1, 0, 0, 1), (1, 2, 2, 2, 0), (1, 1, 1, 0, 0)]
    assert p.handling_rate == pytest.approx(75.0)
    assert p.on_time_rate == pytest.approx(200 / 3)
    assert (k2.handling_rate, k2.on_time_rate) == (100.0, 0.0)  # late is a real 0 %
    assert (c2.handling_rate, c2.on_time_rate) == (0.0, None)  # nothing acted on: no rate
    assert (p.ports_warned, p.ports_throttled, p.ports_suspended, p.ports_closed) == (2, 0, 1, 1)
    assert (c2.ports_warned, c2.ports_closed) == (0, 0)  # D was warned in October

    assert [(t.port_number, t.reports, t.reporters, t.serious, t.owner_code) for t in
            result.top_ports] == [
        (A, 4, 3, 1, "E1"), (C, 2, 2, 0, "E2"), (B, 2, 2, 1, "E1"), (P2P, 1, 1, 0, None)
    ]  # fmt: skip
    assert result.top_ports[0].messages_intercepted == 1500
    assert result.top_ports[0].actions == ("warn", "close_port")
    assert result.top_ports[2].actions == ("suspend",)
    assert [
        (e.owner_code, e.owner_name, e.ports, e.reports, e.reporters, e.serious)
        for e in result.top_enterprises
    ] == [("E1", "甲贷款公司", 2, 6, 4, 2), ("E2", "乙房产", 1, 2, 2, 0)]


def test_the_indicator_report_ranks_regions_by_the_spam_indicators(
    factory: sessionmaker[Session], api: Api
) -> None:
    with UnitOfWork(factory) as uow:
        report = indicator_figures.indicator_report(uow, SEPTEMBER, "P")
    rows = report.root.rows
    per_million = rows["spam_reports_per_million"]
    assert per_million.indicator.name_zh == "垃圾短信举报率"
    assert per_million.value.value == pytest.approx(3.6)
    assert per_million.judged_value == pytest.approx(3.6 * 365 / 30)  # per year, like appeals
    assert per_million.status == "met"
    assert rows["spam_handling_rate"].value.value == pytest.approx(75.0)
    assert rows["spam_handling_rate"].status == "breached"  # seed: ≥ 90 % at the least
    assert rows["spam_on_time_rate"].value.value == pytest.approx(200 / 3)
    c1, c2 = report.children
    assert c1.rows["spam_handling_rate"].value.value == 100.0
    assert c2.rows["spam_on_time_rate"].value.value is None
    assert c2.rows["spam_on_time_rate"].status == "no_data"

    with UnitOfWork(factory) as uow:
        objectives.set_objective(
            uow, "spam_handling_rate", target=80.0, threshold=70.0, by="admin", now=END
        )
        again = indicator_figures.indicator_report(uow, SEPTEMBER, "P")
    assert again.root.rows["spam_handling_rate"].status == "warning"

    answer = api.as_("super1").get(
        "/api/v1/reports/monthly", params={"date": "2026-09-15", "format": "xlsx", "region": "P"}
    )
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content))["indicators"]
    values = {row[0]: row[3] for row in sheet.iter_rows(values_only=True)}
    assert values["spam_reports_per_million"] == pytest.approx(3.6)
    assert values["spam_handling_rate"] == pytest.approx(75.0)
    assert values["spam_on_time_rate"] == pytest.approx(200 / 3)
