"""PostgreSQL goes away while the API runs: requests fail cleanly (503), then work again.

The shared server is not restarted: the test database refuses new connections and every
backend connected to it is terminated, which is what the API sees of a restart.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PG_ADMIN_URL, PgFactory
from tests.integration.api.helpers import complaint_body
from tests.integration.faults.server import ServerProcess


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _outage(name: str, down: bool) -> None:
    _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if down else "true"}')
    if down:
        _admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )


def test_database_outage_fails_cleanly_then_recovers(pg_factory: PgFactory | None, tmp_path: Path):
    if pg_factory is None:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    url = pg_factory.new()
    name = url.rsplit("/", 1)[1]
    server = ServerProcess(url, tmp_path).start()
    try:
        token = server.token()
        with server.client(token) as client:
            assert client.post("/api/v1/complaints", json=complaint_body()).status_code == 201
            _outage(name, down=True)
            try:
                for method, path, body in [
                    ("GET", "/api/v1/complaints", None),
                    ("POST", "/api/v1/complaints", complaint_body(source_ref="DURING-OUTAGE")),
                    ("GET", "/api/v1/complaints/1", None),
                ]:
                    response = client.request(method, path, json=body)
                    assert response.status_code == 503, response.text
                    assert response.headers["content-type"].startswith("application/problem+json")
                    assert response.json()["code"] == "database_unavailable"
                    assert response.headers["Retry-After"]
                    assert "Traceback" not in response.text and "psycopg" not in response.text
                health = client.get("/healthz")
                assert health.status_code == 503
            finally:
                _outage(name, down=False)
            deadline = time.monotonic() + 15
            while client.get("/healthz").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            listed = client.get("/api/v1/complaints")
            assert listed.status_code == 200 and listed.json()["total"] == 1
            created = client.post("/api/v1/complaints", json=complaint_body(source_ref="AFTER"))
            assert created.status_code == 201, created.text
        log = server.log_path.read_text()
        assert "13812345678" not in log  # the logs carry no customer phone numbers
    finally:
        server.stop()
