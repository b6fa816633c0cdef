"""Responsibility cases on a real database: opened by a late complaint, decided, appealed,
and what they do to the unit's KPI scorecard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from careloop import bootstrap
from careloop.domain.errors import DomainError
from careloop.domain.indicators.periods import period_of
from careloop.domain.supervision.accountability import Penalty
from careloop.services.access.actors import SYSTEM, actor_for
from careloop.services.complaints import intake, lifecycle
from careloop.services.events import EventRegistry, InProcessQueue
from careloop.services.indicators import figures
from careloop.services.monitoring import reports
from careloop.services.sla import sweep as sla_sweep
from careloop.services.supervision import accountability as cases
from careloop.store.models import AccountabilityCase, OrgUnit

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Beijing
NOVEMBER = period_of("month", date(2026, 11, 1))


@pytest.fixture
def platform(database_url: str) -> Iterator[bootstrap.Platform]:
    """The real handlers, delivered in this process on both engines (the queue is transport)."""
    registry = EventRegistry()
    registry.queue = InProcessQueue(registry)
    built = bootstrap.build(database_url, events=registry)
    yield built
    built.dispose()


def _late_escalated_complaint(platform: bootstrap.Platform) -> int:
    """越级投诉 left unanswered: its breach alone opens a case."""
    draft = intake.NewComplaint(
        "hotline", "13812345678", "billing.dispute", "多扣费，已向管局申诉", "C1-K1",
        escalated=True,
    )  # fmt: skip
    with platform.unit_of_work() as uow:
        complaint = intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), NOW).complaint
    sla_sweep.sweep(platform.session_factory, NOW + timedelta(days=20))
    return complaint.id


def _a_late_one_among_good_ones(platform: bootstrap.Platform) -> int:
    """Three complaints answered and closed on time and one ordinary complaint whose breach
    escalates up the org tree: the unit scores well, but not perfectly."""
    with platform.unit_of_work() as uow:
        agent = actor_for(uow, "agent1")
        for n in range(3):
            draft = intake.NewComplaint("hotline", f"1381234567{n}", "billing.dispute",
                                        "多扣费", "C1-K1")  # fmt: skip
            done = intake.accept_complaint(uow, draft, agent, NOW).complaint
            lifecycle.reply(uow, done.id, agent, done.version, NOW + timedelta(hours=2), "已退费")
            lifecycle.callback(uow, done.id, agent, done.version, NOW + timedelta(hours=3), True)
        draft = intake.NewComplaint("hotline", "13900000000", "billing.dispute", "多扣费", "C1-K1")
        late = intake.accept_complaint(uow, draft, agent, NOW).complaint
    sla_sweep.sweep(platform.session_factory, NOW + timedelta(days=3))  # escalated to the city
    return late.id


def _unit_card(platform: bootstrap.Platform, code: str = "C1") -> figures.ScorecardRow:
    with platform.unit_of_work() as uow:
        rows = figures.unit_scorecards(uow, NOVEMBER, "P", actor_for(uow, "super1"))
    return next(r for r in rows if r.subject_code == code)


def test_a_breached_escalated_complaint_opens_one_case_against_its_owner(
    platform: bootstrap.Platform,
) -> None:
    complaint_id = _late_escalated_complaint(platform)
    sla_sweep.sweep(platform.session_factory, NOW + timedelta(days=30))  # more alerts, same case
    with platform.unit_of_work() as uow:
        found = list(uow.session.scalars(select(AccountabilityCase)))
        agent = actor_for(uow, "agent1")
        hotline = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == "C1-HOT"))
        assert hotline is not None
        mine = cases.list_cases(uow, agent, mine=True)
    assert [(c.source_kind, c.source_id, c.rule) for c in found] == [
        ("complaint", complaint_id, "escalated_overdue")
    ]
    assert (found[0].unit_id, found[0].staff_id) == (hotline.id, agent.staff_id)
    assert [c.id for c in mine.items] == [found[0].id]
    assert mine.items[0].status == "open"


def test_opening_is_idempotent_per_source(platform: bootstrap.Platform) -> None:
    with platform.unit_of_work() as uow:
        c1 = uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1"))
        assert c1 is not None
        source = cases.FindingRef("inspection", 7, "S-01")
        first = cases.open_case(uow, source=source, unit_id=c1, staff_id=None,
                                rule="inspection_failure", summary="营业厅未公示资费", actor=SYSTEM,
                                now=NOW)  # fmt: skip
        again = cases.open_case(uow, source=source, unit_id=c1, staff_id=None,
                                rule="service_attitude", summary="重复", actor=SYSTEM,
                                now=NOW)  # fmt: skip
        assert again.id == first.id and again.rule == "inspection_failure"
        count = uow.session.scalar(text("SELECT count(*) FROM accountability_cases"))
    assert count == 1


def test_an_ordinary_breach_opens_a_case_only_once_escalated_to_the_city(
    platform: bootstrap.Platform,
) -> None:
    draft = intake.NewComplaint("hotline", "13900000000", "billing.dispute", "多扣费", "C1-K1")
    with platform.unit_of_work() as uow:
        late = intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), NOW).complaint
    # No first contact within 24 h: breached, and told the owner and the unit lead at once.
    sla_sweep.sweep(platform.session_factory, NOW + timedelta(days=1, hours=1))
    with platform.unit_of_work() as uow:
        assert cases.list_cases(uow, SYSTEM).total == 0
    sla_sweep.sweep(platform.session_factory, NOW + timedelta(days=2, hours=1))  # the city
    with platform.unit_of_work() as uow:
        opened = cases.list_cases(uow, SYSTEM).items
    assert [(c.source.id, c.rule) for c in opened] == [(late.id, "reply_overdue")]


def test_a_decided_penalty_lowers_the_score_and_an_upheld_appeal_restores_it(
    platform: bootstrap.Platform,
) -> None:
    _a_late_one_among_good_ones(platform)
    before = _unit_card(platform).card
    assert not before.vetoed and before.score > 10
    with platform.unit_of_work() as uow:
        case = cases.list_cases(uow, actor_for(uow, "super1")).items[0]
        decided = cases.decide(
            uow, case.id,
            cases.Decision(case.version, 10.0, Decimal("2000"), veto=False, reason="金额加重"),
            actor_for(uow, "super1"), NOW + timedelta(days=21),
        )  # fmt: skip
    assert decided.status == "decided" and decided.penalty == Penalty(10.0, Decimal("2000.00"))
    lowered = _unit_card(platform).card
    assert lowered.score == pytest.approx(before.score - 10.0)
    assert not lowered.vetoed
    with platform.unit_of_work() as uow:
        assert cases.deductions_for(uow, _unit_id(uow, "C1"), NOVEMBER) == 10.0
        assert cases.deductions_for(uow, _unit_id(uow, "C2"), NOVEMBER) == 0.0
        appealed = cases.appeal(uow, case.id, decided.version, "系统故障导致未能按时答复",
                                actor_for(uow, "agent1"), NOW + timedelta(days=22))  # fmt: skip
        assert appealed.status == "appealed"
        final = cases.decide_appeal(
            uow, case.id, cases.AppealDecision(appealed.version, "upheld", "核实为计费系统故障"),
            actor_for(uow, "super1"), NOW + timedelta(days=23),
        )  # fmt: skip
    assert final.status == "final" and final.penalty == Penalty()
    assert _unit_card(platform).card.score == pytest.approx(before.score)
    assert [e.action for e in final.trail] == ["open", "decide", "appeal", "decide_appeal"]


def test_a_veto_zeroes_the_units_score_with_its_reason(platform: bootstrap.Platform) -> None:
    _a_late_one_among_good_ones(platform)
    with platform.unit_of_work() as uow:
        case = cases.list_cases(uow, actor_for(uow, "super1")).items[0]
        cases.decide(
            uow, case.id, cases.Decision(case.version, 10.0, Decimal("2000"), True, "屡次超时"),
            actor_for(uow, "super1"), NOW + timedelta(days=21),
        )  # fmt: skip
        reasons = cases.veto_events_for(uow, _unit_id(uow, "C1"), NOVEMBER)
    card = _unit_card(platform).card
    assert card.vetoed and card.score == 0.0
    assert reasons and reasons[0] in card.veto_reasons and case.number in reasons[0]
    with platform.unit_of_work() as uow:
        boss, later = actor_for(uow, "super1"), NOW + timedelta(days=22)
        monthly = reports.build_report(uow, "monthly", date(2026, 11, 30), "P", boss, now=later)
    table = next(t for t in monthly.tables if t.name == "accountability")
    assert [row[0] for row in table.rows] == [case.number]
    assert table.rows[0][1:] == [
        "甲市客服中心", "王坐席", "超时未答复", "已认定", 10.0, 2000.0, "是"
    ]  # fmt: skip
    kpi = next(t for t in monthly.tables if t.name == "kpi_units")
    assert any(case.number in row[4] for row in kpi.rows)  # the veto's reason, in the report


def test_only_the_person_concerned_or_their_lead_may_appeal_and_only_in_time(
    platform: bootstrap.Platform,
) -> None:
    _late_escalated_complaint(platform)
    decided_at = NOW + timedelta(days=21)  # Monday 23 November
    with platform.unit_of_work() as uow:
        case = cases.list_cases(uow, actor_for(uow, "super1")).items[0]
        case = cases.decide(uow, case.id, cases.Decision(case.version, 10.0, Decimal("2000"), True),
                            actor_for(uow, "super1"), decided_at)  # fmt: skip
        with pytest.raises(DomainError) as other:
            cases.appeal(uow, case.id, case.version, "不是我", actor_for(uow, "agent2"), decided_at)
        late = decided_at + timedelta(days=8)  # five working days ended on Monday 30th 24:00
        with pytest.raises(DomainError) as too_late:
            cases.appeal(uow, case.id, case.version, "理由", actor_for(uow, "agent1"), late)
        by_lead = cases.appeal(uow, case.id, case.version, "单位申诉",
                               actor_for(uow, "lead1"), late - timedelta(days=1))  # fmt: skip
    assert other.value.status == 404  # not hers: she cannot even see it
    assert too_late.value.code == "appeal_late" and "2026-12-01 00:00" in too_late.value.message()
    assert by_lead.status == "appealed"


def test_a_stale_version_conflicts_instead_of_overwriting(platform: bootstrap.Platform) -> None:
    _late_escalated_complaint(platform)
    with platform.unit_of_work() as uow:
        case = cases.list_cases(uow, actor_for(uow, "super1")).items[0]
        cases.dismiss(uow, case.id, case.version, "客户撤诉", actor_for(uow, "super1"), NOW)
        with pytest.raises(DomainError) as conflict:
            cases.decide(uow, case.id, cases.Decision(case.version, 1, Decimal(0), False, "x"),
                         actor_for(uow, "super1"), NOW)  # fmt: skip
    assert conflict.value.status == 409


def _unit_id(uow: object, code: str) -> int:
    found = uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))  # type: ignore[attr-defined]
    assert found is not None
    return int(found)


@pytest.mark.postgres
def test_a_queue_worker_opens_the_case_on_postgresql(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In production the opening is queued: the sweep's request only defers it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the shared queue runs on PostgreSQL")
    from careloop.jobs.queue import run_worker

    monkeypatch.setenv("CARELOOP_DATABASE_URL", database_url)
    platform = bootstrap.platform(database_url)  # the one the worker below uses too
    complaint_id = _late_escalated_complaint(platform)
    with platform.unit_of_work() as uow:
        assert cases.list_cases(uow, SYSTEM).total == 0  # deferred, not run in the sweep
    # Its own thread, as a worker process has (Procrastinate starts its own event loop).
    worker = threading.Thread(target=run_worker, args=(database_url, True, "cases-test"))
    worker.start()
    worker.join()
    with platform.unit_of_work() as uow:
        opened = cases.list_cases(uow, SYSTEM).items
    platform.dispose()
    assert [(c.source.kind, c.source.id) for c in opened] == [("complaint", complaint_id)]
