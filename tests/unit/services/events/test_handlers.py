"""The handlers bootstrap.py registers (no database is opened: engines connect lazily)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from careloop import bootstrap
from careloop.domain import events
from careloop.domain.events import DomainEvent

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def test_a_closed_complaint_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    platform = bootstrap.build("sqlite://")
    assert "careloop.bootstrap:log_closed_complaint" in platform.events.handlers(
        events.COMPLAINT_CLOSED
    )
    with caplog.at_level(logging.INFO, "careloop.events"):
        platform.events.publish(
            [DomainEvent(events.COMPLAINT_CLOSED, 7, None, "callback_satisfied", AT, 3)]
        )
    assert "complaint 7 closed by staff 3" in caplog.text
    platform.dispose()


def test_queued_handlers_go_through_procrastinate_on_postgresql_only() -> None:
    on_sqlite = bootstrap.build("sqlite://")
    on_postgres = bootstrap.build("postgresql+psycopg://careloop@127.0.0.1:1/none")
    assert on_sqlite.events.queue is None  # in process, right after the commit
    assert on_postgres.events.queue is not None
    for platform in (on_sqlite, on_postgres):
        platform.dispose()
