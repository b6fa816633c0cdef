"""Two real `careloop worker` processes share one sweep on PostgreSQL (issue 3 acceptance).

1 000 complaints are past their limit. The sweep is enqueued twice — as if two schedulers
fired for the same minute — so both workers evaluate the same complaints at the same time.
Every breach must be recorded exactly once and every escalation notice written exactly once;
the database's unique constraints, not luck, make it so. Time is fixed with --now.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Notification, SlaAlert
from tests.integration.sla.conftest import bulk_complaints, short_policy

COUNT = 1000
T0 = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
CAREOOP = [sys.executable, "-m", "careloop.cli"]


def _careloop(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CAREOOP, *args],
        env=env,
        cwd=Path(__file__).parents[3],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


REPLY_ALERTS = SlaAlert.subject.like("%:reply")
"""The short policy's reply clock. A worker also runs the minute's periodic sweep at the
real time, by which the complaints' regulatory 15-day limit (``outer_reply``) has long run
out too; this test is about the reply clock swept at NOW."""
REPLY_NOTICES = Notification.alert_id.in_(select(SlaAlert.id).where(REPLY_ALERTS))


def _counts(factory, column, *where):  # type: ignore[no-untyped-def]
    reply_only = REPLY_ALERTS if column.class_ is SlaAlert else REPLY_NOTICES
    with UnitOfWork(factory) as uow:
        return dict(
            uow.session.execute(
                select(column, func.count()).where(reply_only, *where).group_by(column)
            ).all()
        )


@pytest.mark.postgres
def test_two_worker_processes_record_each_breach_and_escalation_exactly_once(
    database_url: str, factory
):  # type: ignore[no-untyped-def]
    if not database_url.startswith("postgresql"):
        pytest.skip("the shared queue runs on PostgreSQL")
    policy = short_policy(factory, T0)
    bulk_complaints(factory, policy.id, COUNT, T0)
    env = {**os.environ, "CARELOOP_DATABASE_URL": database_url, "CARELOOP_NOTIFY": "recording"}

    for _ in range(2):  # two plans for the same minute: every chunk is queued twice
        plan = _careloop(
            "sla", "sweep", "--enqueue", "--chunk-size", "25", "--now", NOW.isoformat(), env=env
        )
        out, _ = plan.communicate(timeout=120)
        assert plan.returncode == 0, out

    workers = [_careloop("worker", "--once", "--name", f"w{i}", env=env) for i in (1, 2)]
    for worker in workers:
        out, _ = worker.communicate(timeout=900)  # a hang guard: 5000 queued events too
        assert worker.returncode == 0, out

    alerts = _counts(factory, SlaAlert.kind)
    assert alerts == {
        "warning": COUNT,
        "breach": COUNT,
        "escalation:1": COUNT,
        "escalation:2": COUNT,
        "escalation:3": COUNT,
        "escalation:4": COUNT,
    }
    # Each complaint breached once, not merely 1 000 breaches in total.
    with UnitOfWork(factory) as uow:
        per_complaint = uow.session.execute(
            select(SlaAlert.complaint_id, func.count())
            .where(SlaAlert.kind == "breach", REPLY_ALERTS)
            .group_by(SlaAlert.complaint_id)
        ).all()
        workers_seen = set(
            uow.session.scalars(select(SlaAlert.recorded_by).where(REPLY_ALERTS).distinct())
        )
    assert len(per_complaint) == COUNT and {n for _, n in per_complaint} == {1}
    # owner agent1, unit lead lead1, city lead (lead1 again, another level), province super1
    notices = _counts(factory, Notification.recipient, Notification.kind == "escalation")
    assert notices == {"staff:agent1": COUNT, "staff:lead1": 2 * COUNT, "staff:super1": COUNT}
    assert _counts(factory, Notification.level, Notification.kind == "escalation") == {
        1: COUNT,
        2: COUNT,
        3: COUNT,
        4: COUNT,
    }
    assert _counts(factory, Notification.kind) == {"reminder": COUNT, "escalation": 4 * COUNT}
    assert len(workers_seen) == 2, workers_seen  # both processes took part

    # A restart sweeping the same minute again records and sends nothing new.
    again = _careloop("sla", "sweep", "--enqueue", "--now", NOW.isoformat(), env=env)
    again.communicate(timeout=120)
    rerun = _careloop("worker", "--once", env=env)
    out, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, out
    assert sum(_counts(factory, SlaAlert.kind).values()) == 6 * COUNT
    assert sum(_counts(factory, Notification.kind).values()) == 5 * COUNT
