"""The benchmark's growth step tells a progress bar the complaints written (or copied) as it
goes, and draws nothing when stderr is not a terminal (a CI log keeps its lines)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from benchmarks import run
from benchmarks.generate import create_pg_database, drop_pg_database, generate

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_generator_tells_each_batch_written_up_to_all(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    heard: list[tuple[int, int]] = []

    counts = generate(url, 300, now=NOW, days=60, batch_size=128,
                      advance=lambda done, total: heard.append((done, total)))  # fmt: skip

    assert heard == [(0, 300), (128, 300), (256, 300), (300, 300)]
    assert counts.complaints == 300


def test_replication_tells_each_copy_up_to_all(pg_factory) -> None:  # type: ignore[no-untyped-def]
    if pg_factory is None:
        pytest.skip("PostgreSQL is not reachable")
    url = create_pg_database("t")
    try:
        generate(url, 100, now=NOW, days=60)
        heard: list[tuple[int, int]] = []
        grown = generate(url, 150, now=NOW, days=60, replicate_from=100,
                         advance=lambda done, total: heard.append((done, total)))  # fmt: skip
    finally:
        drop_pg_database(url)
    # a whole copy of the 100, then the 50 lowest ids of them
    assert heard == [(0, 150), (100, 150), (150, 150)]
    assert grown.complaints == 150


def test_growth_draws_its_bar_on_a_terminal_only_and_never_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"

    counts = run._grow(url, 50, NOW, "sqlite: growing to 50")

    assert counts.complaints == 50
    assert capsys.readouterr() == ("", "")  # a pipe or a CI log: nothing drawn
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # stderr taken for a terminal (rich)

    counts = run._grow(url, 30, NOW, "sqlite: growing to 80")

    assert counts.complaints == 30
    out, err = capsys.readouterr()
    assert out == "" and "sqlite: growing to 80" in err and "30/30" in err
