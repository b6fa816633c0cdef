"""The demo's quarter of mystery-shopper visits across the province (SQLite, the real
province org, no complaints): every store visited once, scores spread sensibly with a few
failing stores, a store and city ranking, rectification tasks for the failed items, and
90 days of dial tests feeding each hotline's 拨测接通率."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careloop.demo.inspections import WEAK_STORES, load_inspection_quarter, store_plans
from careloop.demo.load import load_province
from careloop.demo.province import build_province
from careloop.services.access.actors import actor_for
from careloop.services.supervision import scores
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade
from careloop.store.models import DialTest, Inspection
from careloop.store.models.rectification import RectificationTask

END = datetime(2026, 11, 27, 16, 20, tzinfo=UTC)
SEED = 20261116


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    path: Path = tmp_path_factory.mktemp("inspection-demo") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    province = build_province()
    with UnitOfWork(factory) as uow:
        load_province(uow, province)
    said = load_inspection_quarter(factory, province, END, SEED)
    yield factory, said
    engine.dispose()


def test_every_store_is_visited_once_and_a_few_fail(demo):
    factory, said = demo
    stores = store_plans(build_province(), SEED)
    with UnitOfWork(factory) as uow:
        visits = uow.session.execute(
            select(Inspection.subject_id, Inspection.score, Inspection.compliant).where(
                Inspection.status == "submitted"
            )
        ).all()
    assert len(visits) == len(stores) and len({v.subject_id for v in visits}) == len(stores)
    failed = [v for v in visits if not v.compliant]
    assert WEAK_STORES <= len(failed) < len(visits) // 2
    scores_ = sorted(v.score for v in visits)
    assert scores_[0] < 70 and scores_[-1] == 100.0
    assert 80 <= sum(scores_) / len(scores_) <= 95
    assert said.startswith(f"inspections: {len(stores)} stores")


def test_the_quarter_yields_a_ranking_and_rectification_tasks(demo):
    factory, _ = demo
    with UnitOfWork(factory) as uow:
        supervisor = actor_for(uow, "supervisor1")
        start = (END - timedelta(days=95)).date()
        ranking = scores.store_ranking(uow, supervisor, start, END.date())
        cities = scores.region_ranking(uow, supervisor, start, END.date())
        failed_items = sum(
            len(items or ()) for items in uow.session.scalars(select(Inspection.failed_items))
        )
        tasks = uow.session.scalar(
            select(func.count()).where(RectificationTask.source_kind == "inspection")
        )
        hotlines = scores.hotline_ranking(uow, supervisor, start, END.date())
        calls = uow.session.scalar(select(func.count()).select_from(DialTest))
    assert ranking[0].rank == 1 and len(ranking) == len(store_plans(build_province(), SEED))
    assert ranking[0].mean_score >= ranking[-1].mean_score
    assert len(cities) == 11 and all(c.visits >= 3 for c in cities)
    assert tasks == failed_items > 0
    assert len(hotlines) == 11 and calls == 11 * 90 * 4
    rates = [h.answer_rate for h in hotlines]
    assert rates[0] > 90 and rates[-1] < rates[0]
