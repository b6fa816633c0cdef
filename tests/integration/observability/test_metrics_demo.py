"""/metrics scraped on a freshly loaded demo province shows the request histogram and the
complaint gauges with the values an independent count finds (both engines).

Reuses the demo server of the service-commitment tests (a small demo loaded through the
services up to the test clock). The expected counts do not go through the figures' SQL
pre-filters: every open complaint is loaded and its clocks explained one by one.
"""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from careloop.demo.load import DEMO_PASSWORD
from careloop.domain.lifecycle.tickets import OPEN_STATUSES
from careloop.jobs.runner import InProcessRunner
from careloop.services.sla.clocks import explain
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Complaint, Notification
from tests.conftest import LiveServer, MovableClock
from tests.integration.sla.test_demo_commitments import demo_server, demo_url

__all__ = ["demo_server", "demo_url"]  # the fixtures, shared with the commitment tests


def _sample(body: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$", body, re.M)
    assert match, f"{name}{labels} missing"
    return float(match.group(1))


def _expected(url: str, clock: MovableClock) -> dict[str, int]:
    """Open, warning and breached by brute force: each open complaint's clocks, explained."""
    engine = make_engine(url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            open_values = [s.value for s in OPEN_STATUSES]
            query = select(Complaint).where(Complaint.status.in_(open_values))
            rows = list(uow.session.scalars(query))
            clocks = explain(uow, rows, clock.now)
            worst = [{v.state.state for v in clocks[c.id].clocks} for c in rows]
            waiting = Notification.status == "pending"
            pending = uow.session.scalar(select(func.count()).where(waiting))
    finally:
        engine.dispose()
    return {
        "open": len(rows),
        "breached": sum("breached" in states for states in worst),
        "warning": sum("warning" in states and "breached" not in states for states in worst),
        "pending": int(pending or 0),
    }


def test_metrics_show_the_demo_complaints_requests_and_sweep(
    demo_server: LiveServer, demo_url: str, clock: MovableClock
):
    # Two days on: the demo's fresh complaints reach their warnings, older ones breach.
    clock.advance(days=2)
    InProcessRunner(demo_url).run_once(clock.now)
    clock.advance(seconds=90)
    # The demo's first list page judges every clock: on a loaded CI machine that can take
    # longer than httpx's 5-second default, which would fail the test for no fault of ours.
    with httpx.Client(base_url=demo_server.url, timeout=60) as client:
        login = client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": DEMO_PASSWORD}
        )
        assert login.status_code == 200, login.text
        staff = {"Authorization": f"Bearer {login.json()['token']}"}
        listed = client.get("/api/v1/complaints", headers=staff).json()
        first = listed["items"][0]["id"]
        for _ in range(2):
            assert client.get(f"/api/v1/complaints/{first}", headers=staff).is_success
        body = client.get("/metrics").text
    expected = _expected(demo_url, clock)
    assert expected["open"] > 0 and expected["breached"] + expected["warning"] > 0
    for state in ("open", "warning", "breached"):
        got = _sample(body, "careloop_complaints", f'{{state="{state}"}}')
        assert got == expected[state], (state, got, expected)
    assert _sample(body, "careloop_outbox_messages", '{state="pending"}') == expected["pending"]

    template = '{method="GET",route="/api/v1/complaints/{complaint_id}",status="2xx"}'
    assert _sample(body, "careloop_http_request_duration_seconds_count", template) >= 2
    assert f'/api/v1/complaints/{first}"' not in body  # ids never become labels
    # The sweep recorded its run; its lag is measured on the app's clock.
    assert _sample(body, "careloop_job_runs_total", '{job="sla.sweep"}') == 1
    assert _sample(body, "careloop_job_failures_total", '{job="sla.sweep"}') == 0
    assert _sample(body, "careloop_sla_sweep_lag_seconds") == 90
    assert _sample(body, "careloop_sla_sweep_duration_seconds") > 0
