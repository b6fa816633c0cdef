"""Province-sized data, written straight into a migrated schema (COPY on PostgreSQL).

The demo loader replays every complaint through the services, which is right for a demo and
far too slow for 10⁶–10⁷ complaints. Here the org tree and staff still go through the
services (so codes, paths and roles are real), and then complaints, work orders and their
events — including the callback (回访) event and its satisfaction flag — are generated with a
seeded RNG and bulk-written: ``COPY`` via psycopg on PostgreSQL, ``executemany`` on SQLite.

Shape (per complaint, by age at ``now``): two years of history by default, so the volume per
day grows with N; anything older than ~20 days is finished (closed, archived, a few cancelled
or merged), and a small share stays open past its deadline — the "breached" backlog the
supervisor's list shows. Throwaway PostgreSQL databases are named ``careloop_bench_*``.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, inspect, select, text

from careloop.demo.load import load_province
from careloop.demo.province import Province, build_province
from careloop.domain.categories import CATEGORIES
from careloop.services.monitoring.daily_counts import forget
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade
from careloop.store.models import Complaint, OrgUnit, Staff

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
OPEN = ("accepted", "in_progress", "pending_customer", "replied")
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy's SQLite DateTime stores naive UTC: string order is time order."""

# Category → department type that handles it (who gets the work order).
_HANDLER = {
    "billing": "billing",
    "network": "network",
    "broadband": "network",
    "installation": "network",
    "service": "hotline",
    "marketing": "marketing",
    "portability": "marketing",
    "spam": "network",
    "privacy": "billing",
    "other": "hotline",
}
_CHANNELS = (("hotline", 70), ("app", 8), ("online", 6), ("wechat", 6), ("store", 5),
             ("regulator", 3), ("sms", 1), ("letter_visit", 1))  # fmt: skip
_PRODUCTS = ("mobile", "broadband", "fixed", "iptv")


# --- throwaway databases ------------------------------------------------------------------


def create_pg_database(tag: str = "") -> str:
    """A fresh database careloop_bench_<tag>_<random>; returns its SQLAlchemy URL."""
    import psycopg

    name = f"careloop_bench_{tag + '_' if tag else ''}{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    assert name.startswith("careloop_bench_"), name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- the generator ------------------------------------------------------------------------


