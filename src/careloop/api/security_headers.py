"""Security headers on every answer: pages, API, static files and errors alike.

A plain ASGI middleware that adds headers to ``http.response.start`` (not Starlette's
``BaseHTTPMiddleware``, whose extra task and memory streams cost intake throughput). It
wraps the whole application, outside Starlette's error middleware, so that a 500 carries
the same headers as a 200 (``wrap_outermost``).

- ``Content-Security-Policy``: scripts and styles only from our own files (no inline
  script, no ``eval``, no inline style), no plug-ins, no ``<base>``, forms post only to us,
  and no framing (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for older
  browsers). The API explorer (Swagger UI 5, from our own files) runs under it unchanged.
  One path has its own, still script-free, policy: the HTML reports, whose stylesheet is
  inline so that a saved report is one self-contained file, with charts as data: images.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (complaint URLs,
  filters and names never go to another site), ``Permissions-Policy`` (no camera,
  microphone, location, …), ``Cross-Origin-Opener-Policy`` and ``-Resource-Policy``.
- ``Cache-Control: no-store`` on every answer that does not set its own (pages and API
  answers hold personal data; a shared or back-button cache must not keep them); static
  files keep their validators and may be cached.
- ``Strict-Transport-Security`` when the request came over HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""A rendered report: its own inline stylesheet and data: charts, nothing else, no script."""
PATH_POLICIES: tuple[tuple[str, str], ...] = (("/api/v1/reports/", REPORT_CSP),)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)
CACHEABLE_PREFIXES = ("/static/", "/docs/assets/")


def policy_for(path: str) -> str:
    for prefix, policy in PATH_POLICIES:
        if path.startswith(prefix):
            return policy
    return STRICT_CSP


RawHeaders = list[tuple[bytes, bytes]]


def _raw(policy: str, cacheable: bool, https: bool) -> RawHeaders:
    headers = [
        ("content-security-policy", policy),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("permissions-policy", PERMISSIONS_POLICY),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
    ]
    if not cacheable:
        headers.append(("cache-control", "no-store"))
    if https:
        headers.append(("strict-transport-security", "max-age=31536000"))
    return [(name.encode(), value.encode()) for name, value in headers]


class SecurityHeaders:
    """Adds the headers an answer does not set itself (a route may choose its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Encoded once: the headers are appended as bytes, not parsed per answer (intake
        # throughput: a few microseconds per request instead of tens).
        self._sets: dict[tuple[str, bool, bool], RawHeaders] = {
            (policy, cacheable, https): _raw(policy, cacheable, https)
            for policy in {STRICT_CSP, *(p for _, p in PATH_POLICIES)}
            for cacheable in (False, True)
            for https in (False, True)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = self._sets[
            (policy_for(path), path.startswith(CACHEABLE_PREFIXES), scope.get("scheme") == "https")
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: RawHeaders = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wrap_outermost(app: object, wrapper: Callable[[ASGIApp], ASGIApp]) -> None:
    """Put ``wrapper`` around the app's whole middleware stack, Starlette's error middleware
    included (``add_middleware`` places it inside that one, so a 500 would miss it)."""
    build: Callable[[], ASGIApp] = app.build_middleware_stack  # type: ignore[attr-defined]

    def build_wrapped() -> ASGIApp:
        return wrapper(build())

    app.build_middleware_stack = build_wrapped  # type: ignore[attr-defined]
