"""Schema and audit-trail guarantees that hold on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from careloop.demo.load import load_demo
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import downgrade, upgrade
from careloop.store.models import Complaint, Event, WorkOrder


def _draft() -> intake.NewComplaint:
    return intake.NewComplaint(
        channel="hotline",
        customer_phone="13800000000",
        category="billing.dispute",
        description="话费多扣了50元",
        region_code="C1-K1",
    )


def test_events_are_append_only(database_url: str):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        intake.accept_complaint(uow, _draft(), actor_for(uow, "agent1"), datetime.now(UTC))
    for statement in ("UPDATE events SET action = 'forged'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with UnitOfWork(factory) as uow:
        assert [e.action for e in uow.session.scalars(select(Event))] == ["accept"]
    engine.dispose()


def test_migrations_go_down_and_up_again(database_url: str):
    downgrade(database_url, "base")
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaints")).scalar() == 0
    engine.dispose()


def test_times_come_back_timezone_aware_utc(database_url: str):
    engine = make_engine(database_url)
    accepted = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
    with UnitOfWork(make_session_factory(engine)) as uow:
        intake.accept_complaint(uow, _draft(), actor_for(uow, "agent1"), accepted)
    with UnitOfWork(make_session_factory(engine)) as uow:
        stored = uow.session.scalar(select(Complaint))
        assert stored is not None and stored.accepted_at == accepted
        assert stored.accepted_at.utcoffset() is not None
    engine.dispose()


def test_demo_plans_replay_through_the_services(tmp_path):
    """A small demo on an empty database: every plan obeys the lifecycle and is audited."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    message = load_demo(factory, count=300, days=30, seed=7, end=datetime(2026, 11, 1, tzinfo=UTC))
    assert "300 complaints" in message
    with UnitOfWork(factory) as uow:
        s = uow.session
        assert s.scalar(select(Complaint).limit(1)) is not None
        statuses = set(s.scalars(select(Complaint.status)))
        assert {"archived", "in_progress"} <= statuses
        assert s.scalar(text("SELECT count(*) FROM complaints WHERE is_repeat")) > 0
        assert s.scalar(select(WorkOrder).limit(1)) is not None
        no_accept_event = s.scalar(
            text(
                "SELECT count(*) FROM complaints c WHERE NOT EXISTS "
                "(SELECT 1 FROM events e WHERE e.complaint_id = c.id AND e.action = 'accept')"
            )
        )
        assert no_accept_event == 0
    again = load_demo(
        factory,
        count=300,
        days=30,
        seed=7,
        end=datetime(2026, 11, 1, tzinfo=UTC),
        only_if_empty=True,
    )
    assert "already present" in again
    engine.dispose()
