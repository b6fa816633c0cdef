"""The FastAPI application: native API under /api/v1 (web pages and TMF621 join later)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from careloop import __version__, web
from careloop.api import (
    logmask,
    openapi,
    problems,
    routes_auth,
    routes_complaints,
    routes_export,
    routes_intake_batch,
    routes_privacy,
    routes_reference,
    routes_reports,
    routes_sla,
    routes_work_orders,
)
from careloop.api.ratelimit import TokenBucket
from careloop.config import Settings
from careloop.store.database import make_engine, make_session_factory


def utc_now() -> datetime:
    return datetime.now(UTC)


class BodySizeLimit(BaseHTTPMiddleware):
    """Refuse oversized requests before reading them (a 1 GB POST must not reach pydantic)."""

    def __init__(self, app: object, max_bytes: int) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            detail = (
                f"Request body larger than {self.max_bytes} bytes"
                if problems.language(request) == "en"
                else f"请求体超过 {self.max_bytes} 字节"
            )
            return problems.problem(request, 413, "request_too_large", detail)
        return await call_next(request)


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
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.clock = clock
    app.state.login_limiter = TokenBucket(settings.login_rate_per_minute)
    app.state.intake_limiter = TokenBucket(settings.intake_rate_per_minute)
    app.state.batch_limiter = TokenBucket(settings.batch_items_per_minute)
    logmask.install()
    problems.install(app)
    openapi.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(routes_auth.router)
    # Before the complaints router: /complaints/export must not be read as a complaint id.
    app.include_router(routes_export.router)
    app.include_router(routes_privacy.router)
    app.include_router(routes_intake_batch.router)
    app.include_router(routes_complaints.router)
    app.include_router(routes_work_orders.router)
    app.include_router(routes_reference.router)
    # The server-rendered pages (issue 5) share the app, its services and its clock.
    web.install(app)
    app.include_router(routes_sla.router)
    app.include_router(routes_reports.router)

    @app.get("/healthz", tags=["ops"], summary="Liveness and database reachability")
    def healthz() -> JSONResponse:
        from sqlalchemy import text

        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "database_unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "version": __version__})

    return app
