"""Average handle time in working hours (DOMAIN.md §4), on both engines: the working minutes
recorded on each work order, never wall-clock hours, and a stage without them left out and
counted rather than taken as 0 hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from careloop.domain.indicators.periods import period_of
from careloop.services.access.actors import actor_for
from careloop.services.complaints import lifecycle, work_orders
from careloop.services.indicators import figures as si
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import WorkOrder
from tests.integration.reports.test_outcomes_and_handle_time import _accept

DAY = date(2026, 9, 28)
T0 = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_handle_time_is_in_working_hours_and_unrecorded_stages_are_left_out(factory):  # type: ignore[no-untyped-def]
    # dispatched Monday 16:30 local, finished Tuesday 10:30 local: 18 wall-clock hours, of
    # which only the evening and the morning fall in business hours
    dispatched = datetime(2026, 9, 28, 8, 30, tzinfo=UTC)
    finished = dispatched + timedelta(hours=18)
    with UnitOfWork(factory) as uow:
        agent = actor_for(uow, "agent1")
        c = _accept(uow, "13800000011", "broadband.outage", "C1-K2", T0)
        c = lifecycle.handle(uow, c.id, agent, c.version, T0 + timedelta(minutes=5))
        order = work_orders.dispatch(
            uow, c.id, agent, c.version, dispatched, "C1-K2-NET", "查", due_hours=24
        )
        net = actor_for(uow, "net2")
        order = work_orders.accept(uow, order.id, net, order.version, dispatched)
        work_orders.complete(uow, order.id, net, order.version, finished, "已修复")
        uow.session.expire_all()
        minutes = uow.session.scalar(select(WorkOrder.work_minutes))
        assert minutes is not None and 0 < minutes < 18 * 60

        week = period_of("week", DAY)
        rows = si.indicator_report(uow, week).root.rows
        assert rows["work_order_handle_time"].value.value == pytest.approx(minutes / 60)
        assert rows["average_handle_time"].indicator.name_zh == "平均处理时长（工作小时）"
        assert rows["average_handle_time"].indicator.name_en == (
            "Average handle time (working hours)"
        )

        # a work order finished before working minutes were recorded: left out, counted
        uow.session.execute(update(WorkOrder).values(work_minutes=None))
        uow.commit()
        report = si.indicator_report(uow, week)
        assert report.root.rows["work_order_handle_time"].value.value is None  # not 0 hours
        assert report.root.tally.untimed == 1
