"""The supervisor views on an existing database: the board and the ``?sla=`` lists.

Issue 7 follow-up: the province-wide dashboard and the breached list judge every candidate
clock exactly. This times them the way people meet them and where the time goes:

- through the live server (``careloop serve``): ``benchmarks.pages.page_loads`` (admin's
  /supervisor and /complaints?sla=breached, median of ``--repeat`` after a warm-up) and
  the API's ``GET /api/v1/complaints?sla=breached`` as admin (Bearer token);
- in-process, with the SQL time apart: ``services.workbench.dashboard`` and
  ``services.queries.list_complaints(sla=breached)`` for the province (admin, inspector)
  and for a city supervisor (Hangzhou's subtree).

    python benchmarks/board_figures.py postgresql+psycopg://postgres@127.0.0.1/careloop_bench_x \\
        100000 --now 2026-11-23T10:44:39+00:00

``--now`` is the moment the data was generated for; the in-process figures judge the clocks
at it, the server at its own wall clock (the generator's data is anchored at ``--now``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import Engine, select

from benchmarks import measures, pages
from benchmarks.run import report
from careloop.services.access.actors import Actor, actor_for
from careloop.services.complaints import queries, workbench
from careloop.services.complaints.filters import ComplaintFilter
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import OrgUnit

CITY = "ZJ-HZ"


def _city_supervisor(engine: Engine) -> Actor:
    """A supervisor whose scope is one city (the bench province has province-wide ones only)."""
    with UnitOfWork(make_session_factory(engine)) as uow:
        unit = uow.session.scalars(select(OrgUnit).where(OrgUnit.code == CITY)).one()
        return Actor(None, "city_supervisor", "supervisor", unit.id, unit.path, unit.path)


def in_process(engine: Engine, size: int, now: datetime, repeat: int) -> list[measures.Figure]:
    factory = make_session_factory(engine)
    city = _city_supervisor(engine)
    figures = []

    def who(uow: UnitOfWork, name: str) -> Actor:
        return city if name == "city" else actor_for(uow, name)

    def board(name: str) -> Callable[[], Any]:
        def run() -> Any:
            with UnitOfWork(factory) as uow:
                b = workbench.dashboard(uow, who(uow, name), now)
                return b.totals.open, b.totals.warning, b.totals.breached

        return run

    def breached(name: str) -> Callable[[], Any]:
        def run() -> Any:
            with UnitOfWork(factory) as uow:
                page = queries.list_complaints(
                    uow,
                    ComplaintFilter(sla="breached"),
                    50,
                    0,
                    "reply_due_at",
                    actor=who(uow, name),
                    now=now,
                )
                return page.total, page.total_capped

        return run

    for label, make in (("dashboard", board), ("?sla=breached list (50)", breached)):
        for name in ("admin", "inspector", "city"):
            fn = make(name)
            result = fn()
            wall, sql, statements = measures.timed_with_sql(engine, fn, repeat, warm=True)
            figures.append(
                measures.Figure(
                    f"{label}, {name if name != 'city' else f'supervisor of {CITY}'}",
                    engine.dialect.name,
                    size,
                    wall * 1000,
                    "ms",
                    note=f"SQL {sql * 1000:.0f} ms in {statements} statements; "
                    f"answer {result}; median of {repeat}",
                )
            )
    return figures


def api_list(server: measures.Server, size: int, repeat: int, dialect: str) -> measures.Figure:
    headers = measures._headers(server.base, pages.BOARD_USER, with_login=True)
    box: dict[str, Any] = {}
    with httpx.Client(base_url=server.base, headers=headers, timeout=60) as client:

        def get() -> None:
            reply = client.get("/api/v1/complaints", params={"sla": "breached"})
            if reply.status_code != 200:
                raise RuntimeError(f"the API answered {reply.status_code}: {reply.text[:300]}")
            box["total"] = reply.json().get("total")

        ms = measures.timed(get, repeat=repeat) * 1000
    return measures.Figure(
        "API GET /api/v1/complaints?sla=breached",
        dialect,
        size,
        ms,
        "ms",
        note=f"as {pages.BOARD_USER} (Bearer token), total={box['total']}; median of {repeat}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of a generated database")
    parser.add_argument("size", type=int, help="its number of complaints (for the labels)")
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-server", action="store_true", help="in-process figures only")
    parser.add_argument("--server-only", action="store_true", help="no in-process figures")
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    try:
        if not args.server_only:
            print(report(in_process(engine, args.size, args.now, args.repeat)), flush=True)
        if not args.no_server:
            server = measures.Server(args.url)
            try:
                loads = pages.page_loads(
                    engine, args.url, args.size, args.now, args.repeat, server=server
                )
                print(report(loads), flush=True)
                print(report([api_list(server, args.size, args.repeat, engine.dialect.name)]))
            finally:
                server.stop()
                tail = server.log_tail(3000)
                print(tail if "Traceback" in tail else "", file=sys.stderr)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
