"""The same jobs on a real queue: Procrastinate on PostgreSQL, shared by several workers.

Why Procrastinate (docs/sla.md): it is PostgreSQL-only, so it needs no broker beside the
database we already run; jobs are rows fetched with ``FOR UPDATE SKIP LOCKED``; periodic
jobs are deferred once per tick however many workers run (a unique periodic-defer row);
its schema ships with the pinned package and is applied by our migration 0002.

Job layout: ``sla.plan`` lists the complaints whose clocks need a look and defers one
``sla.sweep_chunk`` job per chunk, so several workers share a big sweep. Exactly-once of
warnings, breaches and escalation notices is *not* left to the queue: a job that runs twice
(retry, restart, two plans for the same minute) hits the database's unique constraints.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

import procrastinate
from procrastinate.testing import InMemoryConnector

from careloop import bootstrap, logs
from careloop.config import Settings
from careloop.domain.events import DomainEvent
from careloop.jobs.job_runs import recorded_run
from careloop.jobs.runner import worker_name
from careloop.services.sla import sweep as sla_sweep

QUEUES = ["sla", "notify", "events"]
CHUNK_SIZE = 50

blueprint = procrastinate.Blueprint()


def _database_url() -> str:
    return Settings.from_env().database_url


def _platform() -> bootstrap.Platform:
    return bootstrap.platform(_database_url())


def _parse_now(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else datetime.now(UTC)


def plan_chunks(database_url: str, now: datetime, chunk_size: int = CHUNK_SIZE) -> list[list[int]]:
    with bootstrap.platform(database_url).unit_of_work() as uow:
        ids = sla_sweep.candidate_ids(uow, now)
    return sla_sweep.chunks(ids, chunk_size)


@blueprint.task(name="sla.sweep_chunk", queue="sla")
def sweep_chunk(complaint_ids: list[int], now: str) -> dict[str, Any]:
    factory, moment = _platform().session_factory, datetime.fromisoformat(now)
    worker = f"queue:{worker_name()}"
    # Its duration, lag and failures are read back by /metrics (job_runs).
    with recorded_run(factory, "sla.sweep_chunk", moment, worker):
        report = sla_sweep.sweep_chunk(factory, complaint_ids, moment, worker=worker)
    return report.as_dict()


@blueprint.task(name="notify.deliver", queue="notify")
def deliver(now: str | None = None) -> int:
    platform = _platform()
    return sla_sweep.deliver_notifications(
        platform.session_factory, platform.adapters, _parse_now(now)
    )


@blueprint.task(name="sla.plan", queue="sla")
async def plan(now: str | None = None) -> int:
    """Fan the sweep out into chunk jobs that any worker may take."""
    moment = _parse_now(now)
    parts = await asyncio.to_thread(plan_chunks, _database_url(), moment)
    for part in parts:
        await sweep_chunk.defer_async(complaint_ids=part, now=moment.isoformat())
    await deliver.defer_async(now=moment.isoformat())
    return len(parts)


@blueprint.periodic(cron="* * * * *", periodic_id="sla-sweep")
@blueprint.task(name="sla.tick", queue="sla", queueing_lock="sla-tick")
async def tick(timestamp: int) -> int:
    """Every minute, once for all workers (Procrastinate dedups periodic defers)."""
    return await plan(now=datetime.fromtimestamp(timestamp, UTC).isoformat())  # type: ignore[no-any-return]


@blueprint.task(name="events.deliver", queue="events")
def deliver_event(handler: str, event: dict[str, Any], request_id: str | None = None) -> None:
    """One queued handler of one domain event (services/events.py), in whichever worker,
    under the id of the request that queued it: its log lines join that request's."""
    with logs.request_context(request_id):
        _platform().events.deliver(handler, DomainEvent.from_json(event))


def defer_event(database_url: str, handler: str, event: DomainEvent) -> None:
    """Queue one handler of one event: a slow or failing handler (a gateway down) runs in a
    worker, never in the request that committed the change.

    An app of its own, opened and closed here, not the process's task app: inside a worker
    (a sweep chunk that breaches complaints) lending the worker's app another connector
    would pull the open pool from under the worker's heartbeat and stop it. The task is
    deferred by name."""
    defer_events(database_url, [(handler, event)])


def defer_events(database_url: str, jobs: list[tuple[str, DomainEvent]]) -> None:
    """Queue the handlers of one commit's events over one connection (see `defer_event`)."""
    connector = procrastinate.PsycopgConnector(conninfo=bootstrap.queue_conninfo(database_url))
    app = procrastinate.App(connector=connector)
    request_id = logs.current_request_id()
    with app.open():
        app.configure_task("careloop:events.deliver", queue="events").batch_defer(
            *(
                {"handler": handler, "event": event.to_json(), "request_id": request_id}
                for handler, event in jobs
            )
        )


@cache
def _tasks_app() -> procrastinate.App:
    """Procrastinate binds a blueprint's tasks to the one app they join (renaming them), so
    a process builds that app once; `connected` lends it the connector of a database."""
    app = procrastinate.App(connector=InMemoryConnector())
    app.add_tasks_from(blueprint, namespace="careloop")
    return app


