"""`careloop serve --workers N`: N uvicorn worker processes built by the app factory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from benchmarks.generate import generate
from benchmarks.measures import Server


def test_serve_with_two_workers_answers_from_two_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    generate(url, 20, now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC), days=30)
    server = Server(url, workers=2)
    try:
        for _ in range(20):
            if len(server.pids()) == 2:
                break
            httpx.get(f"{server.base}/healthz", timeout=10)
        assert len(server.pids()) == 2
        assert httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200
        assert server.peak_rss_mib() > 0
    finally:
        server.stop()
    assert server.proc.poll() is not None
