"""The benchmark generator writes a consistent province into a migrated schema (not timing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from benchmarks.generate import OPEN, generate
from sqlalchemy import func, select

from careloop.store.database import make_engine
from careloop.store.models import Complaint, Event, OrgUnit, Staff, WorkOrder

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


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
            # Rows are readable through the ORM, time zone included.
            latest = conn.execute(select(func.max(Complaint.accepted_at))).scalar_one()
            assert latest is not None
    finally:
        engine.dispose()
