"""``/metrics`` in the Prometheus text format: request latency, complaints, outbox, jobs.

Two kinds of figure, kept apart on purpose:

- **Counted in the process**: ``careloop_http_request_duration_seconds``, a histogram by
  route *template* (``/api/v1/complaints/{complaint_id}``, never the raw path, so no id or
  phone number becomes a label), method and status class. With several uvicorn workers
  each process writes its own files under ``PROMETHEUS_MULTIPROC_DIR`` and whichever worker
  answers the scrape sums them all (prometheus_client's multiprocess mode; ``careloop serve
  --workers N`` makes the directory when none is configured).
- **Read from the database at scrape time** (:class:`DatabaseFigures`): complaints open,
  in warning and breached (the workbench's SLA rule), the outbox backlog, the job queue,
  and each scheduled job's last run (``job_runs``: the sweep's duration and lag, failures).
  The database is what every worker and container shares, so these need no summing.

Who may scrape: with ``CARELOOP_METRICS_TOKEN`` set, a caller sending it as a bearer token;
without one, loopback callers only. The figures are counts, never personal data.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careloop.api.security_headers import wrap_outermost
from careloop.config import Settings
from careloop.http.language import accept_language
from careloop.http.problems import problem
from careloop.services.observability.figures import figures
from careloop.services.observability.job_runs import SWEEP_JOBS, JobRunView

log = logging.getLogger("careloop.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""Read from the environment here, not through careloop.config.Settings: prometheus_client
itself reads this variable (once, at import, in every worker process), so the environment
is where it must be, and `prepare_multiprocess` sets it there for the workers to inherit."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
"""The route label of a request no route answered (a 404): the raw path never is one."""

REQUEST_SECONDS = Histogram(
    "careloop_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by route template, method "
    "and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

router = APIRouter(tags=["ops"])


def route_label(scope: Scope) -> str:
    """The template of the route that answered, as the router left it in the scope (a
    mount, the static files, does not leave one: it is found by its prefix)."""
    route = scope.get("route")
    if route is None:
        asked = str(scope.get("path", ""))
        for mount in getattr(scope.get("app"), "routes", ()):
            if isinstance(mount, Mount) and asked.startswith(f"{mount.path.rstrip('/')}/"):
                route = mount
                break
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED
    if isinstance(route, Mount):
        return f"{template.rstrip('/')}/{{path}}"
    return template or "/"


class RequestTimer:
    """Times every HTTP request through the whole stack (a plain ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUEST_SECONDS.labels(route_label(scope), method, f"{status // 100}xx").observe(
                time.perf_counter() - started
            )


class DatabaseFigures(Collector):
    """The scrape-time figures of one app's database (see the module docstring)."""

    def __init__(self, app: FastAPI, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "careloop_database_up", "1 if the figures below could be read from the database."
        )
        now = self.clock()
        try:
            with self.app.state.platform.unit_of_work() as uow:
                found = figures(uow, now)
        except Exception as exc:  # a scrape during an outage still answers, saying so
            log.warning("metrics: the database figures are unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        complaints = GaugeMetricFamily(
            "careloop_complaints",
            "Open complaints, and of those the ones in SLA warning or breached (worst clock).",
            labels=["state"],
        )
        for state in ("open", "warning", "breached"):
            complaints.add_metric([state], getattr(found.complaints, state))
        yield complaints
        outbox = GaugeMetricFamily(
            "careloop_outbox_messages",
            "Outbox messages not yet handed to a channel: pending (all), due (sendable now).",
            labels=["state"],
        )
        for state, n in sorted(found.outbox.items()):
            outbox.add_metric([state], n)
        yield outbox
        queue = GaugeMetricFamily(
            "careloop_queue_jobs",
            "Jobs in the PostgreSQL job queue by queue and status (none on SQLite).",
            labels=["queue", "status"],
        )
        for (name, status), n in sorted(found.queue.items()):
            queue.add_metric([name, status], n)
        yield queue
        yield from self._jobs(found.jobs, now)

    @staticmethod
    def _jobs(runs: list[JobRunView], now: datetime) -> Iterator[Metric]:
        total = CounterMetricFamily(
            "careloop_job_runs", "Runs of each scheduled job, every worker.", labels=["job"]
        )
        failures = CounterMetricFamily(
            "careloop_job_failures", "Failed runs of each scheduled job, every worker.",
            labels=["job"],
        )  # fmt: skip
        duration = GaugeMetricFamily(
            "careloop_job_last_duration_seconds", "The last run's duration.", labels=["job"]
        )
        finished = GaugeMetricFamily(
            "careloop_job_last_finished_timestamp_seconds",
            "When the last run ended (Unix time).",
            labels=["job"],
        )
        for run in runs:
            total.add_metric([run.job], run.runs)
            failures.add_metric([run.job], run.failures)
            duration.add_metric([run.job], run.duration_seconds)
            finished.add_metric([run.job], run.finished_at.timestamp())
        yield from (total, failures, duration, finished)
        sweeps = [r for r in runs if r.job in SWEEP_JOBS]
        if not sweeps:
            return
        last = max(sweeps, key=lambda r: r.moment)
        yield GaugeMetricFamily(
            "careloop_sla_sweep_duration_seconds",
            "How long the latest SLA sweep (or sweep chunk, on the queue) took.",
            value=last.duration_seconds,
        )
        yield GaugeMetricFamily(
            "careloop_sla_sweep_lag_seconds",
            "Seconds since the instant the latest SLA sweep judged the clocks at: a sweep "
            "that stopped running shows as a lag growing past its interval.",
            value=max(0.0, (now - last.moment).total_seconds()),
        )


def _refusal(request: Request) -> Response | None:
    """None if the caller may scrape; else the 401/403 problem that says how to."""
    en = accept_language(request) == "en"
    settings: Settings = request.app.state.settings
    token = settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        detail = (
            "Send the metrics token as Authorization: Bearer <token>"
            if en
            else "请以 Authorization: Bearer <令牌> 提供指标令牌"
        )
        return problem(request, 401, "metrics_token_required", detail)
    host = request.client.host if request.client else ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    detail = (
        "Metrics are served to this host only; set CARELOOP_METRICS_TOKEN to scrape from afar"
        if en
        else "指标仅对本机开放；如需远程采集，请设置 CARELOOP_METRICS_TOKEN"
    )
    return problem(request, 403, "metrics_not_allowed", detail)


@router.get("/metrics", summary="Prometheus metrics (loopback or CARELOOP_METRICS_TOKEN)")
def metrics(request: Request) -> Response:
    refused = _refusal(request)
    if refused is not None:
        return refused
    if os.environ.get(MULTIPROC_ENV):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        counted = generate_latest(processes)
    else:
        counted = generate_latest(REGISTRY)
    body = counted + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def install(app: FastAPI, clock: Callable[[], datetime]) -> None:
    registry = CollectorRegistry()
    registry.register(DatabaseFigures(app, clock))
    app.state.metrics_registry = registry
    wrap_outermost(app, RequestTimer)


def prepare_multiprocess(workers: int) -> str | None:
    """Before uvicorn starts ``workers`` processes: a fresh directory for their counters.

    Without one each worker would count alone and a scrape would see one worker's share.
    An operator's ``PROMETHEUS_MULTIPROC_DIR`` is used (its old counter files removed: they
    belong to the last run); else a temporary one is made. Set before any worker imports
    prometheus_client, which reads it once."""
    if workers <= 1:
        return os.environ.get(MULTIPROC_ENV)
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for kind in ("counter", "gauge", "histogram", "summary"):
            for stale in directory.glob(f"{kind}_*.db"):
                stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="careloop-metrics-"))
        os.environ[MULTIPROC_ENV] = str(directory)
        # Ours alone: gone when `serve` (the parent, which outlives its workers) exits.
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return str(directory)
