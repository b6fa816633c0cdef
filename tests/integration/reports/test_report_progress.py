"""Making a report tells a progress bar its sections as they are built and its files as they
are written; `careloop report` prints the same file paths whether a bar is drawn (a
terminal, on stderr) or not (a pipe, a log).

A few complaints in the test org, accepted through the intake service in late September 2026.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from careloop.domain.indicators.periods import LOCAL_TZ
from careloop.reports import render
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.monitoring import network_weekly, reports
from careloop.services.spam import monthly_report
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory

DAY = date(2026, 9, 27)
NOW = datetime(2026, 9, 28, 7, tzinfo=LOCAL_TZ).astimezone(UTC)
CELLS = (
    ("broadband.outage", "C1-K1", "broadband"),
    ("network.coverage", "C1-K2", "mobile"),
    ("billing.dispute", "C2-K1", "mobile"),
)


def _seed(factory) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        agent = actor_for(uow, "agent1")
        for i in range(9):
            category, region, product = CELLS[i % 3]
            draft = intake.NewComplaint(
                channel="hotline",
                customer_phone=f"1380000{i:04d}",
                category=category,
                description=f"测试投诉 {i}",
                region_code=region,
                product=product,
            )
            at = datetime(2026, 9, 20 + i % 8, 10, tzinfo=LOCAL_TZ).astimezone(UTC)
            intake.accept_complaint(uow, draft, agent, at, None)


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    _seed(factory)
    yield factory
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """One engine for the command: what it prints does not depend on the engine."""
    target = tmp_path / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    _seed(make_session_factory(engine))
    engine.dispose()
    return url


def _steps_up_to_the_total(heard: list[tuple[int, int]], total: int) -> None:
    assert heard, "the bar heard nothing"
    assert {t for _, t in heard} == {total}
    assert [done for done, _ in heard] == list(range(total + 1))


@pytest.mark.parametrize("kind", ["daily", "weekly", "tenday", "monthly"])
def test_building_a_report_tells_each_section_up_to_all(factory, kind: str) -> None:  # type: ignore[no-untyped-def]
    heard: list[tuple[int, int]] = []
    with UnitOfWork(factory) as uow:
        report = reports.build_report(
            uow, kind, DAY, now=NOW,  # type: ignore[arg-type]
            advance=lambda done, total: heard.append((done, total)),
        )  # fmt: skip
    total = network_weekly.SECTIONS if kind == "weekly" else reports.SECTIONS[kind]
    _steps_up_to_the_total(heard, total)
    assert report.kind == kind and report.tables


def test_writing_a_report_tells_each_file_as_it_is_rendered(factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    heard: list[tuple[int, int]] = []
    with UnitOfWork(factory) as uow:
        report = reports.build_report(uow, "daily", DAY, now=NOW)
    files = reports.write_report(
        report, "daily", DAY, None, tmp_path,
        advance=lambda done, total: heard.append((done, total)),
    )  # fmt: skip
    _steps_up_to_the_total(heard, len(render.FORMATS))
    assert [p.suffix for p in files] == [".html", ".xlsx", ".pdf"]
    assert all(p.stat().st_size > 0 for p in files)


def test_the_spam_monthly_report_tells_its_sections_and_files(factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    period = monthly_report.parse_month("2026-09", NOW)
    built: list[tuple[int, int]] = []
    written: list[tuple[int, int]] = []
    with UnitOfWork(factory) as uow:
        report = monthly_report.build_report(
            uow, period, None, None, NOW + timedelta(days=5), "zh",
            advance=lambda done, total: built.append((done, total)),
        )  # fmt: skip
    files = monthly_report.write_report(
        report, period, None, tmp_path, ("html", "xlsx"), "zh",
        advance=lambda done, total: written.append((done, total)),
    )  # fmt: skip
    _steps_up_to_the_total(built, monthly_report.SECTIONS)
    _steps_up_to_the_total(written, 2)
    assert [p.suffix for p in files] == [".html", ".xlsx"]


def _cli(database_url: str, *args: str, terminal: bool) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess with stdout and stderr pipes; `terminal` makes the bar's
    console take stderr for a terminal (rich's TTY_COMPATIBLE) as a person's shell would."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(CARELOOP_DATABASE_URL=database_url, CARELOOP_LANG="en")
    if terminal:
        env["TTY_COMPATIBLE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "careloop.cli", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_report_command_prints_the_file_paths_alone_with_or_without_a_bar(
    sqlite_url: str, tmp_path: Path
) -> None:
    piped = _cli(sqlite_url, "report", "daily", "--date", DAY.isoformat(),
                 "--out", str(tmp_path / "piped"), terminal=False)  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    names = [f"careloop-daily-{DAY.isoformat()}.{fmt}" for fmt in render.FORMATS]
    assert piped.stdout.splitlines() == [str(tmp_path / "piped" / n) for n in names]
    assert piped.stderr == ""  # no bar drawn into a pipe or a log

    drawn = _cli(sqlite_url, "report", "daily", "--date", DAY.isoformat(),
                 "--out", str(tmp_path / "drawn"), terminal=True)  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.splitlines() == [str(tmp_path / "drawn" / n) for n in names]
    assert "Building report" in drawn.stderr and "Writing files" in drawn.stderr
    assert f"{reports.SECTIONS['daily']}/{reports.SECTIONS['daily']}" in drawn.stderr
    assert f"{len(names)}/{len(names)}" in drawn.stderr
