"""The demo's accountability and rectification work (demo/supervision_cases.py): every
state of a responsibility case and of a rectification task is there to explore after one
load, made through the services, and a decided penalty shows on its unit's scorecard.

One demo with the storyline (its late escalated complaints are the cases' source) on
SQLite, loaded once for the module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from careloop.demo.load import load_demo
from careloop.demo.storyline import SHANGHAI, STORY_MIN_COUNT
from careloop.domain.indicators.periods import period_of
from careloop.services.access.actors import actor_for
from careloop.services.indicators import figures
from careloop.services.supervision import accountability as cases
from careloop.services.supervision import rectification as tasks
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade
from careloop.store.models import OrgUnit

END = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UnitOfWork, list[str]]]:
    path: Path = tmp_path_factory.mktemp("supervision-demo") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    said: list[str] = []
    load_demo(factory, count=STORY_MIN_COUNT, days=14, seed=5, end=END, progress=said.append)
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
