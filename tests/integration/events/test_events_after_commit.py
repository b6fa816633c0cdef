"""Domain events on a real database: the audit rows a use case commits are what listeners get."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from careloop import bootstrap
from careloop.domain import events
from careloop.domain.errors import DomainError
from careloop.domain.events import DomainEvent
from careloop.services.access.actors import actor_for
from careloop.services.complaints import audit, intake, lifecycle, work_orders
from careloop.services.events import EventRegistry
from careloop.services.sla import sweep as sla_sweep

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.seen: list[DomainEvent] = []

    def __call__(self, event: DomainEvent) -> None:
        self.seen.append(event)


@pytest.fixture
def heard(database_url: str) -> Iterator[tuple[bootstrap.Platform, Recorder]]:
    recorder = Recorder()
    registry = EventRegistry()
    for name in (events.COMPLAINT_ACCEPTED, events.COMPLAINT_REPLIED, events.COMPLAINT_CLOSED):
        registry.on(name, recorder)
    platform = bootstrap.build(database_url, events=registry)
    yield platform, recorder
    platform.dispose()


def test_the_loop_publishes_accepted_replied_and_closed_after_each_commit(
    heard: tuple[bootstrap.Platform, Recorder],
) -> None:
    platform, recorder = heard
    draft = intake.NewComplaint("hotline", "13812345678", "billing.dispute", "多扣费", "C1-K1")
    with platform.unit_of_work() as uow:
        agent = actor_for(uow, "agent1")
        complaint = intake.accept_complaint(uow, draft, agent, NOW).complaint
        assert [e.name for e in recorder.seen] == [events.COMPLAINT_ACCEPTED]
        lifecycle.reply(uow, complaint.id, agent, complaint.version, NOW, "已退还多扣的话费")
        lifecycle.callback(uow, complaint.id, agent, complaint.version, NOW, True)
    assert [e.name for e in recorder.seen] == [
        events.COMPLAINT_ACCEPTED,
        events.COMPLAINT_REPLIED,
        events.COMPLAINT_CLOSED,
    ]
    closed = recorder.seen[-1]
    assert (closed.complaint_id, closed.actor_id) == (complaint.id, agent.staff_id)
    assert closed.payload["status"] == "closed"


def test_a_refused_change_publishes_nothing(heard: tuple[bootstrap.Platform, Recorder]) -> None:
    platform, recorder = heard
    draft = intake.NewComplaint("hotline", "13812345678", "billing.dispute", "多扣费", "C1-K1")
    with platform.unit_of_work() as uow:
        agent = actor_for(uow, "agent1")
        complaint = intake.accept_complaint(uow, draft, agent, NOW).complaint
    recorder.seen.clear()
    with pytest.raises(DomainError), platform.unit_of_work() as uow:
        lifecycle.callback(uow, complaint.id, agent, complaint.version, NOW, True)
    assert recorder.seen == []


def test_an_audit_row_flushed_then_rolled_back_publishes_nothing(
    heard: tuple[bootstrap.Platform, Recorder],
) -> None:
    platform, recorder = heard
    draft = intake.NewComplaint("hotline", "13812345678", "billing.dispute", "多扣费", "C1-K1")
    with platform.unit_of_work() as uow:
        agent = actor_for(uow, "agent1")
        complaint = intake.accept_complaint(uow, draft, agent, NOW).complaint
        recorder.seen.clear()
        uow.session.add(audit.record(complaint, agent, "reply", NOW, after={"status": "replied"}))
        uow.session.flush()  # the row reached the database, inside the transaction
        uow.rollback()
        uow.commit()
    assert recorder.seen == []


def test_a_work_order_publishes_its_dispatch_and_completion(database_url: str) -> None:
    recorder, registry = Recorder(), EventRegistry()
    for name in (events.COMPLAINT_DISPATCHED, events.WORK_ORDER_DISPATCHED,
                 events.WORK_ORDER_COMPLETED):  # fmt: skip
        registry.on(name, recorder)
    platform = bootstrap.build(database_url, events=registry)
    draft = intake.NewComplaint("hotline", "13812345678", "broadband.outage", "断网", "C1-K1")
    with platform.unit_of_work() as uow:
        agent, handler = actor_for(uow, "agent1"), actor_for(uow, "net1")
        complaint = intake.accept_complaint(uow, draft, agent, NOW).complaint
        order = work_orders.dispatch(uow, complaint.id, agent, complaint.version, NOW, "C1-K1-NET")
        work_orders.complete(uow, order.id, handler, order.version, NOW, "更换光猫")
    platform.dispose()
    assert [(e.name, e.work_order_id) for e in recorder.seen] == [
        (events.COMPLAINT_DISPATCHED, None),
        (events.WORK_ORDER_DISPATCHED, order.id),
        (events.WORK_ORDER_COMPLETED, order.id),
    ]


def test_a_breach_is_published_once_after_the_sweep_commits_it(database_url: str) -> None:
    recorder, registry = Recorder(), EventRegistry()
    registry.on(events.COMPLAINT_BREACHED, recorder)
    registry.on(events.COMPLAINT_ESCALATED, recorder)
    platform = bootstrap.build(database_url, events=registry)
    draft = intake.NewComplaint("hotline", "13812345678", "billing.dispute", "多扣费", "C1-K1")
    with platform.unit_of_work() as uow:
        complaint = intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), NOW).complaint
    late = NOW + timedelta(days=40)
    sla_sweep.sweep(platform.session_factory, late)
    breaches = [e for e in recorder.seen if e.name == events.COMPLAINT_BREACHED]
    assert breaches and {e.complaint_id for e in breaches} == {complaint.id}
    assert all(e.at == late and e.payload["kind"] == "breach" for e in breaches)
    heard_once = list(recorder.seen)
    sla_sweep.sweep(platform.session_factory, late)  # already recorded: nothing new to tell
    platform.dispose()
    assert recorder.seen == heard_once


CLOSED_BY_THE_QUEUE: list[DomainEvent] = []


def remember_closed(event: DomainEvent) -> None:
    """A queued handler: module-level, so a worker finds it by name."""
    CLOSED_BY_THE_QUEUE.append(event)


@pytest.mark.postgres
def test_a_queued_handler_runs_in_a_queue_worker_on_postgresql(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the shared queue runs on PostgreSQL")
    from careloop.jobs.queue import run_worker

    monkeypatch.setenv("CARELOOP_DATABASE_URL", database_url)
    platform = bootstrap.platform(database_url)  # the one the worker below uses too
    platform.events.on(events.COMPLAINT_CLOSED, remember_closed, queued=True)
    CLOSED_BY_THE_QUEUE.clear()
    draft = intake.NewComplaint("hotline", "13812345678", "billing.dispute", "多扣费", "C1-K1")
    with platform.unit_of_work() as uow:
        agent = actor_for(uow, "agent1")
        complaint = intake.accept_complaint(uow, draft, agent, NOW).complaint
        lifecycle.reply(uow, complaint.id, agent, complaint.version, NOW, "已退还多扣的话费")
        lifecycle.callback(uow, complaint.id, agent, complaint.version, NOW, True)
    assert CLOSED_BY_THE_QUEUE == []  # deferred, not run in the request
    # Its own thread, as a worker process has: the e2e tests' session-wide Playwright keeps
    # an event loop running in this one, and Procrastinate's worker starts its own loop.
    worker = threading.Thread(target=run_worker, args=(database_url, True, "events-test"))
    worker.start()
    worker.join()
    assert [e.complaint_id for e in CLOSED_BY_THE_QUEUE] == [complaint.id]
    platform.dispose()
