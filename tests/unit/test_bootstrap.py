"""The composition root, without a database (engines connect lazily)."""

from __future__ import annotations

import pytest

from careloop import bootstrap
from careloop.notify.adapters import RecordingAdapter
from careloop.services.events import EventRegistry


def test_the_process_platform_is_built_once_per_database() -> None:
    first = bootstrap.platform("sqlite:///:memory:")
    assert bootstrap.platform("sqlite:///:memory:") is first
    assert bootstrap.platform("sqlite://") is not first


def test_parts_can_be_replaced() -> None:
    recording = RecordingAdapter()
    registry = EventRegistry()
    platform = bootstrap.build("sqlite://", adapters={"sms": recording}, events=registry)
    assert platform.adapters == {"sms": recording}
    assert bootstrap.build("sqlite://", adapters={}).adapters == {}
    assert platform.events is registry
    with platform.unit_of_work() as uow:
        assert uow.session.info["careloop.events"] is registry
    platform.dispose()


def test_the_health_probe_asks_the_database() -> None:
    platform = bootstrap.build("sqlite://")
    platform.check_database()
    platform.dispose()


def test_urls_print_without_their_password() -> None:
    url = "postgresql+psycopg://careloop:s3cret@db:5432/careloop"
    assert "s3cret" not in bootstrap.redacted(url)
    assert bootstrap.backend_of(url) == "postgresql"
    assert bootstrap.queue_conninfo(url) == "postgresql://careloop:s3cret@db:5432/careloop"
    with pytest.raises(ValueError, match="PostgreSQL"):
        bootstrap.queue_conninfo("sqlite://")
