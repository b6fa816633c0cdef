"""``/livez`` and ``/readyz``: one question each, for the orchestrator.

``/livez`` is answered by the process alone (no I/O): restart me only if I cannot answer.
``/readyz`` runs the named checks of ``services.observability.readiness`` within a short
timeout: take me out of the load balancer while the database, the schema or the queue is
not there. Both are public (a probe carries no login) and tell no personal data.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from careloop import __version__
from careloop.config import Settings
from careloop.http.language import accept_language
from careloop.services.observability.readiness import Check, migration_heads, readiness

router = APIRouter(tags=["ops"])

NO_STORE = {"Cache-Control": "no-store"}


def ready_timeout(request: Request) -> float:
    """Seconds ``/readyz`` waits for its checks (the app's ``ready_timeout_seconds``,
    CARELOOP_READY_TIMEOUT_SECONDS, default 2): below the orchestrator's probe timeout, so a
    hung database is "not ready", not a hang."""
    settings: Settings = request.app.state.settings
    return settings.ready_timeout_seconds


@router.get("/livez", summary="Liveness: the process answers (no database)")
def livez() -> JSONResponse:
    return JSONResponse({"status": "live", "version": __version__}, headers=NO_STORE)


@router.get("/readyz", summary="Readiness: database, schema at head, job queue")
async def readyz(request: Request) -> JSONResponse:
    factory = request.app.state.platform.session_factory
    timeout = ready_timeout(request)
    # The release's heads are read from its migration files once per process (about a
    # second): outside the timeout, which is the database's.
    await asyncio.to_thread(migration_heads)
    try:
        checks = await asyncio.wait_for(asyncio.to_thread(readiness, factory), timeout)
    except TimeoutError:
        seconds = f"{timeout:g}"
        words = (f"数据库在 {seconds} 秒内无应答", f"the database did not answer in {seconds} s")
        checks = [Check("database", False, words)]
    lang = 1 if accept_language(request) == "en" else 0
    body: dict[str, object] = {
        "checks": [{"name": c.name, "ok": c.ok, "message": c.message[lang]} for c in checks]
    }
    failed = next((c for c in checks if not c.ok), None)
    if failed is None:
        return JSONResponse({"status": "ready", **body}, headers=NO_STORE)
    return JSONResponse(
        {"status": "not_ready", "failed": failed.name, "message": failed.message[lang], **body},
        status_code=503,
        headers=NO_STORE,
    )
