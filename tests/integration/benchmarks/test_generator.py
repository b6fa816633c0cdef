"""The benchmark generator writes a consistent province into a migrated schema (not timing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from benchmarks.generate import OPEN, generate
from sqlalchemy import func, select

from careloop.domain.lifecycle.tickets import WORK_ORDER_TRANSITIONS, WorkOrderStatus
from careloop.store.database import make_engine
from careloop.store.models import Complaint, Event, OrgUnit, Staff, WorkOrder

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WORK_ORDER_EVENTS = {"work_order_dispatched"} | {f"work_order_{n}" for n in WORK_ORDER_TRANSITIONS}


def _count(conn, query) -> int:  # type: ignore[no-untyped-def]
    return int(conn.scalar(query) or 0)


def test_generator_writes_complaints_with_history_into_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"

    first = generate(url, 300, now=NOW, days=120, batch_size=128)
    second = generate(url, 200, now=NOW, days=120)

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert _count(conn, select(func.count()).select_from(Complaint)) == 500
            assert _count(conn, select(func.count()).select_from(WorkOrder)) == (
                first.work_orders + second.work_orders
            )
            assert _count(conn, select(func.count()).select_from(Event)) == (
                first.events + second.events
            )
            # Every complaint has its acceptance event; every closed one its callback.
            accepts = select(func.count()).where(Event.action == "accept")
            callbacks = select(func.count()).where(Event.action == "callback")
            assert _count(conn, accepts) == 500
            assert _count(conn, callbacks) == first.callbacks + second.callbacks > 0
            satisfied = select(func.count()).where(Complaint.callback_satisfied.is_not(None))
            assert _count(conn, satisfied) == first.callbacks + second.callbacks
            open_now = select(func.count()).where(Complaint.status.in_(OPEN))
            assert _count(conn, open_now) == first.open + second.open
            # The org tree came from the demo province through the services.
            assert _count(conn, select(func.count()).select_from(OrgUnit)) > 100
            assert _count(conn, select(func.count()).select_from(Staff)) > 50
            # Only states and actions the services themselves write (the API reads them).
            statuses = set(conn.scalars(select(WorkOrder.status).distinct()))
            assert statuses and statuses <= {s.value for s in WorkOrderStatus}, statuses
            order_actions = set(
                conn.scalars(select(Event.action).where(Event.work_order_id.is_not(None)))
            )
            assert order_actions <= {"dispatch", *WORK_ORDER_EVENTS}, order_actions
            # Rows are readable through the ORM, time zone included.
            latest = conn.execute(select(func.max(Complaint.accepted_at))).scalar_one()
            assert latest is not None
    finally:
        engine.dispose()


def test_postgresql_grows_past_the_threshold_by_replicating_in_sql(pg_factory) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from careloop.services.access.actors import actor_for
    from careloop.services.complaints import intake
    from careloop.services.unit_of_work import UnitOfWork
    from careloop.store.database import make_session_factory

    if pg_factory is None:
        pytest.skip("PostgreSQL is not reachable")
    from benchmarks.generate import create_pg_database, drop_pg_database

    url = create_pg_database("t")
    try:
        base = generate(url, 300, now=NOW, days=120)
        grown = generate(url, 450, now=NOW, days=120, replicate_from=300)  # 1.5 copies
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                count = lambda q: _count(conn, q)  # noqa: E731
                assert count(select(func.count()).select_from(Complaint)) == 750
                assert grown.complaints == 450
                numbers = select(func.count(func.distinct(Complaint.number)))
                assert count(numbers) == 750
                # copies, not new rows: the texts are the 300 generated ones
                texts = select(func.count(func.distinct(Complaint.description)))
                assert count(texts) == 300
                open_now = select(func.count()).where(Complaint.status.in_(OPEN))
                # one whole copy and half a copy (the lowest ids) of the open backlog
                assert count(open_now) > base.open
                accepts = select(func.count()).where(Event.action == "accept")
                assert count(accepts) == 750
                orphans = select(func.count()).where(
                    Event.work_order_id.is_not(None),
                    Event.work_order_id.not_in(select(WorkOrder.id)),
                )
                assert count(orphans) == 0
                assert count(select(func.count()).select_from(WorkOrder)) == (
                    base.work_orders + grown.work_orders
                )
            # The sequences moved past the copies: the services insert after them.
            with UnitOfWork(make_session_factory(engine)) as uow:
                agent = actor_for(uow, "hz_agent1")
                draft = intake.NewComplaint(
                    channel="hotline",
                    customer_phone="13911112222",
                    category="billing.dispute",
                    description="复制之后受理",
                    region_code="ZJ-HZ-XH",
                )
                made = intake.accept_complaint(uow, draft, agent, NOW, "after-replication")
                assert made.complaint.id > 750
        finally:
            engine.dispose()
    finally:
        drop_pg_database(url)
