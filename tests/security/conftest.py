"""Fixtures of the attack suite: one live server and one seeded database per module and engine.

The suite's tests only read (or act on objects they made themselves), so a module shares
its server, its clock and its seeded complaints instead of building them per test: the
whole suite then runs on both engines in a bounded time.

The test organisation (tests/conftest.py) is extended with a hotline in city C2, with an
agent of its own, and with a second province P2: complaints that are out of scope for every
member of staff of city C1 (C2) and for the province-wide roles of province P (P2).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.services.org import setup as org
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import (
    TEST_PASSWORD_HASH,
    Api,
    LiveServer,
    MovableClock,
    PgFactory,
)

EXTRA_UNITS = [
    ("C2-HOT", "乙市客服中心", "City Two hotline", "department", "C2", "hotline"),
    ("P2", "另一省公司", "Province Two", "province", "G", None),
    ("P2-C1", "丙市分公司", "City Three", "city", "P2", None),
    ("P2-C1-HOT", "丙市客服中心", "City Three hotline", "department", "P2-C1", "hotline"),
]
EXTRA_STAFF = [
    ("agentc2", "钱坐席", "agent", "C2-HOT"),
    ("agentp2", "孙坐席", "agent", "P2-C1-HOT"),
    ("leadp2", "吴主任", "unit_lead", "P2-C1"),
]
STAFF = ["agent1", "agent2", "net1", "net2", "bill1", "lead1", "super1", "admin", "inspector"]
"""The members of staff of province P (tests/conftest.py), one of each role."""


def extend_org(url: str) -> None:
    engine = make_engine(url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            for code, zh, en, kind, parent, dept in EXTRA_UNITS:
                org.add_unit(uow, org.UnitSpec(code, zh, en, kind, parent, dept))
            for username, name, role, unit in EXTRA_STAFF:
                org.add_staff(uow, username, name, role, unit, password_hash=TEST_PASSWORD_HASH)
            uow.commit()
    finally:
        engine.dispose()


@dataclass
class Stack:
    """A live server on a database of its own, its movable clock and a logged-in client."""

    engine: str
    database_url: str
    clock: MovableClock
    app: object
    server: LiveServer
    api: Api

    @property
    def url(self) -> str:
        return self.server.url


def fresh_database(request: pytest.FixtureRequest, engine: str, tmp: Path) -> str:
    """A migrated, seeded database of its own; each engine's template is built only when a
    test of that engine runs."""
    if engine == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp / "careloop.sqlite3"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    pg_factory: PgFactory | None = request.getfixturevalue("pg_factory")
    if pg_factory is None:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return pg_factory.new()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """One server per module and engine, on the test organisation extended by EXTRA_UNITS."""
    engine: str = request.param
    url = fresh_database(request, engine, tmp_path_factory.mktemp("sec"))
    extend_org(url)
    clock = MovableClock()
    app = create_app(Settings(database_url=url), clock=clock)
    try:
        with LiveServer(app) as live:
            yield Stack(engine, url, clock, app, live, Api(live.url))
    finally:
        app.state.engine.dispose()
