"""The measured operations and their same-run baselines (run.py prints them).

Each measure returns `Figure`s: a value, the baseline measured right beside it on the same
database, their ratio, the target (if the issue sets one) and the peak memory of the
measured side. Timings are medians of several runs after one warm-up, so one slow
checkpoint does not decide a PASS.
"""

from __future__ import annotations

import inspect
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, and_, case, func, select, text
from sqlalchemy.orm import aliased

from benchmarks.generate import OPEN, SQLITE_FORMAT, libpq_url
from careloop.services import queries
from careloop.services.actors import actor_for
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_session_factory
from careloop.store.models import Complaint, OrgUnit

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    name: str
    engine: str
    size: int
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    target: str = ""
    passed: bool | None = None
    peak_mib: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]


def timed(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time in seconds after one warm-up run."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak Python allocation of one run (tracemalloc; a separate, untimed run)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _call_with_actor(fn: Callable[..., Any], *args: Any, actor: Any, **kwargs: Any) -> Any:
    """Lists take the acting person where org scoping exists (it is being added now)."""
    if "actor" in inspect.signature(fn).parameters:
        kwargs["actor"] = actor
    return fn(*args, **kwargs)


# --- the supervisor's "breached in my city" list -------------------------------------------

CITY = "ZJ-HZ"
CITY_LEAD = "hz_lead"


def breached_list(engine: Engine, size: int, now: datetime) -> Figure:
    """The page the API's GET /api/v1/complaints serves (services.queries.list_complaints,
    which the endpoint and the web list call), with its capped total; the next page by
    cursor (keyset) is timed alongside and reported in the note."""
    factory = make_session_factory(engine)
    box: dict[str, Any] = {}
    filters = queries.ComplaintFilter(status=list(OPEN), region=CITY, due_to=now)

    def page(after: str | None = None) -> Any:
        with UnitOfWork(factory) as uow:
            actor = actor_for(uow, CITY_LEAD)
            kwargs = {"after": after} if after else {}
            return _call_with_actor(
                queries.list_complaints, uow, filters, 50, 0, "reply_due_at", actor=actor,
                now=now, **kwargs,
            )  # fmt: skip

    def run() -> None:
        first = page()
        box["total"], box["items"] = first.total, len(first.items)
        box["capped"] = getattr(first, "total_capped", False)
        box["cursor"] = getattr(first, "next_cursor", None)

    seconds = timed(run, repeat=7)
    note = f"total={box['total']}{'+ (capped)' if box['capped'] else ''}, page={box['items']}"
    if box["cursor"]:
        cursor = box["cursor"]
        note += f"; next page by cursor {timed(lambda: page(cursor), repeat=7) * 1000:.1f} ms"
    return Figure(
        "breached-in-my-city list (page of 50)",
        engine.dialect.name,
        size,
        seconds * 1000,
        "ms",
        peak_mib=peak_mib(run),
        note=note,
    )


# --- the SLA sweep ----------------------------------------------------------------------


def sla_sweep(engine: Engine, size: int, now: datetime) -> Figure:
    """services.sla_sweep.sweep over every open complaint (none evaluated yet), then again."""
    factory = make_session_factory(engine)
    try:
        from careloop.services.sla_sweep import sweep  # type: ignore[import-not-found]
    except ImportError:
        sweep = None
    result: dict[str, Any] = {}
    if sweep is not None:

        def run() -> None:
            result["report"] = sweep(factory, now, worker="bench").as_dict()

        note = "services.sla_sweep.sweep"
    else:

        def run() -> None:
            with UnitOfWork(factory) as uow:
                actor = actor_for(uow, "admin")
                filters = queries.ComplaintFilter(status=list(OPEN), due_to=now)
                page = _call_with_actor(
                    queries.list_complaints, uow, filters, 10**9, 0, "reply_due_at", actor=actor
                )
                result["report"] = page.total

        note = "no SLA sweep service: open & reply_due_at<now via services.queries"
    start = time.perf_counter()
    run()  # the first sweep: every open clock evaluated, alerts and outbox written
    first = time.perf_counter() - start
    first_report = result["report"]
    again = timed(run, repeat=2)
    memory = peak_mib(run)

    def baseline() -> None:
        # The plain scan of the open complaints' due index (migration 0005's partial index,
        # whose predicate queries.open_term spells out): what the sweep cannot beat.
        with engine.connect() as conn:
            conn.execute(
                select(Complaint.id, Complaint.reply_due_at)
                .where(queries.open_term(), Complaint.reply_due_at < now)
                .order_by(Complaint.reply_due_at)
            ).all()

    return Figure(
        "SLA sweep over open complaints (first sweep)",
        engine.dialect.name,
        size,
        first * 1000,
        "ms",
        baseline=timed(baseline, repeat=3) * 1000,
        baseline_label="indexed scan of reply_due_at",
        target="(no target set)",
        peak_mib=memory,
        note=f"{note}: {first_report}; repeat sweep {again * 1000:.0f} ms "
        "(peak: a repeat sweep)",
    )


# --- monthly report and daily early warning ---------------------------------------------


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The last complete calendar month (UTC bounds; the report engineer owns time zones)."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (first - timedelta(days=1)).replace(day=1)
    return start, first


def _roll_up(rows: Any, cities: dict[int, str]) -> list[Any]:
    """Region (city or county) → its city, in Python: the tree has ~60 regions.

    Grouping by region_id and rolling up here, rather than joining org_units per row in SQL,
    halves the report's time on SQLite (measured: 2.1× → within 2× of hand-tuned at 10⁵).
    """
    totals: dict[tuple[str, str], list[int]] = {}
    for region_id, l1, *values in rows:
        acc = totals.setdefault((cities[region_id], l1), [0] * len(values))
        for i, v in enumerate(values):
            acc[i] += int(v or 0)
    return sorted(totals.items())


def monthly_report_sqlalchemy(engine: Engine, now: datetime, cities: dict[int, str]) -> list[Any]:
    start, end = _month_bounds(now)
    on_time = and_(
        Complaint.replied_at.is_not(None), Complaint.replied_at <= Complaint.reply_due_at
    )
    query = (
        select(
            Complaint.region_id,
            Complaint.category_l1,
            func.count().label("received"),
            func.sum(case((Complaint.escalated, 1), else_=0)),
            func.sum(case((Complaint.is_repeat, 1), else_=0)),
            func.count(Complaint.replied_at),
            func.sum(case((on_time, 1), else_=0)),
            func.count(Complaint.callback_satisfied),
            func.sum(case((Complaint.callback_satisfied, 1), else_=0)),
        )
        .where(Complaint.accepted_at >= start, Complaint.accepted_at < end)
        .group_by(Complaint.region_id, Complaint.category_l1)
    )
    with UnitOfWork(make_session_factory(engine)) as uow:
        return _roll_up(uow.session.execute(query).all(), cities)


_MONTHLY_SQL = """
SELECT region_id, category_l1, count(*),
       count(*) FILTER (WHERE escalated), count(*) FILTER (WHERE is_repeat),
       count(replied_at), count(*) FILTER (WHERE replied_at <= reply_due_at),
       count(callback_satisfied), count(*) FILTER (WHERE callback_satisfied)
FROM complaints WHERE accepted_at >= %(start)s AND accepted_at < %(end)s
GROUP BY region_id, category_l1
"""
_MONTHLY_SQLITE = """
SELECT region_id, category_l1, count(*), sum(escalated), sum(is_repeat), count(replied_at),
       sum(replied_at <= reply_due_at), count(callback_satisfied), sum(callback_satisfied = 1)
FROM complaints WHERE accepted_at >= :start AND accepted_at < :end
GROUP BY region_id, category_l1
"""


class RawConnection:
    """Hand-tuned side: the driver alone (no ORM, no type processing), one open connection."""

    def __init__(self, engine: Engine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        if self.postgres:
            import psycopg

            self.conn: Any = psycopg.connect(libpq_url(engine.url.render_as_string(False)))
        else:
            self.conn = sqlite3.connect(str(engine.url.database))

    def fetch(self, sql_pg: str, sql_lite: str, params: dict[str, datetime]) -> list[Any]:
        if self.postgres:
            rows = self.conn.execute(sql_pg, params).fetchall()
            self.conn.rollback()
            return list(rows)
        lite = {k: v.strftime(SQLITE_FORMAT) for k, v in params.items()}
        return self.conn.execute(sql_lite, lite).fetchall()

    def close(self) -> None:
        self.conn.close()


def monthly_report_hand_tuned(raw: RawConnection, now: datetime, cities: dict[int, str]) -> Any:
    start, end = _month_bounds(now)
    return _roll_up(raw.fetch(_MONTHLY_SQL, _MONTHLY_SQLITE, {"start": start, "end": end}), cities)


def _day_expr(engine: Engine) -> Any:
    """The business day in Asia/Shanghai (DESIGN.md: the calendar's zone, not UTC)."""
    if engine.dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", Complaint.accepted_at))
    return func.date(Complaint.accepted_at, "+8 hours")


def early_warning_counts_sqlalchemy(engine: Engine, now: datetime) -> list[Any]:
    since = now - timedelta(days=36)
    day = _day_expr(engine)
    query = (
        select(day.label("day"), Complaint.category, Complaint.region_id, func.count())
        .where(Complaint.accepted_at >= since, Complaint.accepted_at < now)
        .group_by(day, Complaint.category, Complaint.region_id)
    )
    with UnitOfWork(make_session_factory(engine)) as uow:
        return list(uow.session.execute(query).all())


_EW_SQL = """
SELECT (accepted_at AT TIME ZONE 'Asia/Shanghai')::date AS day, category, region_id, count(*)
FROM complaints WHERE accepted_at >= %(since)s AND accepted_at < %(now)s
GROUP BY 1, 2, 3
"""
_EW_SQLITE = """
SELECT substr(datetime(accepted_at, '+8 hours'), 1, 10), category, region_id, count(*)
FROM complaints WHERE accepted_at >= :since AND accepted_at < :now
GROUP BY 1, 2, 3
"""


def early_warning_counts_hand_tuned(raw: RawConnection, now: datetime) -> list[Any]:
    params = {"since": now - timedelta(days=36), "now": now}
    return raw.fetch(_EW_SQL, _EW_SQLITE, params)


def early_warning_flags(rows: list[Any], now: datetime) -> int:
    """Feed the day counts to the domain test (DOMAIN.md §5) the way the morning job will."""
    from careloop.domain.early_warning import detect_rises

    days = [(now - timedelta(days=35 - i)).date().isoformat() for i in range(35)]
    index = {d: i for i, d in enumerate(days)}
    series: dict[tuple[str, int], list[int]] = {}
    for day, category, region_id, n in rows:
        i = index.get(str(day))
        if i is not None:
            series.setdefault((category, region_id), [0] * len(days))[i] += n
    return len(detect_rises(series))


def _indicator_services() -> list[str]:
    found = []
    for name in ("indicators", "early_warning", "reports"):
        try:
            __import__(f"careloop.services.{name}")
            found.append(f"services.{name}")
        except ImportError:
            pass
    return found


def aggregates(engine: Engine, size: int, now: datetime) -> list[Figure]:
    with engine.connect() as conn:
        parent = aliased(OrgUnit)
        cities = {
            uid: (code if kind == "city" else pcode)
            for uid, code, kind, pcode in conn.execute(
                select(OrgUnit.id, OrgUnit.code, OrgUnit.kind, parent.code).join(
                    parent, parent.id == OrgUnit.parent_id
                )
            )
        }
    raw = RawConnection(engine)
    try:
        return _aggregates(engine, raw, cities, size, now)
    finally:
        raw.close()


def _aggregates(
    engine: Engine, raw: RawConnection, cities: dict[int, str], size: int, now: datetime
) -> list[Figure]:
    name = engine.dialect.name
    services = _indicator_services()
    note = (
        f"{', '.join(services)} present but not wired here yet; " if services else ""
    ) + "GROUP BY through SQLAlchemy ORM session"
    ours = monthly_report_sqlalchemy(engine, now, cities)
    assert ours == monthly_report_hand_tuned(raw, now, cities), "monthly figures differ"
    monthly = timed(lambda: monthly_report_sqlalchemy(engine, now, cities))
    monthly_base = timed(lambda: monthly_report_hand_tuned(raw, now, cities))
    ew_rows = early_warning_counts_sqlalchemy(engine, now)
    assert len(ew_rows) == len(early_warning_counts_hand_tuned(raw, now))
    ew = timed(lambda: early_warning_counts_sqlalchemy(engine, now))
    ew_base = timed(lambda: early_warning_counts_hand_tuned(raw, now))
    early_warning_flags([], now)  # imports scipy outside the timing
    flags_start = time.perf_counter()
    flags = early_warning_flags(ew_rows, now)
    flags_seconds = time.perf_counter() - flags_start
    ratio_ok = monthly / monthly_base <= 2
    return [
        Figure(
            "monthly report (city × category, last month)",
            name,
            size,
            monthly * 1000,
            "ms",
            baseline=monthly_base * 1000,
            baseline_label="hand-tuned SQL (driver only)",
            target="≤ 2× hand-tuned",
            passed=ratio_ok,
            peak_mib=peak_mib(lambda: monthly_report_sqlalchemy(engine, now, cities)),
            note=f"{note}; {len(ours)} rows",
        ),
        Figure(
            "daily early warning: 35 days of day×category×region counts",
            name,
            size,
            ew * 1000,
            "ms",
            baseline=ew_base * 1000,
            baseline_label="hand-tuned SQL (driver only)",
            target="< 1000 ms DB time (at 10⁶)",
            passed=ew < 1.0,
            peak_mib=peak_mib(lambda: early_warning_counts_sqlalchemy(engine, now)),
            note=f"{len(ew_rows)} cells·days; domain test on them {flags_seconds * 1000:.0f} ms, "
            f"{flags} flags",
        ),
    ]


# --- intake through the HTTP API ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


AGENTS = ("hz_agent1", "hz_agent2", "hz_agent3", "nb_agent1", "nb_agent2", "wz_agent1")
PASSWORD = "bench-password-2026"


def _prepare_logins(engine: Engine, now: datetime) -> bool:
    """Where API tokens exist (auth is being added now), give the bench agents a password."""
    try:
        from careloop.services import auth  # type: ignore[attr-defined]
    except ImportError:
        return False
    with UnitOfWork(make_session_factory(engine)) as uow:
        for username in AGENTS:
            auth.set_password(uow, username, PASSWORD, now)
        uow.commit()
    return True


class Server:
    """`careloop serve` as a subprocess on loopback (what an operator runs)."""

    def __init__(self, url: str) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "CARELOOP_DATABASE_URL": url,
            "CARELOOP_INTAKE_RATE_PER_MINUTE": "0",
            "CARELOOP_LOGIN_RATE_PER_MINUTE": "0",
        }
        exe = Path(sys.executable).with_name("careloop")
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                self.stop()
                raise RuntimeError(f"careloop serve did not start: {err[-2000:]}")
            time.sleep(0.2)

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _headers(base: str, username: str, with_login: bool) -> dict[str, str]:
    headers = {"X-CareLoop-User": username, "Accept-Language": "en"}
    if with_login:
        reply = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        reply.raise_for_status()
        headers["Authorization"] = f"Bearer {reply.json()['token']}"
    return headers


def _body(i: int) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "customer": {"phone": f"139{i:08d}", "name": "测试客户"},
        "category": ("network.coverage", "billing.dispute", "broadband.speed")[i % 3],
        "region": ("ZJ-HZ-XH", "ZJ-NB-YZ", "ZJ-WZ-LC")[i % 3],
        "description": f"基准测试：家里信号很差，打电话经常断线（第 {i} 单）",
    }


