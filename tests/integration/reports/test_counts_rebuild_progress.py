"""`careloop counts rebuild` tells a progress bar the days it counts, and its answer on stdout
stays the same JSON whether a bar is drawn (a terminal, on stderr) or not (a pipe, a log).

Complaints are accepted through the intake service on each day of a week in the test org;
the morning after it, every day of the week is closed (services.daily_counts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from careloop.domain.indicators.periods import LOCAL_TZ
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.monitoring import daily_counts
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import CountedDay

FIRST = date(2026, 9, 21)
LAST = date(2026, 9, 27)
WEEK = [FIRST + timedelta(days=i) for i in range(7)]


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ).astimezone(UTC)


MORNING_AFTER = _at(LAST + timedelta(days=1), 7)


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        agent = actor_for(uow, "agent1")
        for i, day in enumerate([*WEEK, LAST + timedelta(days=1)]):
            draft = intake.NewComplaint(
                channel="hotline",
                customer_phone=f"1380000{i:04d}",
                category="broadband.outage",
                description=f"宽带断网 {i}",
                region_code="C1-K1",
                product="broadband",
            )
            intake.accept_complaint(uow, draft, agent, _at(day, 10), None)
    yield factory
    engine.dispose()


def _cli(database_url: str, *args: str, terminal: bool) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess with stdout and stderr pipes; `terminal` makes the bar's
    console take stderr for a terminal (rich's TTY_COMPATIBLE) as a person's shell would."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(CARELOOP_DATABASE_URL=database_url, CARELOOP_LANG="zh")
    if terminal:
        env["TTY_COMPATIBLE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "careloop.cli", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_rebuild_tells_the_days_counted_one_by_one_up_to_all(factory) -> None:  # type: ignore[no-untyped-def]
    heard: list[tuple[int, int]] = []
    with UnitOfWork(factory) as uow:
        result = daily_counts.rebuild(
            uow, None, None, (FIRST, LAST), MORNING_AFTER,
            advance=lambda done, total: heard.append((done, total)),
        )  # fmt: skip
        stored = list(uow.session.scalars(select(CountedDay.day).order_by(CountedDay.day)))
    assert heard == [(n, 7) for n in range(8)]
    assert result == {"forgotten": "all", "counted": 7, "first": "2026-09-21",
                      "last": "2026-09-27"}  # fmt: skip
    assert stored == WEEK


def test_rebuild_counts_days_looked_at_even_those_not_closed_yet(factory) -> None:  # type: ignore[no-untyped-def]
    """The 28th is the reference day itself: looked at (the bar moves), not stored."""
    heard: list[tuple[int, int]] = []
    with UnitOfWork(factory) as uow:
        result = daily_counts.rebuild(
            uow, FIRST, None, (FIRST, LAST + timedelta(days=1)), MORNING_AFTER,
            advance=lambda done, total: heard.append((done, total)),
        )  # fmt: skip
    assert [done for done, _ in heard] == list(range(9))
    assert {total for _, total in heard} == {8}
    assert result["counted"] == 7 and result["last"] == LAST.isoformat()


def test_rebuild_command_prints_the_same_answer_with_or_without_a_bar(  # type: ignore[no-untyped-def]
    factory, database_url: str
) -> None:
    args = ("counts", "rebuild", "--from", FIRST.isoformat(), "--to", LAST.isoformat())
    piped = _cli(database_url, *args, terminal=False)
    assert piped.returncode == 0, piped.stderr
    answer = json.loads(piped.stdout)
    assert answer == {"forgotten": "2026-09-21 – 2026-09-27", "counted": 7,
                      "first": "2026-09-21", "last": "2026-09-27"}  # fmt: skip
    assert piped.stderr == ""  # no bar drawn into a pipe or a log

    drawn = _cli(database_url, *args, terminal=True)
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout == piped.stdout  # the answer alone, not a line of the bar
    assert "重建统计" in drawn.stderr and "7/7" in drawn.stderr
