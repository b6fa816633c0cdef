"""kill -9 during a burst of intake: every acknowledged complaint exists exactly once.

`careloop serve` runs as a subprocess on a loopback port, on SQLite (a file) and on a
throwaway PostgreSQL database. Threads send complaints, each with its own idempotency key;
the server is killed with SIGKILL mid-burst and restarted on the same database.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.integration.api.helpers import complaint_body
from tests.integration.faults.server import ServerProcess

THREADS = 6
PER_THREAD = 40
KILL_AFTER = 30
"""Acknowledged complaints before the kill: enough to prove the point, well before the end."""


def _key(thread: int, n: int) -> str:
    # Fixed width, so that one key is never a substring of another in a text search.
    return f"FAULT-{thread:02d}-{n:03d}"


def _body(key: str) -> dict[str, object]:
    return complaint_body(source_ref=key, description=f"故障注入测试 {key}")


def test_acknowledged_complaints_survive_kill_9(database_url: str, tmp_path: Path, report_figure):  # type: ignore[no-untyped-def]
    server = ServerProcess(database_url, tmp_path).start()
    token = server.token()
    acknowledged: dict[str, int] = {}
    sent: list[str] = []
    lock = threading.Lock()

    def burst(thread: int) -> None:
        with server.client(token, timeout=5) as client:
            for n in range(PER_THREAD):
                key = _key(thread, n)
                with lock:
                    sent.append(key)
                try:
                    response = client.post(
                        "/api/v1/complaints", json=_body(key), headers={"Idempotency-Key": key}
                    )
                except httpx.TransportError:
                    return  # the server is gone
                if response.status_code in (200, 201):
                    with lock:
                        acknowledged[key] = response.json()["id"]

    threads = [threading.Thread(target=burst, args=(t,)) for t in range(THREADS)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill9()
        for t in threads:
            t.join(timeout=30)
        assert 0 < len(acknowledged) < THREADS * PER_THREAD, "the kill came mid-burst"

        server = ServerProcess(database_url, tmp_path).start()
        found = 0
        with server.client(token) as client:  # the session survives the restart too
            for key, complaint_id in sorted(acknowledged.items()):
                matches = client.get("/api/v1/complaints", params={"q": key}).json()
                assert matches["total"] == 1, (key, matches["total"])
                assert matches["items"][0]["id"] == complaint_id
                events = client.get(f"/api/v1/complaints/{complaint_id}/events").json()
                assert events[0]["action"] == "accept"
                found += 1
            report_figure(f"kill -9 mid-burst: acknowledged={len(acknowledged)} found={found}")
            assert found == len(acknowledged)

            # Clients retry what was never acknowledged: with the same key nothing doubles.
            for key in sent:
                retry = client.post(
                    "/api/v1/complaints", json=_body(key), headers={"Idempotency-Key": key}
                )
                assert retry.status_code in (200, 201), retry.text
                if key in acknowledged:
                    assert retry.status_code == 200 and retry.json()["id"] == acknowledged[key]
            total = client.get("/api/v1/complaints", params={"limit": 1}).json()["total"]
            assert total == len(set(sent))
    finally:
        server.stop()