@dataclass
class Counts:
    complaints: int = 0
    work_orders: int = 0
    events: int = 0
    callbacks: int = 0
    open: int = 0
    open_breached: int = 0

    def add(self, other: Counts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Org:
    """What the rows need from the org tree: ids by code, who works where."""

    regions: list[tuple[int, str]]  # (unit id, city code) for every county and city
    region_weights: list[float]
    dept: dict[tuple[str, str], int]  # (region code, dept type) → unit id
    region_code: dict[int, str]
    agents: dict[str, list[tuple[int, int]]]  # city code → [(staff id, hotline unit id)]
    handlers: dict[int, tuple[int, str]]  # dept unit id → (staff id, username)
    agent_names: dict[int, str] = field(default_factory=dict)


def setup_org(url: str) -> Province:
    """Migrate (Alembic) and create the province's units and staff through the services."""
    upgrade(url)
    province = build_province()
    engine = make_engine(url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            if uow.session.scalar(select(func.count()).select_from(OrgUnit)) == 0:
                load_province(uow, province)
    finally:
        engine.dispose()
    return province


def _org(engine: Engine, province: Province) -> _Org:
    with engine.connect() as conn:
        units = {code: uid for uid, code in conn.execute(select(OrgUnit.id, OrgUnit.code))}
        staff = {
            name: (sid, uid)
            for sid, name, uid in conn.execute(select(Staff.id, Staff.username, Staff.org_unit_id))
        }
    regions: list[tuple[int, str]] = []
    weights: list[float] = []
    for city in province.cities():
        counties = province.counties(city.code)
        share = province.subscribers[city.code] / (len(counties) + 1)
        for node in [city, *counties]:
            regions.append((units[node.code], city.code))
            weights.append(share)
    dept = {
        (n.parent_code, n.dept_type): units[n.code]
        for n in province.nodes
        if n.kind == "department" and n.parent_code and n.dept_type
    }
    agents: dict[str, list[tuple[int, int]]] = {}
    handlers: dict[int, tuple[int, str]] = {}
    agent_names: dict[int, str] = {}
    for member in province.staff:
        sid, uid = staff[member.username]
        if member.role == "agent":
            city = province.city_of(member.org_code)
            assert city is not None
            agents.setdefault(city.code, []).append((sid, uid))
            agent_names[sid] = member.username
        elif member.role == "handler":
            handlers[uid] = (sid, member.username)
    return _Org(
        regions=regions,
        region_weights=weights,
        dept=dept,  # type: ignore[arg-type]
        region_code={units[n.code]: n.code for n in province.nodes},
        agents=agents,
        handlers=handlers,
        agent_names=agent_names,
    )


_COMPLAINT_COLUMNS = (
    "id", "number", "version", "status", "channel", "customer_phone", "customer_name",
    "customer_tier", "category", "category_l1", "product", "region_id", "description",
    "reply_text", "priority", "escalated", "regulator_transfer", "is_repeat", "reopen_count",
    "callback_satisfied", "first_owner_id", "owner_unit_id", "accepted_at", "reply_due_at",
    "replied_at", "closed_at", "archived_at", "updated_at",
)  # fmt: skip
_WORK_ORDER_COLUMNS = (
    "id", "complaint_id", "seq", "version", "unit_id", "status", "owner_id", "dispatched_by_id",
    "dispatched_at", "due_at", "accepted_at", "finished_at", "instructions", "result",
)  # fmt: skip
_COMPLAINT_SLA_COLUMNS = ("sla_policy_id", "sla_state", "sla_evaluated_at")
_WORK_ORDER_SLA_COLUMNS = ("sla_state",)
"""Written where the migrated schema has SLA state (0002): open complaints and orders have
never been evaluated, so the first sweep examines every open one; finished ones were
evaluated when they finished and are not candidates again."""
_EVENT_COLUMNS = (
    "id", "complaint_id", "work_order_id", "at", "actor_id", "actor", "role", "action",
    "after", "note",
)  # fmt: skip


@dataclass
class _Batch:
    complaints: list[tuple[Any, ...]] = field(default_factory=list)
    work_orders: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


class _Rows:
    """Seeded rows for complaint ids start..start+n-1; timestamps stay datetime until written."""

    def __init__(
        self, org: _Org, now: datetime, days: int, seed: int, policies: dict[bool, int | None]
    ) -> None:
        self.org = org
        self.policies = policies
        self.now = now
        self.span = days * 86400.0
        self.rng = random.Random(seed)
        self.categories = [c for c in CATEGORIES.values() if c.level == 2]
        self.channels = [c for c, _ in _CHANNELS]
        self.channel_weights = [w for _, w in _CHANNELS]

    def _handler_unit(self, region_id: int, city: str, l1: str) -> int:
        region = self.org.region_code[region_id]
        dept_type = _HANDLER[l1]
        return self.org.dept.get((region, dept_type)) or self.org.dept[(city, dept_type)]

    def complaint(
        self, cid: int, wo_id: int, ev_id: int, batch: _Batch, counts: Counts
    ) -> tuple[int, int]:
        rng = self.rng
        age = rng.random() ** 1.15 * self.span  # slightly more recent than old
        accepted = self.now - timedelta(seconds=age)
        category = self.categories[rng.randrange(len(self.categories))]
        l1 = category.parent or category.code
        region_id, city = rng.choices(self.org.regions, self.org.region_weights)[0]
        channel = rng.choices(self.channels, self.channel_weights)[0]
        escalated = channel == "regulator" or rng.random() < 0.02
        due = accepted + (timedelta(hours=48) if escalated else timedelta(days=15))
        agent_id, hotline = rng.choice(self.org.agents[city])
        agent = self.org.agent_names[agent_id]
        age_days = age / 86400
        # Where the complaint stands now, by its age (most finish well inside 15 days).
        if age_days > 20:
            r = rng.random()
            status = (
                "archived" if age_days > 45 and r < 0.9 else
                "closed" if r < 0.965 else
                "cancelled" if r < 0.975 else
                "merged" if r < 0.98 else
                rng.choice(OPEN)  # the stuck backlog: open long past its deadline
            )  # fmt: skip
        else:
            stage = min(1.0, age_days / 12) + rng.random() * 0.4
            status = (
                "accepted" if stage < 0.08 else
                "in_progress" if stage < 0.45 else
                "pending_customer" if stage < 0.5 else
                "replied" if stage < 0.7 else
                "closed"
            )  # fmt: skip
        finished = status in ("closed", "archived")
        replied_state = finished or status == "replied"
        handled = status not in ("accepted", "cancelled", "merged")
        reply_at = closed_at = archived_at = satisfied = None
        events = batch.events

        def event(
            at: datetime,
            actor: tuple[Any, str, str],
            action: str,
            after: str | None,
            wo: int | None = None,
            note: str | None = None,
        ) -> None:
            nonlocal ev_id
            events.append((ev_id, cid, wo, at, actor[0], actor[1], actor[2], action, after, note))
            ev_id += 1

        front = (agent_id, agent, "agent")
        event(accepted, front, "accept", '{"status": "accepted"}')
        t = accepted + timedelta(minutes=rng.uniform(2, 90))
        if handled:
            orders = 1 if rng.random() < 0.85 else 2
            unit = self._handler_unit(region_id, city, l1)
            owner, owner_name = self.org.handlers[unit]
            worker = (owner, owner_name, "handler")
            for seq in range(1, orders + 1):
                dispatched = t
                wo_due = dispatched + timedelta(days=3)
                wo_accepted = dispatched + timedelta(minutes=rng.uniform(5, 240))
                done = status != "in_progress" or seq < orders
                wo_finished = wo_accepted + timedelta(hours=rng.uniform(1, 70)) if done else None
                wo_status = ("transferred" if seq < orders else "completed") if done else "accepted"
                batch.work_orders.append((
                    wo_id, cid, seq, 2 if done else 1, unit, wo_status, owner, agent_id,
                    dispatched, wo_due, wo_accepted, wo_finished, "请核实并处理",
                    "已处理" if done else None,
                    "met" if done else None,
                ))  # fmt: skip
                event(dispatched, front, "dispatch", '{"status": "in_progress"}', wo_id)
                event(wo_accepted, worker, "work_order_accept", None, wo_id)
                if wo_finished is not None:
                    event(wo_finished, worker, "work_order_complete", None, wo_id)
                    t = wo_finished
                wo_id += 1
                counts.work_orders += 1
        if status == "pending_customer":
            event(t, front, "pause", '{"status": "pending_customer"}', note="等待客户提供资料")
        if replied_state:
            late = rng.random() < 0.03
            reply_at = (
                due + timedelta(hours=rng.uniform(1, 72))
                if late
                else min(due - timedelta(minutes=1), t + timedelta(hours=rng.uniform(0.5, 24)))
            )
            reply_at = min(reply_at, self.now - timedelta(minutes=1))
            event(reply_at, front, "reply", '{"status": "replied"}')
        if finished:
            assert reply_at is not None
            closed_at = min(self.now, reply_at + timedelta(hours=rng.uniform(2, 72)))
            satisfied = rng.random() < 0.92
            event(closed_at, front, "callback", json.dumps({"satisfied": satisfied}))
            event(closed_at, front, "close", '{"status": "closed"}')
            counts.callbacks += 1
            if status == "archived":
                archived_at = closed_at + timedelta(days=30)
                event(archived_at, ("", "system", "system"), "archive", None)
        if status in ("cancelled", "merged"):
            event(t, front, "cancel" if status == "cancelled" else "merge", None)
        updated = max(e[3] for e in events[-1:]) if events else accepted
        if status in OPEN:
            counts.open += 1
            counts.open_breached += due < self.now
        phone = f"13{rng.randrange(10**9):09d}"
        batch.complaints.append((
            cid, f"TS{accepted:%Y%m%d}{cid:07d}", 1 + (ev_id % 5), status, channel, phone,
            None, "standard" if rng.random() < 0.9 else "gold", category.code, l1,
            _PRODUCTS[0] if l1 not in ("broadband",) else "broadband", region_id,
            f"{category.name_zh}：客户反映问题，请尽快处理（基准数据 {cid}）",
            "已答复客户" if reply_at else None, "high" if escalated else "normal", escalated,
            channel == "regulator", rng.random() < 0.06, 0, satisfied, agent_id, hotline,
            accepted, due, reply_at, closed_at, archived_at, updated,
            self.policies[escalated], "running" if status in OPEN else "stopped",
            None if status in OPEN else updated,
        ))  # fmt: skip
        counts.complaints += 1
        return wo_id, ev_id


def _next_ids(engine: Engine) -> tuple[int, int, int]:
    from careloop.store.models import Event, WorkOrder

    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            (conn.scalar(select(func.max(t.id))) or 0) + 1 for t in (Complaint, WorkOrder, Event)
        )


@dataclass(frozen=True)
class _Layout:
    complaints: tuple[str, ...]
    work_orders: tuple[str, ...]


def _layout(engine: Engine) -> tuple[_Layout, dict[bool, int | None]]:
    """Columns to write, and the seeded default/escalated SLA policy ids, if the schema has SLA."""
    inspector = inspect(engine)
    if "sla_policy_id" not in {c["name"] for c in inspector.get_columns("complaints")}:
        return _Layout(_COMPLAINT_COLUMNS, _WORK_ORDER_COLUMNS), {False: None, True: None}
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM sla_policies WHERE version = 1")).all())
    layout = _Layout(
        _COMPLAINT_COLUMNS + _COMPLAINT_SLA_COLUMNS, _WORK_ORDER_COLUMNS + _WORK_ORDER_SLA_COLUMNS
    )
    return layout, {False: ids.get("default"), True: ids.get("escalated")}


def _check_columns(engine: Engine, layout: _Layout) -> None:
    """The rows fill every NOT NULL column without a default that the migrated schema has."""
    wanted = {
        "complaints": layout.complaints,
        "work_orders": layout.work_orders,
        "events": _EVENT_COLUMNS,
    }
    inspector = inspect(engine)
    for table, columns in wanted.items():
        for col in inspector.get_columns(table):
            required = not col["nullable"] and col.get("default") is None
            if required and col["name"] not in columns:
                raise RuntimeError(f"generator does not fill required column {table}.{col['name']}")


def forget_counts(engine: Engine) -> None:
    """Complaints were written straight into past days: drop the early warning's daily counts
    (services.daily_counts), after the rows committed, so nothing counted before is stale."""
    if not inspect(engine).has_table("counted_days"):  # a schema before migration 0006
        return
    with UnitOfWork(make_session_factory(engine)) as uow:
        forget(uow.session)
        uow.commit()


REPLICATE_FROM = 1_000_000
"""From this many complaints on, PostgreSQL grows by copying in SQL (benchmarks/replicate.py)."""


def generate(
    url: str,
    n: int,
    *,
    now: datetime,
    days: int = 730,
    seed: int = 20261123,
    batch_size: int = 20_000,
    progress: Any = None,
    replicate_from: int = REPLICATE_FROM,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> Counts:
    """Append n complaints (ids continue after the existing ones) with their history;
    ``advance`` hears (complaints written, n) after each batch, for a progress bar."""
    province = setup_org(url)
    if url.startswith("postgresql") and n > 0:
        from benchmarks.replicate import replicate

        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                have = conn.scalar(select(func.count()).select_from(Complaint)) or 0
            if have >= replicate_from:
                grown = replicate(engine, n, progress, advance)  # forgets the daily counts
                return Counts(grown.complaints, grown.work_orders, grown.events)
        finally:
            engine.dispose()
    engine = make_engine(url)
    try:
        layout, policies = _layout(engine)
        _check_columns(engine, layout)
        org = _org(engine, province)
        cid, wo_id, ev_id = _next_ids(engine)
        first_event = ev_id
        rows = _Rows(org, now, days, seed + cid, policies)
        writer: _PgWriter | _SqliteWriter = (
            _PgWriter(url, layout)
            if engine.dialect.name == "postgresql"
            else _SqliteWriter(url, layout)
        )
        counts = Counts()
        try:
            advance(0, n)
            for start in range(0, n, batch_size):
                batch = _Batch()
                for _ in range(min(batch_size, n - start)):
                    wo_id, ev_id = rows.complaint(cid, wo_id, ev_id, batch, counts)
                    cid += 1
                writer.write(batch)
                advance(start + len(batch.complaints), n)
                if progress:
                    progress(f"  {start + len(batch.complaints):>10,} complaints written")
            counts.events = ev_id - first_event
            writer.finish(cid, wo_id, ev_id)
        finally:
            writer.close()
        forget_counts(engine)
    finally:
        engine.dispose()
    return counts


class _PgWriter:
    def __init__(self, url: str, layout: _Layout) -> None:
        import psycopg

        self.layout = layout
        self.conn = psycopg.connect(libpq_url(url))

    def _copy(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.conn.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, batch: _Batch) -> None:
        self._copy(
            "complaints", self.layout.complaints, _cut(batch.complaints, self.layout.complaints)
        )
        self._copy(
            "work_orders", self.layout.work_orders, _cut(batch.work_orders, self.layout.work_orders)
        )
        self._copy("events", _EVENT_COLUMNS, _null_actor(batch.events))
        self.conn.commit()

    def finish(self, cid: int, wo_id: int, ev_id: int) -> None:
        # Rows carry explicit ids: move the sequences past them so the services can insert.
        for table, next_id in (("complaints", cid), ("work_orders", wo_id), ("events", ev_id)):
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {next_id}, false)"
            )
        self.conn.commit()
        with self.psycopg_autocommit() as conn:
            conn.execute("VACUUM ANALYZE complaints")
            conn.execute("VACUUM ANALYZE work_orders")
            conn.execute("VACUUM ANALYZE events")

    def psycopg_autocommit(self) -> Any:
        import psycopg

        info = self.conn.info
        return psycopg.connect(
            host=info.host, port=info.port, user=info.user, dbname=info.dbname, autocommit=True
        )

    def close(self) -> None:
        self.conn.close()


def _cut(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Rows carry the SLA extras at their end; a schema without them gets them cut off."""
    width = len(columns)
    return (row[:width] for row in rows)


def _null_actor(events: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """System events have no staff id ("" is the generator's marker)."""
    for e in events:
        yield e if e[4] != "" else (*e[:4], None, *e[5:])


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(SQLITE_FORMAT)
    return value


class _SqliteWriter:
    def __init__(self, url: str, layout: _Layout) -> None:
        self.layout = layout
        self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")

    def _insert(self, table: str, columns: Sequence[str], rows: Any) -> None:
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            ([_sqlite_value(v) for v in row] for row in rows),
        )

    def write(self, batch: _Batch) -> None:
        self._insert(
            "complaints", self.layout.complaints, _cut(batch.complaints, self.layout.complaints)
        )
        self._insert(
            "work_orders", self.layout.work_orders, _cut(batch.work_orders, self.layout.work_orders)
        )
        self._insert("events", _EVENT_COLUMNS, _null_actor(batch.events))
        self.conn.commit()

    def finish(self, cid: int, wo_id: int, ev_id: int) -> None:
        self.conn.execute("ANALYZE")
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
