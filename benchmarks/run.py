"""CareLoop benchmarks: every figure as a ratio against a baseline measured in the same run.

    python benchmarks/run.py --quick                 # CI: 10⁴ and 10⁵ complaints, both engines
    python benchmarks/run.py --full --engine postgresql   # 10⁵, 10⁶, 10⁷ (hours at 10⁷)
    python benchmarks/run.py --sizes 100000,1000000 --engine postgresql

One throwaway database per engine (careloop_bench_* on PostgreSQL, a temporary file on
SQLite), migrated by Alembic, grown step by step to each size by the generator; the list is
timed at every size, and so are the workbench's pages (pages.py); intake and the SLA sweep at
the first size; the monthly report and the daily early warning at each size ≥ 10⁵.
Targets are printed as PASS/FAIL; the exit code is 0 either way (they are measurements, not
tests) unless something broke — or the early warning's false-alarm rate, measured on
simulated counts (benchmarks/early_warning.py), exceeds its stated rate beyond its binomial
bound: that is a broken promise, not a slow run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import early_warning as warning_bench
from benchmarks import intake as bulk_intake
from benchmarks import measures, pages
from benchmarks.generate import Counts, create_pg_database, drop_pg_database, generate
from careloop.cli.shell import progress_bar
from careloop.store.database import make_engine

QUICK = (10_000, 100_000)
FULL = (100_000, 1_000_000, 10_000_000)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _grow(url: str, n: int, now: datetime, label: str) -> Counts:
    """Add n complaints with a bar on stderr as they go, on a terminal only (the shell's
    bar): a CI log and the results on stdout stay as they were."""
    with progress_bar("en") as bar:
        task = bar.add_task(label, total=n)
        return generate(
            url,
            n,
            now=now,
            advance=lambda done, total: bar.update(task, completed=done, total=total),
        )


def run_engine(
    engine_name: str,
    sizes: list[int],
    now: datetime,
    requests: int,
    clients: int,
    quick: bool = False,
    workers: int = 1,
) -> list[measures.Figure]:
    figures: list[measures.Figure] = []

    mark = [time.perf_counter()]

    def keep(*measured: measures.Figure) -> None:
        """Print each figure (stderr) as soon as it is measured: a long --full run that is
        cut short still leaves every figure it reached; and what measuring it took."""
        figures.extend(measured)
        if measured:
            _log(report(list(measured)))
        _log(f"        ({time.perf_counter() - mark[0]:.1f} s to measure)")
        mark[0] = time.perf_counter()

    tmp = tempfile.TemporaryDirectory(prefix="careloop_bench_")
    url = (
        create_pg_database(engine_name[:2])
        if engine_name == "postgresql"
        else f"sqlite:///{tmp.name}/bench.sqlite3"
    )
    page_server: measures.Server | None = None
    try:
        have = 0
        list_times: list[measures.Figure] = []
        for size in sizes:
            start = time.perf_counter()
            counts = _grow(url, size - have, now, f"{engine_name}: growing to {size:,}")
            have = size
            _log(f"[{engine_name}] generated up to {size:,} complaints in "
                 f"{time.perf_counter() - start:.1f} s: {counts}")  # fmt: skip
            mark[0] = time.perf_counter()
            engine = make_engine(url)
            try:
                if size == sizes[0]:
                    # Intake, labelled single (one complaint per request) and batch.
                    single = measures.intake(engine, url, size, now, requests, clients, workers)
                    single.name = f"single {single.name}"
                    keep(single)
                    assert single.baseline is not None
                    keep(measures.endpoint_floor(engine, size, requests, clients,
                                                 single.baseline))  # fmt: skip
                    keep(bulk_intake.batch_intake(engine, url, size, now, requests * 10, clients,
                                                  workers=workers))  # fmt: skip
                    # The first sweep costs ~15-25 ms per open complaint (it writes every
                    # alert and outbox row): once, at the first size, keeps --quick short.
                    keep(measures.sla_sweep(engine, size, now))
                list_times.append(measures.breached_list(engine, size, now))
                _log(report(list_times[-1:]))
                keep()  # the list's figure is completed (ratio) and kept after the loop
                # The workbench's pages through the live server, at every size (one server
                # for all sizes: it reads what the generator adds).
                page_server = page_server or measures.Server(url)
                keep(*pages.page_loads(engine, url, size, now, repeat=1 if quick else 5,
                                       server=page_server))  # fmt: skip
                if size >= 100_000 or size == sizes[-1]:
                    # Hot spots and the whole monthly report built and rendered take
                    # seconds each: not in --quick (the two timed report figures are).
                    extras = not quick
                    keep(*measures.aggregates(engine, size, now, extras=extras))
            finally:
                engine.dispose()
        first, last = list_times[0], list_times[-1]
        for fig in list_times:
            fig.baseline = first.value
            fig.baseline_label = f"same list at {first.size:,}"
            fig.target = f"at {last.size:,} ≤ 2× at {first.size:,}"
        last.passed = last.value <= 2 * first.value
        figures.extend(list_times)
    finally:
        if page_server is not None:
            page_server.stop()
        if engine_name == "postgresql":
            drop_pg_database(url)
        tmp.cleanup()
    return figures


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def report(figures: list[measures.Figure]) -> str:
    lines = []
    for f in figures:
        verdict = "PASS" if f.passed else "FAIL" if f.passed is False else "info"
        lines.append(
            f"{verdict:4}  [{f.engine:10}] N={f.size:>10,}  {f.name}\n"
            f"        value {_fmt(f.value)} {f.unit}   baseline {_fmt(f.baseline)} {f.unit} "
            f"({f.baseline_label or 'none'})   ratio {_fmt(f.ratio, 2)}   "
            f"target {f.target or '—'}   peak {_fmt(f.peak_mib)} MiB\n"
            f"        {f.note}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="10⁴ and 10⁵ complaints (CI)")
    mode.add_argument("--full", action="store_true", help="10⁵, 10⁶ and 10⁷ complaints")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sizes", help="comma-separated sizes, overriding --quick/--full")
    parser.add_argument("--requests", type=int, help="intake requests per side")
    parser.add_argument("--clients", type=int, default=8, help="concurrent intake clients")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="`careloop serve --workers` for the intake figures (default 1: the figure per "
        "process; pages are always timed on one)",
    )
    args = parser.parse_args(argv)
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else list(FULL if args.full else QUICK)
    )
    requests = args.requests or (2000 if args.full else 600)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    now = datetime.now(UTC).replace(microsecond=0)
    quick = not (args.full or args.sizes)
    started = time.perf_counter()
    figures: list[measures.Figure] = []
    for name in engines:
        figures.extend(run_engine(name, sizes, now, requests, args.clients, quick, args.workers))
    # The early warning's stated false-alarm rate on simulated counts (no database): a
    # correctness check, so its FAIL fails the run (benchmarks/early_warning.py).
    mark = time.perf_counter()
    warning = warning_bench.measure(*(warning_bench.QUICK if quick else warning_bench.FULL))
    _log(report(warning) + f"\n        ({time.perf_counter() - mark:.1f} s to measure)")
    figures.extend(warning)
    print(f"CareLoop benchmarks, {now:%Y-%m-%d}, sizes {sizes}, engines {engines}")
    print(report(figures))
    print(f"total {time.perf_counter() - started:.0f} s")
    return 1 if warning[0].passed is False else 0


if __name__ == "__main__":
    raise SystemExit(main())
