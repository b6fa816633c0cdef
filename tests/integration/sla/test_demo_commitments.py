"""The demo province keeps the service commitments: a complaint taken through the HTTP API
on a freshly loaded demo is held to the commitment of its kind and region (both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.demo.load import DEMO_PASSWORD, load_demo
from careloop.store.database import make_engine, make_session_factory
from careloop.store.migrate import upgrade
from tests.conftest import LiveServer, MovableClock, PgFactory


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    pg_factory: PgFactory | None,
    clock: MovableClock,
) -> str:
    """An empty database, migrated, with a small demo loaded up to the test clock."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    else:
        if pg_factory is None:
            pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
        name = f"{pg_factory.prefix}_demo_{len(pg_factory.created)}"
        pg_factory._execute(f'CREATE DATABASE "{name}"')
        pg_factory.created.append(name)
        url = pg_factory.url(name)
    upgrade(url)
    engine = make_engine(url)
    try:
        load_demo(make_session_factory(engine), count=40, days=5, seed=11, end=clock.now)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def demo_server(demo_url: str, clock: MovableClock) -> Iterator[LiveServer]:
    app = create_app(Settings(database_url=demo_url), clock=clock)
    with LiveServer(app) as live:
        yield live
    app.state.engine.dispose()


def _as(server: LiveServer, username: str) -> httpx.Client:
    login = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return httpx.Client(
        base_url=server.url,
        timeout=30,
        headers={"Authorization": f"Bearer {login.json()['token']}", "Accept-Language": "zh"},
    )


def _taken_and_dispatched(
    agent: httpx.Client, category: str, region: str, unit: str, **dispatch: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    body = {
        "channel": "hotline",
        "customer": {"phone": "13700001111", "tier": "standard"},
        "category": category,
        "product": "broadband",
        "region": region,
        "description": "用户来电反映宽带问题，要求尽快处理。",
    }
    created = agent.post("/api/v1/complaints", json=body)
    assert created.status_code == 201, created.text
    c = created.json()
    sent = agent.post(
        f"/api/v1/complaints/{c['id']}/dispatch",
        json={"version": c["version"], "unit": unit, **dispatch},
    )
    assert sent.status_code == 201, sent.text
    return c, sent.json()


def test_demo_repairs_and_installations_are_held_to_their_commitments(demo_server: LiveServer):
    rural = _as(demo_server, "ls_agent1")  # 丽水: 青田县 is a county, so rural
    c, order = _taken_and_dispatched(rural, "broadband.outage", "ZJ-LS-QT", "ZJ-LS-QT-NET")
    assert c["sla"]["policy"]["code"] == "repair_rural"
    assert c["sla"]["policy"]["name"].startswith("修障承诺（农村）")
    restore = next(s for s in order["steps"] if s["kind"] == "restore")
    due = datetime.fromisoformat(restore["due_at"])
    assert due == datetime.fromisoformat(order["dispatched_at"]) + timedelta(hours=72)

    urban = _as(demo_server, "hz_agent1")  # 杭州西湖区: a city district, so urban
    appointment = datetime.fromisoformat(c["accepted_at"]) + timedelta(hours=2)
    c, order = _taken_and_dispatched(
        urban,
        "broadband.outage",
        "ZJ-HZ-XH",
        "ZJ-HZ-XH-NET",
        appointment_at=appointment.isoformat(),
    )
    assert c["sla"]["policy"]["code"] == "repair_urban"
    steps = {s["kind"]: s for s in order["steps"]}
    assert set(steps) == {"arrival", "restore"}
    assert datetime.fromisoformat(steps["arrival"]["due_at"]) == appointment + timedelta(minutes=30)

    c, order = _taken_and_dispatched(urban, "installation.new_line", "ZJ-HZ-XH", "ZJ-HZ-XH-NET")
    assert c["sla"]["policy"]["code"] == "installation"
    feasibility = next(s for s in order["steps"] if s["kind"] == "feasibility")
    assert datetime.fromisoformat(feasibility["due_at"]) == datetime.fromisoformat(
        order["dispatched_at"]
    ) + timedelta(hours=24)
