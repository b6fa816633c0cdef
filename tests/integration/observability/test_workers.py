"""`careloop serve --workers 2`: /metrics adds up the requests of every worker process.

Without prometheus_client's multiprocess mode each worker would count alone and a scrape
would see the share of whichever worker answered it. Here requests are spread over both
workers (each one's counter file shows some), and every scrape, wherever it lands, shows
the sum.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.conftest import PgFactory
from tests.integration.faults.server import free_port

LIVEZ = re.compile(
    r'^careloop_http_request_duration_seconds_count\{method="GET",route="/livez",'
    r'status="2xx"\} ([0-9.]+)$',
    re.M,
)


def _livez_count(text: str) -> float:
    return sum(float(n) for n in LIVEZ.findall(text))


def _per_worker(directory: Path, scratch: Path) -> list[float]:
    """/livez requests counted by each worker process, from its own counter file alone."""
    counts = []
    for path in sorted(directory.glob("histogram_*.db")):
        alone = scratch / path.stem
        alone.mkdir()
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts.append(_livez_count(generate_latest(registry).decode()))
    return counts


def test_metrics_sum_the_requests_of_every_worker(pg_factory: PgFactory | None, tmp_path: Path):
    if pg_factory is None:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    metrics_dir = tmp_path / "metrics"
    port = free_port()
    env = {
        **os.environ,
        "CARELOOP_DATABASE_URL": pg_factory.new(),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    env.pop("CARELOOP_METRICS_TOKEN", None)
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "careloop.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # two app imports on a loaded 2-core machine
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        sent = 0
        scratch = tmp_path / "scratch"
        # Each request on a new connection: the kernel hands connections to either worker.
        # Until both have answered some (usually the first batch), send another batch.
        for attempt in range(10):
            for _ in range(30):
                assert httpx.get(f"{base}/livez", timeout=10).status_code == 200
                sent += 1
            look = scratch / str(attempt)
            look.mkdir(parents=True)
            shares = _per_worker(metrics_dir, look)
            if len([n for n in shares if n > 0]) >= 2:
                break
        assert len([n for n in shares if n > 0]) >= 2, f"one worker answered all: {shares}"
        assert sum(shares) == sent
        for _ in range(4):  # wherever each scrape lands, it shows every worker's requests
            scraped = httpx.get(f"{base}/metrics", timeout=30)
            assert scraped.status_code == 200, scraped.text
            assert _livez_count(scraped.text) == sent
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
