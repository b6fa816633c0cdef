"""/livez, /readyz and who may read /metrics, against a real server on both engines."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from careloop.store.database import make_engine
from tests.conftest import LiveServer

CHECKS = ["database", "migrations", "job_queue"]


def _rewrite_schema_version(database_url: str, new: str, old: str | None = None) -> str:
    """Set one row of Alembic's table to ``new``; the revision it replaced."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            old = old or conn.scalar(text("SELECT min(version_num) FROM alembic_version"))
            conn.execute(
                text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                {"new": new, "old": old},
            )
    finally:
        engine.dispose()
    return str(old)


def test_readyz_names_every_check_and_a_schema_behind_the_release_is_not_ready(
    server: LiveServer, database_url: str
):
    live = httpx.get(f"{server.url}/livez")
    assert live.status_code == 200 and live.json()["status"] == "live"
    ready = httpx.get(f"{server.url}/readyz", headers={"Accept-Language": "en"})
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert [c["name"] for c in ready.json()["checks"]] == CHECKS
    assert all(c["ok"] for c in ready.json()["checks"])
    assert ready.headers["cache-control"] == "no-store"

    # An upgrade not yet run: the schema at the first revision, behind this release.
    head = _rewrite_schema_version(database_url, "0001")
    try:
        behind = httpx.get(f"{server.url}/readyz", headers={"Accept-Language": "en"})
        assert behind.status_code == 503, behind.text
        assert behind.json()["failed"] == "migrations"
        assert "careloop migrate" in behind.json()["message"]
        chinese = httpx.get(f"{server.url}/readyz").json()["message"]
        assert "数据库结构版本" in chinese
        assert httpx.get(f"{server.url}/livez").status_code == 200
    finally:
        _rewrite_schema_version(database_url, head, old="0001")
    assert httpx.get(f"{server.url}/readyz").status_code == 200


def _count(body: str, route: str) -> float:
    pattern = (
        r'careloop_http_request_duration_seconds_count\{method="GET",'
        rf'route="{re.escape(route)}",status="(\dxx)"\}} ([0-9.e+]+)'
    )
    return sum(float(n) for _, n in re.findall(pattern, body))


def test_metrics_label_requests_by_route_template_and_need_the_token_once_one_is_set(
    app: Any, server: LiveServer, monkeypatch: pytest.MonkeyPatch
):
    before = httpx.get(f"{server.url}/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    template = "/api/v1/complaints/{complaint_id}"
    for _ in range(3):
        httpx.get(f"{server.url}/api/v1/complaints/13987654321")
    after = httpx.get(f"{server.url}/metrics").text
    # The histogram is the process's: other tests in this process add to it, never this one.
    assert _count(after, template) - _count(before.text, template) == 3
    assert "13987654321" not in after  # no raw path, no number, in a label
    assert 'careloop_complaints{state="open"}' in after
    assert "careloop_database_up 1.0" in after

    # The token is one of the app's settings (CARELOOP_METRICS_TOKEN), read per scrape.
    with_token = app.state.settings.model_copy(update={"metrics_token": "s3cret-scrape"})
    monkeypatch.setattr(app.state, "settings", with_token)
    refused = httpx.get(f"{server.url}/metrics", headers={"Accept-Language": "en"})
    assert refused.status_code == 401
    assert "Bearer" in refused.json()["detail"]
    wrong = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    allowed = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert allowed.status_code == 200 and "careloop_complaints" in allowed.text
