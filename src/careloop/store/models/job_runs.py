"""The last run of each scheduled job, kept where every process can read it (/metrics)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class JobRun(Base):
    """One row per job name, overwritten by each run: the in-process runner, a queue worker
    in another container and the API's ``/metrics`` all share the database, not a process's
    memory, so the sweep's duration and lag and the job failures survive restarts and add up
    over every worker. A row, not a log: the table never grows past the number of jobs."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    moment: Mapped[datetime] = mapped_column(UTCDateTime)
    """The instant the run worked at (the sweep's ``now``): the lag is measured from it."""
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(10))
    """ok or failed (the last run's)."""
    worker: Mapped[str] = mapped_column(String(200))
    runs: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    """Every failed run since the table was created: a counter that adds up over workers."""
    error: Mapped[str | None] = mapped_column(Text)
    """The last failure's exception class only (its text may carry personal data)."""
