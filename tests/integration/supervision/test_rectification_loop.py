"""The rectification loop on the real databases (SQLite and PostgreSQL), time moved, no
sleeps: a finding opens one task with a deadline on the business calendar; closing without
evidence is refused; a failed re-inspection reopens it with a new deadline; a late task
escalates to the unit's superior once, however many sweeps run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from careloop.domain.errors import DomainError
from careloop.domain.events import DomainEvent
from careloop.services.access.actors import actor_for
from careloop.services.events import EventRegistry
from careloop.services.supervision import rectification as rect
from careloop.services.unit_of_work import EVENTS_KEY, UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Notification, OrgUnit
from careloop.store.models.rectification import RectificationAlert, RectificationEvent

MONDAY = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
"""10:00 in Beijing, three days before the National Day holiday (10-01 to 10-07)."""


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    yield sessions
    engine.dispose()


@pytest.fixture
def heard(factory) -> list[DomainEvent]:  # type: ignore[no-untyped-def]
    registry = EventRegistry()
    got: list[DomainEvent] = []
    for name in (
        "careloop.rectification.opened",
        "careloop.rectification.submitted",
        "careloop.rectification.closed",
        "careloop.rectification.reopened",
        "careloop.rectification.escalated",
    ):
        registry.on(name, got.append)
    factory.kw.setdefault("info", {})[EVENTS_KEY] = registry
    return got


def unit_id(uow: UnitOfWork, code: str) -> int:
    return uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))  # type: ignore[return-value]


def open_task(factory, item: str = "A3", now: datetime = MONDAY) -> rect.RectificationView:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        view = rect.open_rectification(
            uow,
            source=rect.FindingRef("inspection", 41, item),
            unit_id=unit_id(uow, "C1-K1-NET"),
            title="营业厅未公示资费标准",
            detail="暗访发现东区营业厅资费公示牌缺失",
            actor=actor_for(uow, "super1"),
            now=now,
        )
        uow.commit()
        return view


def act(factory, name: str, username: str, task: rect.RectificationView, now: datetime, **kw):  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        return rect.TRANSITIONS[name](
            uow, task.id, actor_for(uow, username), task.version, now, **kw
        )


def test_a_finding_opens_one_task_due_after_five_working_days_of_the_calendar(factory, heard):
    first = open_task(factory)
    again = open_task(factory, now=MONDAY + timedelta(hours=1))
    assert again.id == first.id and again.number == first.number
    # 09-29, 09-30, then the holiday; 10-08, 10-09 and the make-up Saturday 10-10.
    assert first.due_local == "2026-10-10 24:00"
    assert first.status == "open" and first.status_label == "待整改"
    assert first.source_label == "检查发现问题" and first.unit.code == "C1-K1-NET"
    assert [e.name for e in heard] == ["careloop.rectification.opened"]
    assert heard[0].payload["rectification_id"] == first.id
    with UnitOfWork(factory) as uow:
        rows = uow.session.scalars(select(RectificationEvent.action)).all()
    assert rows == ["open"]


def test_a_task_is_not_submitted_without_evidence(factory):
    task = open_task(factory)
    with pytest.raises(DomainError) as refused:
        act(
            factory, "submit", "net1", task, MONDAY, actions_taken="已补挂公示牌", evidence_ref="  "
        )
    assert refused.value.code == "rectification_evidence_required"
    assert refused.value.status == 422
    assert "佐证" in refused.value.message("zh")
    done = act(factory, "submit", "net1", task, MONDAY, actions_taken="已补挂公示牌",
               evidence_ref="photo://store-17/2026-09-28.jpg")  # fmt: skip
    assert done.status == "submitted" and done.remaining == "按时提交"


def test_a_failed_re_inspection_reopens_with_a_new_deadline_and_a_pass_closes(factory, heard):
    task = open_task(factory)
    task = act(factory, "start", "net1", task, MONDAY)
    task = act(factory, "submit", "net1", task, MONDAY + timedelta(hours=3),
               actions_taken="已补挂", evidence_text="公示牌已挂在入口处")  # fmt: skip
    with pytest.raises(DomainError) as own_check:
        act(factory, "confirm", "net1", task, MONDAY + timedelta(hours=4))
    assert own_check.value.code == "role_not_allowed"
    failed_at = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # Friday
    reopened = act(factory, "fail", "super1", task, failed_at, reason="公示内容已过期")
    assert reopened.status == "reopened" and reopened.cycle == 2
    # Counted again from the failed check: 10-10 (make-up), 10-12 … 10-15.
    assert reopened.due_local == "2026-10-15 24:00"
    assert reopened.check_note == "公示内容已过期"
    again = act(factory, "submit", "net1", reopened, failed_at + timedelta(days=1),
                actions_taken="更新资费", evidence_ref="file://notice-v2.pdf")  # fmt: skip
    closed = act(factory, "confirm", "super1", again, failed_at + timedelta(days=2))
    assert closed.status == "closed" and closed.status_label == "已销号"
    assert [e.name.rsplit(".", 1)[1] for e in heard] == [
        "opened", "submitted", "reopened", "submitted", "closed",
    ]  # fmt: skip


def test_a_stale_version_conflicts(factory):
    task = open_task(factory)
    act(factory, "start", "net1", task, MONDAY)
    with pytest.raises(DomainError) as stale:
        act(factory, "note", "net1", task, MONDAY, text="再次备注")
    assert stale.value.code == "version_conflict"


def test_a_late_task_escalates_to_the_superior_once(factory, heard):
    task = open_task(factory)
    with UnitOfWork(factory) as uow:
        assert rect.escalate_late(uow, datetime(2026, 10, 10, 15, 59, tzinfo=UTC)).escalated == 0
    late = datetime(2026, 10, 10, 16, 1, tzinfo=UTC)
    assert rect.sweep(factory, late) == {"rectifications_late": 1, "rectifications_escalated": 1}
    assert rect.sweep(factory, late + timedelta(hours=2))["rectifications_escalated"] == 0
    with UnitOfWork(factory) as uow:
        view = rect.get_task(uow, task.id, actor_for(uow, "lead1"), "zh", late)
        alerts = uow.session.scalar(select(func.count()).select_from(RectificationAlert))
        messages = uow.session.scalars(
            select(Notification.recipient).where(Notification.kind == "escalation")
        ).all()
        trail = uow.session.scalars(select(RectificationEvent.action)).all()
    assert alerts == 1 and trail == ["open", "escalate"]
    assert view.escalation_level == 1 and view.escalated_to is not None
    assert view.escalated_to.code == "C1-K1"  # the network department's county
    assert view.overdue and view.remaining.startswith("超时")
    assert messages == ["unit:C1-K1"]
    escalated = [e for e in heard if e.name == "careloop.rectification.escalated"]
    assert len(escalated) == 1 and escalated[0].payload["level"] == 1
    assert escalated[0].payload["escalated_to_unit_id"] == view.escalated_to.id


def test_another_county_neither_sees_nor_acts_on_the_task(factory):
    task = open_task(factory)
    with UnitOfWork(factory) as uow:
        other = actor_for(uow, "net2")
        assert rect.list_tasks(uow, other, "zh", MONDAY).total == 0
        with pytest.raises(DomainError) as hidden:
            rect.get_task(uow, task.id, other, "zh", MONDAY)
    assert hidden.value.status == 404


def test_the_job_runners_round_escalates_a_late_task(factory, database_url):
    from careloop.jobs.runner import InProcessRunner

    open_task(factory)
    round_ = InProcessRunner(database_url).run_once(datetime(2026, 10, 11, 1, 0, tzinfo=UTC))
    assert round_["rectifications_escalated"] == 1
    again = InProcessRunner(database_url).run_once(datetime(2026, 10, 11, 2, 0, tzinfo=UTC))
    assert again["rectifications_escalated"] == 0 and again["rectifications_late"] == 1


def test_the_trail_refuses_to_be_rewritten(factory):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    open_task(factory)
    for statement in (update(RectificationEvent).values(note="改写"), delete(RectificationEvent)):
        with UnitOfWork(factory) as uow, pytest.raises(DBAPIError):
            uow.session.execute(statement)
