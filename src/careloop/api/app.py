"""The FastAPI application: native API under /api/v1 (web pages and TMF621 join later)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careloop import __version__, bootstrap, logs, web
from careloop.api import (
    openapi,
    problems,
    ratelimit,
    routes_accountability,
    routes_auth,
    routes_bulk,
    routes_complaints,
    routes_customers,
    routes_export,
    routes_follow_ups,
    routes_incidents,
    routes_inspection_evidence,
    routes_inspections,
    routes_intake_batch,
    routes_privacy,
    routes_rectification,
    routes_reference,
    routes_reply_templates,
    routes_reports,
    routes_sla,
    routes_social_supervisors,
    routes_spam,
    routes_spam_bursts,
    routes_spam_enforcement,
    routes_spam_report,
    routes_surveys,
    routes_work_orders,
)
from careloop.api.read_audit import PersonalDataReads
from careloop.api.request_ids import RequestIds
from careloop.api.security_headers import SecurityHeaders, wrap_outermost
from careloop.config import Settings
from careloop.http.language import accept_language
from careloop.http.problems import problem
from careloop.i18n import Translator
from careloop.observability import install as install_observability
from careloop.web.csrf import SameOriginWrites


def utc_now() -> datetime:
    return datetime.now(UTC)


class BodySizeLimit:
    """Refuse oversized requests before reading them (a 1 GB POST must not reach pydantic).

    A plain ASGI middleware, not Starlette's ``BaseHTTPMiddleware``: that one runs every
    request through an extra task and memory streams, a measurable share of an intake.
    A declared ``Content-Length`` is judged from the header; a chunked body
    without one is read here up to the limit and handed on, or refused once it passes it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        t = Translator(accept_language(request))
        detail = t("api.request_too_large", limit=self.max_bytes)
        response = problem(request, 413, "request_too_large", detail)
        await response(scope, receive, send)


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="CareLoop",
        version=__version__,
        description=(
            "Closed-loop complaint handling for telecom operators: accept, dispatch, reply, "
            "callback, archive; every change is an audit event. Errors are RFC 9457 "
            "problem+json with a machine `code`, in Chinese by default and in English with "
            "`Accept-Language: en`. Staff log in at `POST /api/v1/auth/login` and send the "
            "token as `Authorization: Bearer <token>` (the web uses the same token as the "
            "HttpOnly `careloop_session` cookie)."
        ),
        # Served by openapi.install behind a login (or CARELOOP_PUBLIC_API_DOCS=1).
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    platform = bootstrap.build(settings.database_url, settings=settings)
    app.state.settings = settings
    app.state.platform = platform
    # Kept for tests and tools that reach for them; the app itself asks the platform.
    app.state.engine = platform.engine
    app.state.session_factory = platform.session_factory
    app.state.clock = clock
    ratelimit.install(app, settings, platform)
    # A server started by uvicorn alone (no `careloop serve`) still masks its lines.
    logs.configure()
    problems.install(app)
    openapi.install(app)
    # Innermost: every answer showing personal data unmasked is audited before it leaves.
    app.add_middleware(PersonalDataReads, platform=platform, clock=clock)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outside the body limit: a cross-site write is refused before its body is read.
    app.add_middleware(SameOriginWrites)
    wrap_outermost(app, SecurityHeaders)
    # Outside everything: every answer and log line of the request carries its id.
    wrap_outermost(app, RequestIds)
    # /livez, /readyz, /metrics; the request timer wraps everything added above.
    install_observability(app, clock)
    app.include_router(routes_auth.router)
    # Before the complaints router: /complaints/export must not be read as a complaint id.
    app.include_router(routes_export.router)
    app.include_router(routes_privacy.router)
    app.include_router(routes_intake_batch.router)
    app.include_router(routes_complaints.router)
    app.include_router(routes_follow_ups.router)
    app.include_router(routes_bulk.router)
    app.include_router(routes_work_orders.router)
    app.include_router(routes_reference.router)
    # The server-rendered pages share the app, its services and its clock.
    web.install(app)
    app.include_router(routes_sla.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_incidents.router)
    app.include_router(routes_accountability.router)
    app.include_router(routes_rectification.router)
    app.include_router(routes_social_supervisors.router)
    app.include_router(routes_spam_enforcement.router)
    app.include_router(routes_spam_bursts.router)
    app.include_router(routes_inspections.router)
    app.include_router(routes_inspection_evidence.router)
    app.include_router(routes_reply_templates.router)
    app.include_router(routes_customers.router)
    app.include_router(routes_surveys.router)
    app.include_router(routes_spam_report.router)
    app.include_router(routes_spam.router)

    @app.get("/healthz", tags=["ops"], summary="Liveness and database reachability")
    def healthz() -> JSONResponse:
        try:
            platform.check_database()
        except Exception:
            return JSONResponse({"status": "database_unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "version": __version__})

    return app
