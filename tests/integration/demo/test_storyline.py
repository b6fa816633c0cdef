"""A fresh demo tells its story: yesterday's fibre cut flagged and answered, a hot spot,
breached and escalated complaints in every city, a repeat caller, a late work order and a
complaint a dissatisfied callback reopened (demo/storyline.py; the README points to each).

One small demo on SQLite, loaded just after local midnight: the hardest hour for a story
told relative to the day it is loaded (today has barely begun, all of it lies in the past).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from careloop.demo.load import load_demo
from careloop.demo.province import build_province
from careloop.demo.storyline import (
    FIBRE_CUT_CALLS,
    FIBRE_CUT_COUNTY,
    FRONT_AGENT,
    REPEAT_CALLER_COUNTY,
    REPEAT_CALLER_PHONE,
    SHANGHAI,
    STORY_MIN_COUNT,
)
from careloop.services.access.actors import actor_for
from careloop.services.complaints import workbench
from careloop.services.incidents import read_models as incident_views
from careloop.services.monitoring import early_warning as ews
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade
from careloop.store.models import Complaint, Event, Incident, OrgUnit, WorkOrder

END = datetime(2026, 11, 27, 16, 20, tzinfo=UTC)
"""00:20 on 28 November, Beijing time."""
YESTERDAY = END.astimezone(SHANGHAI).date() - timedelta(days=1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UnitOfWork]:
    path: Path = tmp_path_factory.mktemp("story") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    load_demo(factory, count=STORY_MIN_COUNT, days=35, seed=5, end=END)
    with UnitOfWork(factory) as uow:
        yield uow
    engine.dispose()


def test_yesterdays_daily_report_flags_the_fibre_cut_and_shows_a_hot_spot(demo: UnitOfWork):
    warning = ews.early_warning(demo, YESTERDAY)
    burst = [
        f
        for f in warning.flags
        if f.window == "day"
        and f.cell.region_code == FIBRE_CUT_COUNTY
        and f.cell.category == "broadband.outage"
    ]
    assert burst and burst[0].observed >= FIBRE_CUT_CALLS
    assert warning.hotspots
    texts = {
        c.id: c.description
        for c in demo.session.scalars(
            select(Complaint).where(Complaint.id.in_(warning.hotspots[0].recent_ids))
        )
    }
    assert all("光缆" in t or "升档" in t for t in texts.values())


def test_every_city_has_breached_and_escalated_open_complaints(demo: UnitOfWork):
    province = build_province()
    board = workbench.dashboard(demo, actor_for(demo, "supervisor1"), END)
    cities = {c.code for c in province.cities()}
    assert {code for code, n in board.by_region.items() if n.breached} >= cities
    escalated_in = set()
    for row in board.escalated:
        city = province.city_of(row.complaint.region.code)
        assert city is not None and row.complaint.escalated
        escalated_in.add(city.code)
    assert escalated_in == cities


def test_the_fibre_cut_incident_links_its_complaints_and_answered_them_at_once(
    demo: UnitOfWork,
):
    incident = demo.session.scalars(select(Incident)).one()
    view = incident_views.incident_view(demo, incident, actor_for(demo, "hz_lead"), "zh")
    assert view.status == "resolved"
    assert view.counts.linked >= FIBRE_CUT_CALLS
    assert view.counts.replied >= FIBRE_CUT_CALLS
    actions = [
        e.action
        for e in incident_views.incident_events(demo, incident.id, actor_for(demo, "hz_lead"))
    ]
    assert "bulk_reply" in actions
    replies = demo.session.scalars(
        select(Event).where(
            Event.action == "reply", Event.actor_id == actor_for(demo, "hz_agent1").staff_id
        )
    ).all()
    assert len([r for r in replies if r.note == incident.prepared_answer]) >= FIBRE_CUT_CALLS


def test_a_dissatisfied_callback_reopened_a_complaint_that_waits_for_its_reply(
    demo: UnitOfWork,
):
    reopened = [
        e.complaint_id
        for e in demo.session.scalars(select(Event).where(Event.action == "reopen"))
        if (e.after or {}).get("callback_satisfied") is False
    ]
    owner = actor_for(demo, FRONT_AGENT)
    open_ones = demo.session.scalars(
        select(Complaint).where(
            Complaint.id.in_(reopened),
            Complaint.first_owner_id == owner.staff_id,
            Complaint.status == "in_progress",
        )
    ).all()
    assert open_ones


def test_a_repeat_caller_chases_a_repair_whose_work_order_is_late(demo: UnitOfWork):
    calls = demo.session.scalars(
        select(Complaint)
        .where(Complaint.customer_phone == REPEAT_CALLER_PHONE)
        .order_by(Complaint.accepted_at)
    ).all()
    assert len(calls) == 3
    first = calls[0]
    assert first.repeat_of_id is None
    assert all(c.repeat_of_id in {first.id, calls[1].id} for c in calls[1:])
    assert all(c.status == "in_progress" for c in calls)
    network = demo.session.scalars(
        select(OrgUnit).where(OrgUnit.code == f"{REPEAT_CALLER_COUNTY}-NET")
    ).one()
    late = demo.session.scalars(
        select(WorkOrder).where(
            WorkOrder.complaint_id == first.id,
            WorkOrder.unit_id == network.id,
            WorkOrder.finished_at.is_(None),
            WorkOrder.due_at < END,
        )
    ).all()
    assert late