@contextmanager
def connected(database_url: str | None = None) -> Iterator[procrastinate.App]:
    """The queue of `database_url` (default: the settings')."""
    url = database_url or _database_url()
    # The queue's tasks find their database through Settings (`_database_url`), which reads
    # the environment first: set there, this process's tasks use the queue's database.
    os.environ.setdefault("CARELOOP_DATABASE_URL", url)
    connector = procrastinate.PsycopgConnector(conninfo=bootstrap.queue_conninfo(url))
    with _tasks_app().replace_connector(connector) as app:
        yield app


def enqueue_sweep(database_url: str, now: datetime, chunk_size: int = CHUNK_SIZE) -> int:
    """Defer the chunk jobs of one sweep at ``now`` from this process (CLI, tests)."""
    parts = plan_chunks(database_url, now, chunk_size)
    with connected(database_url) as app, app.open():
        for part in parts:
            app.configure_task("careloop:sla.sweep_chunk").defer(
                complaint_ids=part, now=now.isoformat()
            )
        app.configure_task("careloop:notify.deliver").defer(now=now.isoformat())
    return len(parts)


def run_worker(database_url: str, once: bool, name: str | None = None) -> None:
    """A queue worker; with ``once`` it stops when the queues are empty (tests, cron)."""
    # Set in the environment, above .env and careloop.toml: every task this worker runs reads
    # its database through Settings, and finds this one.
    os.environ["CARELOOP_DATABASE_URL"] = database_url
    with connected(database_url) as app:
        app.run_worker(
            queues=QUEUES,
            wait=not once,
            concurrency=1,
            name=name or worker_name(),
            install_signal_handlers=not once,
            listen_notify=not once,
        )


# --- the daily report (issue 6): 07:00 Asia/Shanghai = 23:00 UTC, once for all workers -----


@blueprint.periodic(cron="0 23 * * *", periodic_id="report-daily")
@blueprint.task(name="report.daily", queue="notify", queueing_lock="report-daily")
def daily_report(timestamp: int) -> dict[str, Any]:
    """Yesterday's early-warning daily report into the outbox, then deliver it."""
    from careloop.services.monitoring import reports

    moment = datetime.fromtimestamp(timestamp, UTC)
    platform = _platform()
    result = reports.daily_report_job(platform.session_factory, moment)
    sla_sweep.deliver_notifications(platform.session_factory, platform.adapters, moment)
    return result


# --- post-service surveys: the due ones every minute, once for all workers -----------------


@blueprint.periodic(cron="* * * * *", periodic_id="survey-send")
@blueprint.task(name="surveys.send_due", queue="notify", queueing_lock="survey-send")
def send_due_surveys(timestamp: int) -> dict[str, Any]:
    """Throttle and send the surveys due by the tick (services.surveys.sending)."""
    from careloop.jobs.runner import public_url
    from careloop.services.surveys import sending

    platform = _platform()
    moment = datetime.fromtimestamp(timestamp, UTC)
    report = sending.send_due_surveys(
        platform.session_factory, platform.adapters, moment, public_url()
    )
    return report.as_dict()


# --- rectification tasks: late ones escalate every minute, once for all workers ------------


@blueprint.periodic(cron="* * * * *", periodic_id="rectification-sweep")
@blueprint.task(name="rectification.sweep", queue="sla", queueing_lock="rectification-sweep")
def sweep_rectifications(timestamp: int) -> dict[str, int]:
    """Escalate the rectification tasks past their deadline by the tick (the in-process
    runner does the same in its round)."""
    from careloop.services.supervision import rectification

    return rectification.sweep(_platform().session_factory, datetime.fromtimestamp(timestamp, UTC))


# --- spam enforcement: open today's cases, escalate late ones, once for all workers --------


@blueprint.periodic(cron="*/5 * * * *", periodic_id="spam-enforcement-sweep")
@blueprint.task(name="spam_enforcement.sweep", queue="sla", queueing_lock="spam-enforcement-sweep")
def sweep_spam_enforcement(timestamp: int) -> dict[str, int]:
    """Every five minutes: a burst of reports about one port opens its case the same day
    (idempotent per port) and a case not acted on in time escalates (the in-process runner
    does the same in its round)."""
    from careloop.services.spam import enforcement_sweep

    moment = datetime.fromtimestamp(timestamp, UTC)
    return enforcement_sweep.sweep(_platform().session_factory, moment)


# --- spam port bursts: the early warning's same-day flag, once for all workers -------------


@blueprint.periodic(cron="*/5 * * * *", periodic_id="spam-burst-sweep")
@blueprint.task(name="spam_bursts.sweep", queue="sla", queueing_lock="spam-burst-sweep")
def sweep_spam_bursts(timestamp: int) -> dict[str, int]:
    """Every five minutes: a port whose reports burst today is flagged the same day, once
    per port and day, and its owner unit notified (the in-process runner does the same in
    its round)."""
    from careloop.services.spam import bursts

    return bursts.sweep(_platform().session_factory, datetime.fromtimestamp(timestamp, UTC))
