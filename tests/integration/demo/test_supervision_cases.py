"""The demo's accountability and rectification work (demo/supervision_cases.py): every
state of a responsibility case and of a rectification task is there to explore after one
load, made through the services, and a decided penalty shows on its unit's scorecard. The
same load's month of spam governance (demo/spam.py) is checked here too: loading the demo
is the expensive part.

One demo with the storyline (its late escalated complaints are the cases' source) on
SQLite, loaded once for the module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careloop.demo import spam as spam_demo
from careloop.demo.load import load_demo
from careloop.demo.storyline import SHANGHAI, STORY_MIN_COUNT
from careloop.domain.indicators.periods import period_of
from careloop.domain.permissions import in_scope
from careloop.services.access.actors import actor_for
from careloop.services.indicators import figures
from careloop.services.spam import enforcement as spam_cases
from careloop.services.spam import ports as spam_ports
from careloop.services.spam import reports as spam_reports
from careloop.services.supervision import accountability as cases
from careloop.services.supervision import rectification as tasks
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade
from careloop.store.models import OrgUnit
from careloop.store.models.spam import SpamReport, SpamReportLabel

END = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UnitOfWork, list[str]]]:
    path: Path = tmp_path_factory.mktemp("supervision-demo") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    said: list[str] = []
    advanced: list[tuple[int, int]] = []
    load_demo(
        factory,
        count=STORY_MIN_COUNT,
        days=14,
        seed=5,
        end=END,
        progress=said.append,
        advance=lambda done, total: advanced.append((done, total)),
    )
    # The progress bar hears the complaints go in, in order, up to all of them.
    assert advanced and advanced[-1][0] == advanced[-1][1] > 0
    assert [done for done, _ in advanced] == sorted({done for done, _ in advanced})
    with UnitOfWork(factory) as uow:
        yield uow, said
    engine.dispose()


def test_responsibility_cases_in_every_state(demo) -> None:  # type: ignore[no-untyped-def]
    uow, said = demo
    boss = actor_for(uow, "supervisor1")
    listed = cases.list_cases(uow, boss, "zh", limit=200).items
    by_status: dict[str, list[cases.CaseView]] = {}
    for case in listed:
        by_status.setdefault(case.status, []).append(case)
    assert {"open", "decided", "appealed", "dismissed"} <= by_status.keys()
    decided = by_status["decided"]
    assert len(decided) == 2 and any(c.penalty.veto for c in decided)
    lighter = next(c for c in decided if not c.penalty.veto)
    assert lighter.penalty.points > 0 and lighter.decision_reason  # differs: reason written
    appealed = by_status["appealed"][0]
    assert appealed.appeal_reason and appealed.penalty.points > 0  # stands until the ruling
    assert by_status["dismissed"][0].penalty.is_none
    kinds = {c.source.kind for c in listed}
    assert kinds == {"complaint", "rectification"}
    assert any(line.startswith("supervision: cases (") for line in said)


def test_rectification_tasks_in_every_state(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    boss = actor_for(uow, "supervisor1")
    page = tasks.list_tasks(uow, boss, "zh", END, limit=200)
    states = {t.status for t in page.items}
    assert {"open", "submitted", "closed", "reopened"} <= states
    closed = [t for t in page.items if t.status == "closed"]
    assert closed and all(t.evidence_ref and t.actions_taken for t in closed)
    reopened = next(t for t in page.items if t.status == "reopened")
    assert reopened.cycle == 2 and reopened.due_at > END  # a new round, its clock afresh
    escalated = [t for t in page.items if t.escalation_level > 0]
    assert escalated and all(t.status in ("open", "in_progress") for t in escalated)
    opened = {c.source.id for c in cases.list_cases(uow, boss, "zh", limit=200).items
              if c.source.kind == "rectification"}  # fmt: skip
    assert opened == {t.id for t in escalated}  # each late task answers for it in a case


def test_a_decided_penalty_shows_on_its_units_scorecard(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    boss = actor_for(uow, "supervisor1")
    decided = cases.list_cases(uow, boss, "zh", "decided", limit=200).items
    period = period_of("month", END.astimezone(SHANGHAI).date())
    rows = figures.unit_scorecards(uow, period, None, boss, as_of=END)
    vetoed = next(c for c in decided if c.penalty.veto)
    assert any(vetoed.number in reason for r in rows for reason in r.card.veto_reasons)
    lighter = next(c for c in decided if not c.penalty.veto)
    unit_id = uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == lighter.unit_code))
    assert unit_id is not None
    assert cases.deductions_for(uow, unit_id, period) >= lighter.penalty.points


# --- the spam month ----------------------------------------------------------------------


def test_spam_campaigns_have_many_reporters_and_their_port_and_owner(demo) -> None:  # type: ignore[no-untyped-def]
    uow, said = demo
    boss = actor_for(uow, "supervisor1")
    big = spam_reports.list_campaigns(uow, boss, "zh", min_reporters=50).items
    offenders = {plan.port for plan in spam_demo.BIG}
    assert len(big) >= 5 and {c.port_number for c in big} <= offenders
    top = big[0]
    # The bank fraud went on from rotating mobiles after its port was closed: one campaign.
    assert top.port_number == "106900571886" and top.port_owner == "杭州云启信息技术有限公司"
    assert top.reporters >= 200
    mobiles = uow.session.scalar(
        select(func.count()).where(SpamReport.campaign_id == top.id, SpamReport.port_id.is_(None))
    )
    assert mobiles is not None and mobiles >= 20
    page = spam_reports.list_campaigns(uow, boss, "zh", limit=500)
    assert page.total >= 30  # and a long tail of small ones
    assert any(line.startswith("spam: 27 ports") for line in said)


def test_spam_reports_come_from_every_source_through_several_ports(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    sources = dict(
        uow.session.execute(
            select(SpamReport.source, func.count()).group_by(SpamReport.source)
        ).all()
    )
    assert set(sources) == {"complaint", "forwarded", "transfer_12321", "interception"}
    ported = uow.session.scalar(
        select(func.count(func.distinct(SpamReport.port_id))).where(SpamReport.port_id.is_not(None))
    )
    assert ported is not None and ported >= 10
    boss = actor_for(uow, "supervisor1")
    assert spam_ports.list_ports(uow, boss, "zh").total == len(spam_demo.PORTS)
    closed = spam_ports.list_ports(uow, boss, "zh", status="closed").items
    assert [p.number for p in closed] == ["106900571886"]  # the registry follows the case


def test_spam_serious_offenders_are_the_ports_that_ignored_consent_or_0000(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    rows = uow.session.execute(
        select(SpamReport.port_number, SpamReport.serious_reason, func.count())
        .where(SpamReport.serious.is_(True))
        .group_by(SpamReport.port_number, SpamReport.serious_reason)
    ).all()
    by_port = {(port, reason): n for port, reason, n in rows}
    assert by_port[("106595790321", "after_unsubscribe")] >= 10
    assert by_port[("1065757101111", "no_consent")] >= 3


def test_spam_enforcement_cases_are_in_every_state(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    boss = actor_for(uow, "supervisor1")
    listed = spam_cases.list_cases(uow, boss, "zh", END, limit=200).items
    by_status: dict[str, list[object]] = {}
    for case in listed:
        by_status.setdefault(case.status, []).append(case)
    assert set(by_status) == {
        "open", "warned", "throttled", "suspended", "appealed", "port_closed", "resolved",
    }  # fmt: skip
    assert all(len(found) == 1 for found in by_status.values())
    (late,) = spam_cases.list_cases(uow, boss, "zh", END, status="overdue").items
    assert late.port_number == "106595790321" and late.severity == "serious"
    assert late.escalation_level >= 1  # the sweep sent it to the unit's superior
    (appealed,) = by_status["appealed"]
    assert appealed.appellant and appealed.port_blocked  # suspended until the ruling  # type: ignore[attr-defined]
    (upheld,) = by_status["suspended"]
    assert upheld.appeal_outcome == "upheld"  # type: ignore[attr-defined]
    (closed,) = by_status["port_closed"]
    assert closed.port_state == "closed" and closed.evidence_ref  # type: ignore[attr-defined]


def test_every_demo_spam_report_is_within_the_month_and_its_city(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    start = END - timedelta(days=spam_demo.DAYS)
    first, last = uow.session.execute(
        select(func.min(SpamReport.received_at), func.max(SpamReport.received_at))
    ).one()
    assert start <= first.replace(tzinfo=UTC) and last.replace(tzinfo=UTC) < END
    cities = {
        path: code
        for path, code in uow.session.execute(
            select(OrgUnit.path, OrgUnit.code).where(OrgUnit.kind == "city")
        )
    }
    seen: set[str] = set()
    for (path,) in uow.session.execute(select(SpamReport.region_path).distinct()):
        city = [code for prefix, code in cities.items() if path.startswith(prefix)]
        assert len(city) == 1, path
        seen.add(city[0])
        lead = actor_for(uow, f"{city[0].split('-')[1].lower()}_lead")
        assert in_scope(path, lead.scope)
    assert len(seen) == len(cities)  # spread over every city


def test_staff_labelled_some_demo_reports_spam_and_some_not(demo) -> None:  # type: ignore[no-untyped-def]
    uow, _ = demo
    labels = dict(
        uow.session.execute(
            select(SpamReportLabel.spam, func.count()).group_by(SpamReportLabel.spam)
        ).all()
    )
    assert labels.get(True, 0) >= 3 and labels.get(False, 0) >= 3
