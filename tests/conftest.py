"""Shared fixtures: real databases (SQLite and PostgreSQL), a real HTTP server, a movable clock.

PostgreSQL tests run whenever the server answers on 127.0.0.1:5432 (override with
CARELOOP_TEST_PG_URL); with CARELOOP_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable
server is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.services.org import setup as org
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "CARELOOP_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("CARELOOP_REQUIRE_POSTGRES") == "1"

TEST_PASSWORD = "careloop-test"
"""Every test account's password."""

# Cheap Argon2 parameters for the test accounts only: a login verifies with the parameters
# stored in the hash, so the suite doesn't spend 0.1 s of CPU on every login.
TEST_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
    TEST_PASSWORD
)


@dataclass
class MovableClock:
    """Tests move time instead of sleeping (DESIGN.md)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 9, 28, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def seed_test_org(url: str) -> None:
    """A small province: two cities, their counties and departments, one of each role."""
    engine = make_engine(url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        specs = [
            ("G", "集团", "Group", "group", None, None),
            ("P", "某省公司", "Province", "province", "G", None),
            ("P-QA", "省服务质量部", "Province quality", "department", "P", "quality"),
            ("C1", "甲市分公司", "City One", "city", "P", None),
            ("C1-HOT", "甲市客服中心", "City One hotline", "department", "C1", "hotline"),
            ("C1-BILL", "甲市计费部", "City One billing", "department", "C1", "billing"),
            ("C1-K1", "甲市东区", "East district", "county", "C1", None),
            ("C1-K1-NET", "东区网络部", "East district network", "department", "C1-K1", "network"),
            ("C1-K2", "甲市西区", "West district", "county", "C1", None),
            ("C1-K2-NET", "西区网络部", "West district network", "department", "C1-K2", "network"),
            ("C2", "乙市分公司", "City Two", "city", "P", None),
            ("C2-K1", "乙市北区", "North district", "county", "C2", None),
            ("C2-K1-NET", "北区网络部", "North district network", "department", "C2-K1", "network"),
        ]
        for code, zh, en, kind, parent, dept in specs:
            org.add_unit(uow, org.UnitSpec(code, zh, en, kind, parent, dept))
        staff = [
            ("agent1", "王坐席", "agent", "C1-HOT"),
            ("agent2", "李坐席", "agent", "C1-HOT"),
            ("net1", "张网络", "handler", "C1-K1-NET"),
            ("net2", "赵网络", "handler", "C1-K2-NET"),
            ("bill1", "陈计费", "handler", "C1-BILL"),
            ("lead1", "刘主任", "unit_lead", "C1"),
            ("super1", "周督导", "supervisor", "P-QA"),
            ("admin", "管理员", "admin", "P"),
            ("inspector", "管局检查员", "inspector", "P"),
        ]
        for username, name, role, unit in staff:
            org.add_staff(uow, username, name, role, unit, password_hash=TEST_PASSWORD_HASH)
        uow.commit()
    engine.dispose()


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


class PgFactory:
    """Databases cloned from one migrated template: each test gets its own, fast."""

    def __init__(self) -> None:
        import psycopg

        self.psycopg = psycopg
        self.prefix = f"careloop_test_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_tpl"
        self.created: list[str] = []
        self._execute(f'CREATE DATABASE "{self.template}"')
        upgrade(self.url(self.template))
        seed_test_org(self.url(self.template))

    def _execute(self, sql: str) -> None:
        with self.psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql)

    @staticmethod
    def url(name: str) -> str:
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        return f"{base}/{name}"

    def new(self) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        # A throwaway database need not wait for the disk at each commit (2.1 ms against
        # 0.45 ms per single-row commit measured here): what a commit makes visible, and
        # when, is the same; only a crash of the PostgreSQL server itself could lose it.
        self._execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        self.created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        for name in [*self.created, self.template]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    seed_test_org(url)
    return path


@pytest.fixture(scope="session")
def pg_factory() -> Iterator[PgFactory | None]:
    if not _pg_reachable():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (CARELOOP_REQUIRE_POSTGRES=1) but unreachable")
        yield None
        return
    factory = PgFactory()
    yield factory
    factory.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_factory: PgFactory | None,
) -> str:
    """A fresh, migrated, seeded database on each engine; tests using it run twice."""
    if request.param == "sqlite":
        target = tmp_path / "careloop.sqlite3"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    if pg_factory is None:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return pg_factory.new()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


class LiveServer:
    """The real app behind a real uvicorn socket on loopback."""

    def __init__(self, app: object) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30  # a loaded 2-core CI machine starts uvicorn slowly
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def app(database_url: str, clock: MovableClock):  # type: ignore[no-untyped-def]
    application = create_app(Settings(database_url=database_url), clock=clock)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def server(app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with LiveServer(app) as live:
        yield live


class _StaffAuth(httpx.Auth):
    """Bearer token of one member of staff; logs in again once if the token has expired
    (tests move the clock by days, longer than a session lasts)."""

    def __init__(self, api: Api, username: str) -> None:
        self.api = api
        self.username = username

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        token = self.api.token(self.username)
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and token:
            fresh = self.api.token(self.username, refresh=True)
            if fresh and fresh != token:
                request.headers["Authorization"] = f"Bearer {fresh}"
                yield request


class Api:
    """An HTTP client that acts as a named member of staff (logged in with TEST_PASSWORD)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self._tokens: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def login(self, username: str, password: str = TEST_PASSWORD) -> httpx.Response:
        return self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )

    def token(self, username: str, refresh: bool = False) -> str | None:
        """A cached token per username; None if that user cannot log in."""
        with self._lock:
            if refresh or username not in self._tokens:
                response = self.login(username)
                self._tokens[username] = (
                    response.json()["token"] if response.status_code == 200 else None
                )
            return self._tokens[username]

    def as_(self, username: str, lang: str = "zh") -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            timeout=30,
            headers={"Accept-Language": lang},
            auth=_StaffAuth(self, username),
        )


@pytest.fixture
def api(server: LiveServer) -> Api:
    return Api(server.url)


_FIGURES: list[str] = []


@pytest.fixture
def report_figure(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Record a measured figure (crash counts, fuzz coverage, false-alarm rate) that the run
    prints at its end, so CI's log shows it even when the test passes quietly."""

    def record(line: str) -> None:
        _FIGURES.append(f"{request.node.nodeid}: {line}")

    return record


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _FIGURES:
        terminalreporter.section("CareLoop figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


LONGEST_FILES: tuple[str, ...] = (
    "tests/security/test_cross_scope.py",
    "tests/integration/sla/test_worker_processes.py",
    "tests/integration/reports/test_early_warning_and_reports.py",
    "tests/security/test_otp_abuse.py",
    "tests/integration/reports/test_report_privacy.py",
    "tests/integration/reports/test_daily_counts.py",
    "tests/integration/api/test_time_bounds.py",
    "tests/e2e/test_accessibility.py",
    "tests/security/test_far_times.py",
    "tests/integration/sla/test_sla_prefilter.py",
    "tests/integration/fuzz/test_schemathesis.py",
    "tests/security/test_masking.py",
    "tests/security/test_hostile_text.py",
)
"""The files that take longest, longest first (``--durations=80`` of a whole run, summed per
file). Spread a file per worker (``--dist loadfile --no-loadscope-reorder``), the suite ends
when its last file does: a ten-minute file handed out last kept one core busy alone at the
end, so these go out first and the many short files fill in behind them."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FILES)}
    first = len(LONGEST_FILES)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], first))
