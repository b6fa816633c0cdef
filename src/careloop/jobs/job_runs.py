"""Time a scheduled job and record its run where every process sees it (``job_runs``).

The wall clock is read here, in the jobs layer, above the services (DESIGN.md): the start
instant for the record, a monotonic clock for the duration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from careloop.services.observability.job_runs import record_run

log = logging.getLogger("careloop.jobs")


@contextmanager
def recorded_run(session_factory: Any, job: str, moment: datetime, worker: str) -> Iterator[None]:
    """Run the block as one run of ``job`` working at ``moment``; a failure is counted and
    raised on. A record that cannot be written (the database is down) is logged, never
    raised: it must not turn a sweep's success into a failure."""
    started_at = datetime.now(UTC)
    began = time.perf_counter()
    error: BaseException | None = None
    try:
        yield
    except Exception as exc:
        error = exc
        raise
    finally:
        try:
            record_run(
                session_factory,
                job,
                moment=moment,
                started_at=started_at,
                duration_seconds=time.perf_counter() - began,
                worker=worker,
                error=error,
            )
        except Exception as exc:
            log.warning("could not record the run of %s (%s)", job, type(exc).__name__)
