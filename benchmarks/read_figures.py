"""The read figures of benchmarks/run.py (list, reports, early warning) on an existing database.

For a database that a long run has already grown (e.g. to 10⁷ on PostgreSQL) so that the read
figures can be measured again with the current code without generating it again:

    python benchmarks/read_figures.py postgresql+psycopg://postgres@127.0.0.1/careloop_bench_x \\
        10000000 --now 2026-11-23T08:12:48+00:00 [--pages]

``--now`` is the moment the data was generated for (run.py's start): the list and the early
warning read relative to it. Page loads are off by default: at 10⁷ the province-wide pages
judge hundreds of thousands of open clocks.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import measures, pages
from benchmarks.run import report
from careloop.store.database import make_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the grown database")
    parser.add_argument("size", type=int, help="its number of complaints (for the labels)")
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("--pages", action="store_true", help="also time the workbench pages")
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    try:
        print(report([measures.breached_list(engine, args.size, args.now)]), flush=True)
        if args.pages:
            print(report(pages.page_loads(engine, args.url, args.size, args.now)), flush=True)
        print(report(measures.aggregates(engine, args.size, args.now, extras=True)), flush=True)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
