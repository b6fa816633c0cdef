"""The report figures of the benchmark time the real services and check that the
hand-tuned baseline computes the same numbers (a ratio of different work is worthless)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from benchmarks import measures
from benchmarks.generate import generate

from careloop.store.database import make_engine

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_report_figures_agree_with_hand_tuned_sql_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    generate(url, 600, now=NOW, days=400)
    engine = make_engine(url)
    try:
        # aggregates() asserts that the services and the hand-tuned SQL agree before timing.
        figures = measures.aggregates(engine, 600, NOW, extras=False)
    finally:
        engine.dispose()
    names = [f.name for f in figures]
    assert names[0].startswith("monthly report: indicators by region, 2026-10")
    assert names[1].startswith("daily early warning for 2026-11-22")
    monthly, warning = figures[0], figures[1]
    assert monthly.baseline and warning.baseline
    assert "results equal to the baseline's" in monthly.note
    assert "database time" in warning.note and "Python" in warning.note
    assert monthly.peak_mib is not None and warning.peak_mib is not None
    # the morning run (the target's) reads every day from the counts; the first run (the
    # backfill of all 35 days) is reported beside it, without a target
    assert "morning run" in warning.name and "35/35 days from the counts table" in warning.note
    backfill = figures[2]
    assert "first run" in backfill.name and backfill.passed is None
    assert "database time" in backfill.note


def test_hand_tuned_tallies_count_what_the_service_counts(tmp_path: Path) -> None:
    from careloop.services.indicators import figures as si
    from careloop.services.indicators.org_tree import OrgTree
    from careloop.services.unit_of_work import UnitOfWork
    from careloop.store.database import make_session_factory

    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    generate(url, 400, now=NOW, days=60)
    engine = make_engine(url)
    raw = measures.RawConnection(engine)
    try:
        month = measures.report_month(NOW)
        with UnitOfWork(make_session_factory(engine)) as uow:
            tree = OrgTree.load(uow)
            units = tree.within(tree.root())
            service = si.tallies(uow, month, units)
        hand = measures.tallies_hand_tuned(raw, month, units)
        assert service and measures._same_tallies(service, hand)
        assert sum(t.complaints for t in hand.values()) > 0
    finally:
        raw.close()
        engine.dispose()