def _run_clients(clients: int, total: int, work: Callable[[int, int], None]) -> float:
    """`clients` threads share `total` requests; returns the wall time of all of them."""
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(k, total, clients):
                work(k, i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def intake(engine: Engine, url: str, size: int, now: datetime, requests: int,
           clients: int) -> Figure:  # fmt: skip
    with_login = _prepare_logins(engine, now)
    server = Server(url)
    try:
        sessions = [
            httpx.Client(
                base_url=server.base,
                headers=_headers(server.base, AGENTS[k % len(AGENTS)], with_login),
                timeout=60,
            )
            for k in range(clients)
        ]
        offset = size * 10  # phones that no generated complaint uses

        def post(k: int, i: int) -> None:
            reply = sessions[k].post("/api/v1/complaints", json=_body(offset + i))
            if reply.status_code != 201:
                raise RuntimeError(f"intake answered {reply.status_code}: {reply.text[:300]}")

        _run_clients(clients, clients * 5, post)  # warm-up: connections, caches
        offset += clients * 5
        api_seconds = _run_clients(clients, requests, post)
        rss = server.peak_rss_mib()
        for s in sessions:
            s.close()
    finally:
        server.stop()
    raw_seconds = _raw_inserts(engine, requests, clients, now)
    api_rate, raw_rate = requests / api_seconds, requests / raw_seconds
    name = engine.dialect.name
    return Figure(
        f"intake via HTTP API ({clients} clients, {requests} requests)",
        name,
        size,
        api_rate,
        "req/s",
        baseline=raw_rate,
        baseline_label="raw single-row INSERT transactions",
        target="≥ 40 % of raw (PostgreSQL)" if name == "postgresql" else "(informational)",
        passed=(api_rate / raw_rate >= 0.4) if name == "postgresql" else None,
        peak_mib=rss,
        note="peak = server RSS (VmHWM) " + ("with bearer login" if with_login else ""),
    )


_INSERT_COLUMNS = (
    "version, status, channel, customer_phone, customer_tier, category, category_l1, product, "
    "region_id, description, priority, escalated, regulator_transfer, is_repeat, reopen_count, "
    "first_owner_id, owner_unit_id, accepted_at, reply_due_at, updated_at"
)


def _raw_inserts(engine: Engine, total: int, clients: int, now: datetime) -> float:
    """The floor: one complaint row per transaction, same concurrency, driver only."""
    with engine.connect() as conn:
        region, staff, unit = conn.execute(
            text(
                "SELECT o.id, s.id, s.org_unit_id FROM org_units o, staff s "
                "WHERE o.code = 'ZJ-HZ-XH' AND s.username = 'hz_agent1'"
            )
        ).one()
    due = now + timedelta(days=15)

    def values(i: int) -> tuple[Any, ...]:
        return (1, "accepted", "hotline", f"137{i:08d}", "standard", "network.coverage",
                "network", "mobile", region, f"原始插入基准 {i}", "normal", False, False, False,
                0, staff, unit, now, due, now)  # fmt: skip

    if engine.dialect.name == "postgresql":
        import psycopg

        conns = [
            psycopg.connect(libpq_url(engine.url.render_as_string(False)), autocommit=True)
            for _ in range(clients)
        ]
        sql = f"INSERT INTO complaints ({_INSERT_COLUMNS}) VALUES ({', '.join(['%s'] * 20)})"

        def insert(k: int, i: int) -> None:
            conns[k].execute(sql, values(i))

    else:
        path = str(engine.url.database)
        conns = [sqlite3.connect(path, timeout=30, isolation_level=None,
                                 check_same_thread=False) for _ in range(clients)]  # fmt: skip
        for c in conns:
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
        sql = f"INSERT INTO complaints ({_INSERT_COLUMNS}) VALUES ({', '.join(['?'] * 20)})"

        def insert(k: int, i: int) -> None:
            row = tuple(v.strftime(SQLITE_FORMAT) if isinstance(v, datetime) else v
                        for v in values(i))  # fmt: skip
            conns[k].execute("BEGIN IMMEDIATE")
            conns[k].execute(sql, row)
            conns[k].execute("COMMIT")

    try:
        _run_clients(clients, clients * 5, lambda k, i: insert(k, 10**8 + i))
        return _run_clients(clients, total, lambda k, i: insert(k, 2 * 10**8 + i))
    finally:
        for c in conns:
            c.close()
