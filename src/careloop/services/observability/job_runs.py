"""The last run of each scheduled job, recorded in the database (``job_runs``).

Why the database and not a process's memory: the sweep runs in the in-process runner or in
queue workers that may live in another container than the API answering ``/metrics``; a
row per job is what every process can see, and its ``failures`` count adds up over all of
them (a Prometheus counter that survives restarts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import JobRun
from careloop.store.upsert import insert_for

SWEEP_JOBS = ("sla.sweep", "sla.sweep_chunk")
"""The whole sweep (in-process runner, CLI) and one chunk of it (queue workers)."""


@dataclass(frozen=True)
class JobRunView:
    job: str
    moment: datetime
    started_at: datetime
    finished_at: datetime
    duration_seconds: float
    outcome: str
    runs: int
    failures: int


def record_run(
    session_factory: sessionmaker[Session],
    job: str,
    *,
    moment: datetime,
    started_at: datetime,
    duration_seconds: float,
    worker: str,
    error: BaseException | None = None,
) -> None:
    """Overwrite ``job``'s row with this run and count it (one upsert, any worker)."""
    failed = 1 if error is not None else 0
    values = {
        "job": job,
        "moment": moment,
        "started_at": started_at,
        "finished_at": started_at + timedelta(seconds=duration_seconds),
        "duration_seconds": duration_seconds,
        "outcome": "failed" if failed else "ok",
        "worker": worker[:200],
        "runs": 1,
        "failures": failed,
        # The class only: an exception's text may quote a phone number.
        "error": type(error).__name__ if error is not None else None,
    }
    with UnitOfWork(session_factory) as uow:
        insert = insert_for(uow.session)(JobRun).values(**values)
        excluded = insert.excluded
        uow.session.execute(
            insert.on_conflict_do_update(
                index_elements=["job"],
                set_={
                    "moment": excluded.moment,
                    "started_at": excluded.started_at,
                    "finished_at": excluded.finished_at,
                    "duration_seconds": excluded.duration_seconds,
                    "outcome": excluded.outcome,
                    "worker": excluded.worker,
                    "runs": JobRun.runs + 1,
                    "failures": JobRun.failures + failed,
                    "error": excluded.error,
                },
            )
        )
        uow.commit()


def job_runs(session: Session) -> list[JobRunView]:
    """Every job's last run, by name."""
    return [
        JobRunView(
            r.job,
            r.moment,
            r.started_at,
            r.finished_at,
            r.duration_seconds,
            r.outcome,
            r.runs,
            r.failures,
        )
        for r in session.scalars(select(JobRun).order_by(JobRun.job))
    ]
