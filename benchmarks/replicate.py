"""Grow a PostgreSQL benchmark database by replicating what the generator wrote, in SQL.

The generator builds every row in Python (about 1 000–2 000 complaints with their events
per second on 2 cores), so 10⁷ complaints would take hours. Beyond 10⁶ the benchmark grows
the database by copying the existing complaints, work orders and events inside PostgreSQL
(``INSERT … SELECT``), as many times as needed, with new ids, complaint numbers and phone
numbers and the same times. That is the shape the generator itself gives a larger N: the
same two years with a proportionally larger daily volume and open backlog. Foreign keys are
consistent by construction, so the copy runs with ``session_replication_role = replica``
(the FK triggers skip their per-row lookups; the benchmark database is a throwaway). The
copies are history written past the services, so the early warning's daily counts
(services.daily_counts) are forgotten afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, inspect

from benchmarks.generate import forget_counts, libpq_url

# Columns rewritten in a copy; every other column is copied as it is.
_COMPLAINT_OVERRIDES = {
    "id": "id + %(oc)s",
    "number": "'TS' || to_char(accepted_at AT TIME ZONE 'UTC', 'YYYYMMDD') || "
    "lpad((id + %(oc)s)::text, greatest(7, length((id + %(oc)s)::text)), '0')",
    "customer_phone": "'13' || lpad(((id + %(oc)s) %% 1000000000)::text, 9, '0')",
    "idempotency_key": "NULL",
    "request_hash": "NULL",
    "repeat_of_id": "repeat_of_id + %(oc)s",
    "merged_into_id": "merged_into_id + %(oc)s",
}
_WORK_ORDER_OVERRIDES = {
    "id": "id + %(ow)s",
    "complaint_id": "complaint_id + %(oc)s",
    "transferred_from_id": "transferred_from_id + %(ow)s",
}
_EVENT_OVERRIDES = {
    "id": "id + %(oe)s",
    "complaint_id": "complaint_id + %(oc)s",
    "work_order_id": "work_order_id + %(ow)s",
}


@dataclass
class Grown:
    complaints: int = 0
    work_orders: int = 0
    events: int = 0


def _select(engine: Engine, table: str, overrides: dict[str, str]) -> tuple[str, str]:
    columns = [c["name"] for c in inspect(engine).get_columns(table)]
    return ", ".join(columns), ", ".join(overrides.get(c, c) for c in columns)


def replicate(
    engine: Engine,
    n: int,
    progress: Any = None,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> Grown:
    """Append n complaints (with their work orders and events) copied from the existing ones;
    ``advance`` hears (complaints copied, n) after each copy, for a progress bar."""
    import psycopg

    assert engine.dialect.name == "postgresql", "replication is the PostgreSQL fast path"
    tables = {
        "complaints": _select(engine, "complaints", _COMPLAINT_OVERRIDES),
        "work_orders": _select(engine, "work_orders", _WORK_ORDER_OVERRIDES),
        "events": _select(engine, "events", _EVENT_OVERRIDES),
    }
    grown = Grown()
    with psycopg.connect(libpq_url(engine.url.render_as_string(False))) as conn:
        conn.execute("SET session_replication_role = replica")
        top_c, top_w, top_e, base = conn.execute(
            "SELECT (SELECT max(id) FROM complaints), (SELECT coalesce(max(id), 0) FROM "
            "work_orders), (SELECT max(id) FROM events), (SELECT count(*) FROM complaints)"
        ).fetchone()  # type: ignore[misc]
        copy = 0
        advance(0, n)
        while grown.complaints < n:
            copy += 1
            offsets = {"oc": copy * top_c, "ow": copy * top_w, "oe": copy * top_e}
            # The last copy takes only as many complaints (lowest ids first) as are missing.
            take = min(base, n - grown.complaints)
            last_id = conn.execute(
                "SELECT max(id) FROM (SELECT id FROM complaints WHERE id <= %s "
                "ORDER BY id LIMIT %s) AS t",
                (top_c, take),
            ).fetchone()[0]  # type: ignore[index]
            for table, where in (
                ("complaints", "id <= %(last)s"),
                ("work_orders", "complaint_id <= %(last)s AND id <= %(top_w)s"),
                ("events", "complaint_id <= %(last)s AND id <= %(top_e)s"),
            ):
                names, exprs = tables[table]
                cur = conn.execute(
                    f"INSERT INTO {table} ({names}) SELECT {exprs} FROM {table} WHERE {where}",
                    {**offsets, "last": last_id, "top_w": top_w, "top_e": top_e},
                )
                setattr(grown, table, getattr(grown, table) + cur.rowcount)
            conn.commit()
            advance(grown.complaints, n)
            if progress:
                progress(f"  copy {copy}: {grown.complaints:,} of {n:,} complaints replicated")
        for table, top in (("complaints", top_c), ("work_orders", top_w), ("events", top_e)):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s, false)",
                ((copy + 1) * top + 1,),
            )
        conn.commit()
    # The copies landed in past days (same times): counts stored before would be stale.
    forget_counts(engine)
    with psycopg.connect(libpq_url(engine.url.render_as_string(False)), autocommit=True) as conn:
        for table in ("complaints", "work_orders", "events"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return grown
