"""A scheduled job's runs add up in ``job_runs``, failures included, whichever worker ran."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from careloop.jobs.job_runs import recorded_run
from careloop.services.observability.job_runs import job_runs
from careloop.store.database import make_engine, make_session_factory

MOMENT = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def test_a_failed_run_is_counted_and_raised_on_and_the_next_one_overwrites_the_row(
    database_url: str,
):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with recorded_run(factory, "sla.sweep", MOMENT, "worker-a"):
            pass
        with (
            pytest.raises(RuntimeError),
            recorded_run(factory, "sla.sweep", MOMENT, "worker-b"),
        ):
            raise RuntimeError("gateway down for 13800001111")
        with factory() as session:
            (run,) = job_runs(session)
            assert (run.runs, run.failures, run.outcome) == (2, 1, "failed")
            error = session.execute(text("SELECT error, worker FROM job_runs")).one()
        # The class only: an exception's text may carry a phone number.
        assert tuple(error) == ("RuntimeError", "worker-b")
        with recorded_run(factory, "sla.sweep", MOMENT, "worker-a"):
            pass
        with factory() as session:
            (run,) = job_runs(session)
        assert (run.runs, run.failures, run.outcome, run.moment) == (3, 1, "ok", MOMENT)
    finally:
        engine.dispose()
