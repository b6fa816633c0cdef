"""Events after commit, with no database: an unbound session commits nothing but still runs
the unit of work's commit and rollback paths."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import sessionmaker

from careloop.domain import events
from careloop.domain.events import DomainEvent
from careloop.services.events import EventRegistry
from careloop.services.unit_of_work import EVENTS_KEY, UnitOfWork

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def closed(complaint_id: int = 7) -> DomainEvent:
    return DomainEvent(events.COMPLAINT_CLOSED, complaint_id, None, "callback_satisfied", AT, 3)


def unit_of_work(registry: EventRegistry) -> UnitOfWork:
    return UnitOfWork(sessionmaker(info={EVENTS_KEY: registry}))


class Recorder:
    def __init__(self) -> None:
        self.seen: list[DomainEvent] = []

    def __call__(self, event: DomainEvent) -> None:
        self.seen.append(event)


def test_an_event_reaches_its_handler_only_after_the_commit() -> None:
    registry, handler = EventRegistry(), Recorder()
    registry.on(events.COMPLAINT_CLOSED, handler)
    with unit_of_work(registry) as uow:
        uow.events.append(closed())
        assert handler.seen == []
        uow.commit()
        assert handler.seen == [closed()]
        uow.commit()  # a second commit publishes nothing twice
    assert handler.seen == [closed()]


def test_a_rolled_back_change_publishes_nothing() -> None:
    registry, handler = EventRegistry(), Recorder()
    registry.on(events.COMPLAINT_CLOSED, handler)
    with unit_of_work(registry) as uow:
        uow.events.append(closed())
        uow.rollback()
        uow.commit()
    assert handler.seen == []


def test_a_use_case_that_raises_publishes_nothing() -> None:
    registry, handler = EventRegistry(), Recorder()
    registry.on(events.COMPLAINT_CLOSED, handler)
    with pytest.raises(RuntimeError), unit_of_work(registry) as uow:
        uow.events.append(closed())
        raise RuntimeError("rule broken")
    assert handler.seen == []


def test_a_failing_handler_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry, handler = EventRegistry(), Recorder()

    def broken(event: DomainEvent) -> None:
        raise ConnectionError("gateway down")

    registry.on(events.COMPLAINT_CLOSED, broken)
    registry.on(events.COMPLAINT_CLOSED, handler)
    with caplog.at_level(logging.ERROR, "careloop.events"), unit_of_work(registry) as uow:
        uow.events.append(closed())
        uow.commit()  # does not raise: the change is committed whatever a listener does
    assert handler.seen == [closed()]
    assert "gateway down" in caplog.text


def test_only_the_handlers_of_the_event_run() -> None:
    registry, handler = EventRegistry(), Recorder()
    registry.on(events.COMPLAINT_REOPENED, handler)
    registry.publish([closed()])
    assert handler.seen == []


class HeldQueue:
    """A job queue that holds its jobs until a worker runs them."""

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry
        self.jobs: list[tuple[str, dict[str, object]]] = []

    def defer(self, handler: str, event: DomainEvent) -> None:
        self.jobs.append((handler, event.to_json()))

    def defer_all(self, jobs: list[tuple[str, DomainEvent]]) -> None:
        for handler, event in jobs:
            self.defer(handler, event)

    def work(self) -> None:
        while self.jobs:
            handler, payload = self.jobs.pop(0)
            self.registry.deliver(handler, DomainEvent.from_json(payload))


def test_a_queued_handler_runs_when_the_queue_delivers_it() -> None:
    registry, handler = EventRegistry(), Recorder()
    queue = HeldQueue(registry)
    registry.queue = queue
    registry.on(events.COMPLAINT_CLOSED, handler, queued=True)
    with unit_of_work(registry) as uow:
        uow.events.append(closed())
        uow.commit()
    assert handler.seen == []
    assert [name for name, _ in queue.jobs] == registry.handlers(events.COMPLAINT_CLOSED)
    queue.work()
    assert handler.seen == [closed()]


def test_without_a_queue_a_queued_handler_runs_in_process_after_the_commit() -> None:
    registry, handler = EventRegistry(), Recorder()
    registry.on(events.COMPLAINT_CLOSED, handler, queued=True)
    registry.publish([closed()])
    assert handler.seen == [closed()]


def test_a_queue_that_refuses_a_job_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    class DownQueue:
        def defer(self, handler: str, event: DomainEvent) -> None:
            raise OSError("queue unreachable")

        def defer_all(self, jobs: list[tuple[str, DomainEvent]]) -> None:
            raise OSError("queue unreachable")

    registry, handler = EventRegistry(), Recorder()
    registry.queue = DownQueue()
    registry.on(events.COMPLAINT_CLOSED, handler, queued=True)
    with caplog.at_level(logging.ERROR, "careloop.events"):
        registry.publish([closed()])
    assert handler.seen == []
    assert "queue unreachable" in caplog.text
