"""Bulk intake through HTTP (issue 7): POST /api/v1/complaints/batch against `careloop serve`.

Same server, same concurrency and the same baseline as the single-intake figure in
measures.py (raw single-row INSERT transactions on the same database), so the two ratios
can be read side by side: single = one complaint per request, batch = `batch` per request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from benchmarks.measures import (
    AGENTS,
    Figure,
    Server,
    _body,
    _headers,
    _prepare_logins,
    _raw_inserts,
    _run_clients,
    intake_figure,
)

BATCH = 100
"""Items per request: a feed page; the endpoint takes up to 500."""


def batch_intake(
    engine: Engine,
    url: str,
    size: int,
    now: datetime,
    complaints: int,
    clients: int,
    batch: int = BATCH,
    workers: int = 1,
) -> Figure:
    with_login = _prepare_logins(engine, now)
    server = Server(url, workers)
    batches = max(clients, complaints // batch)
    total = batches * batch
    try:
        sessions = [
            httpx.Client(
                base_url=server.base,
                headers=_headers(server.base, AGENTS[k % len(AGENTS)], with_login),
                timeout=120,
            )
            for k in range(clients)
        ]
        # Phones no generated complaint and no single-intake request uses (139 + 8 digits).
        offset = 50_000_000 + size

        def post(k: int, i: int) -> None:
            items: list[dict[str, Any]] = []
            for j in range(batch):
                n = offset + i * batch + j
                items.append({**_body(n), "idempotency_key": f"bench-batch-{n}"})
            reply = sessions[k].post("/api/v1/complaints/batch", json={"items": items})
            answer = reply.json() if reply.status_code == 200 else {}
            if answer.get("created") != batch:
                raise RuntimeError(f"batch answered {reply.status_code}: {reply.text[:300]}")

        _run_clients(clients, clients, post)  # warm-up: connections, caches
        offset += clients * batch
        api_seconds = _run_clients(clients, batches, post)
        rss = server.peak_rss_mib()
        for s in sessions:
            s.close()
    finally:
        server.stop()
    raw_seconds = _raw_inserts(engine, total, clients, now)
    return intake_figure(
        f"batch intake via HTTP API ({clients} clients, {batches} requests × {batch} items"
        f"{f', {workers} server workers' if workers > 1 else ''})",
        engine,
        size,
        (total / api_seconds, total / raw_seconds),
        "complaints/s",
        rss,
        "batch: POST /api/v1/complaints/batch, every item with its idempotency key; "
        "peak = server RSS (VmHWM)",
    )
