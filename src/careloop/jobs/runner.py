"""The in-process runner: the default when one process does everything (SQLite, a laptop).

``run_once(now)`` does one round — sweep the clocks, then deliver due notifications — and
is what tests call with a moved clock. ``run_forever`` repeats it every ``interval``
seconds until stopped; the wall clock is read here, above the services (DESIGN.md).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from careloop import bootstrap, logs
from careloop.config import Settings
from careloop.jobs.job_runs import recorded_run
from careloop.services.sla import sweep as sla_sweep
from careloop.services.spam import bursts as spam_bursts
from careloop.services.spam import enforcement_sweep as spam_enforcement
from careloop.services.supervision import rectification
from careloop.services.surveys import sending as survey_sending

log = logging.getLogger("careloop.jobs")


def worker_name() -> str:
    """Recorded on every alert, so the log shows which worker fired it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def public_url(settings: Settings | None = None) -> str:
    """Where customers reach this site (the survey links): CARELOOP_PUBLIC_URL, else the
    address `careloop serve` listens on."""
    settings = settings or Settings.from_env()
    configured = settings.public_url.strip()
    if configured:
        return configured.rstrip("/")
    return f"http://{settings.host}:{settings.port}"


class InProcessRunner:
    def __init__(
        self,
        database_url: str,
        clock: Callable[[], datetime] = utc_now,
        interval: float = 60.0,
    ) -> None:
        self.database_url = database_url
        self.clock = clock
        self.interval = interval
        self.stop_event = threading.Event()

    def run_once(self, now: datetime | None = None) -> dict[str, Any]:
        # A round of its own id (unless a request runs it): its lines, and those of the
        # handlers it queues, read together.
        if logs.current_request_id() is None:
            with logs.request_context(None):
                return self._round(now)
        return self._round(now)

    def _round(self, now: datetime | None) -> dict[str, Any]:
        moment = now or self.clock()
        platform = bootstrap.platform(self.database_url)
        factory = platform.session_factory
        worker = f"in-process:{worker_name()}"
        # Its duration, lag and failures are read back by /metrics (job_runs).
        with recorded_run(factory, "sla.sweep", moment, worker):
            report = sla_sweep.sweep(factory, moment, worker=worker)
        # Late rectification tasks escalate in the same round, before delivery.
        late = rectification.sweep(factory, moment)
        # Spam enforcement: today's ports over the thresholds get a case; late cases escalate.
        late = {**late, **spam_enforcement.sweep(factory, moment)}
        # A port's report burst is flagged (once a day) and its owner unit told, same day.
        late = {**late, **spam_bursts.sweep(factory, moment)}
        delivered = sla_sweep.deliver_notifications(factory, platform.adapters, moment)
        # Post-service surveys due by now: throttled, sent with their one-time link.
        surveys = survey_sending.send_due_surveys(factory, platform.adapters, moment, public_url())
        result = {**report.as_dict(), **late, "delivered": delivered, "now": moment.isoformat()}
        result["surveys"] = surveys.as_dict()
        log.info("SLA round: %s", result)
        return result

    def run_forever(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.run_once()
            except Exception:  # one bad round must not stop the scheduler
                log.exception("SLA round failed; trying again next interval")
            self.stop_event.wait(self.interval)

    def start_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="careloop-jobs", daemon=True)
        thread.start()
        return thread
