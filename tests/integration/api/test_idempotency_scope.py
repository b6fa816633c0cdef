"""An idempotency key belongs to the caller who sent it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import downgrade, upgrade
from careloop.store.models import Complaint
from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, complaint_body

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def _post(client, key: str, **overrides):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/complaints", json=complaint_body(**overrides), headers={"Idempotency-Key": key}
    )


def test_another_callers_key_neither_conflicts_nor_answers(api: Api):
    agent1, agent2 = api.as_("agent1"), api.as_("agent2")
    first = _post(agent1, "call-1")
    assert first.status_code == 201
    # The same key from a colleague is a different request: a new complaint, not 409 and
    # not agent1's complaint.
    theirs = _post(agent2, "call-1", description="另一位客户：手机无信号")
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != first.json()["id"]
    # Each caller's replay answers that caller's original result.
    again = _post(agent2, "call-1", description="另一位客户：手机无信号")
    assert again.status_code == 200 and again.json()["id"] == theirs.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    mine = _post(agent1, "call-1")
    assert mine.status_code == 200 and mine.json()["id"] == first.json()["id"]
    # The same caller changing the content under one key is still refused.
    assert_problem(_post(agent1, "call-1", description="改了内容"), 409, "idempotency_mismatch")


def test_batch_keys_are_the_callers_own(api: Api):
    body = {"items": [complaint_body(idempotency_key="feed-1")]}
    first = api.as_("agent1").post("/api/v1/complaints/batch", json=body)
    assert first.json()["items"][0]["result"] == "created"
    other = {"items": [complaint_body(idempotency_key="feed-1", description="别的投诉")]}
    second = api.as_("agent2").post("/api/v1/complaints/batch", json=other)
    assert second.json()["items"][0]["result"] == "created", second.text
    replay = api.as_("agent2").post("/api/v1/complaints/batch", json=other)
    assert replay.json()["items"][0]["result"] == "replayed"


def _import(url: str, path: Path, user: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "careloop.cli", "complaint", "import", str(path), "--as", user],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_two_people_importing_files_of_the_same_name_do_not_collide(
    database_url: str, tmp_path: Path
):
    for user, phone in (("agent1", "13812340001"), ("agent2", "13812340002")):
        folder = tmp_path / user
        folder.mkdir()
        path = folder / "今日投诉.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["phone", "category", "region", "description"])
            writer.writerow([phone, "billing.dispute", "C1-K1", f"{user} 的客户：多扣费"])
        done = _import(database_url, path, user)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.splitlines()[-1] == "created 1, replayed 0, errors 0"
        again = _import(database_url, path, user)
        assert again.stdout.splitlines()[-1] == "created 0, replayed 1, errors 0"


def test_the_migration_keeps_existing_keys_and_goes_both_ways(database_url: str):
    """Down to the global rule and up again with data in place, on both engines."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    draft = intake.NewComplaint("hotline", "13812345678", "broadband.outage", "断网", "C1-K1")
    with UnitOfWork(factory) as uow:
        intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), NOW, "k-1")
    engine.dispose()
    downgrade(database_url, "0009")
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        replay = intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), NOW, "k-1")
        assert not replay.created
    with UnitOfWork(factory) as uow:
        other = intake.accept_complaint(uow, draft, actor_for(uow, "agent2"), NOW, "k-1")
        assert other.created
    with UnitOfWork(factory) as uow:
        count = uow.session.scalar(select(func.count()).select_from(Complaint))
    engine.dispose()
    assert count == 2
