"""Cross-site request forgery: a page of another site must not make a logged-in browser act.

Two independent defences (OWASP's CSRF cheat sheet), each enough against today's browsers:

1. **Same-origin writes** (``SameOriginWrites``, plain ASGI, before any route): a state-changing
   request (POST, PUT, PATCH, DELETE) that a browser marks as coming from another site is
   refused: ``Sec-Fetch-Site: cross-site|same-site``, an ``Origin`` other than ours (or
   ``null``), or, without ``Origin``, a ``Referer`` from elsewhere. Requests carrying an
   ``Authorization`` header are API clients with a bearer token: no browser adds one by
   itself, so they are not cookie-authenticated and pass. An API write that would be
   authenticated by the session cookie must in addition *show* that it is same-origin
   (``Origin``/``Referer``/``Sec-Fetch-Site``) or carry the page's token in ``X-CSRF-Token``.
2. **Tokens** (``require_csrf_token``, a dependency of every page router): every form carries
   ``csrf_token`` (htmx sends the same value as ``X-CSRF-Token``, from ``hx-headers`` on
   ``<body>``). The token is an HMAC under the site's key of the session cookie (a
   synchroniser token bound to the session, nothing stored) or, before login (login form,
   customer self-service), of the random ``careloop_csrf`` cookie (a signed double-submit:
   a cookie another site plants cannot come with a matching token).

A refusal is a 403 that says what happened in the user's language: a page for the web, a
problem+json for the API, and nothing is written.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from careloop.domain.errors import DomainError
from careloop.http.cookies import SESSION_COOKIE
from careloop.http.language import accept_language
from careloop.http.problems import problem
from careloop.web.site_keys import site_key

CSRF_COOKIE = "careloop_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
API_PREFIXES = ("/api/", "/openapi.json", "/docs")
NOT_COOKIE_AUTHENTICATED = frozenset({"/api/v1/auth/login"})
"""API writes that never act on the session cookie (the login makes a new session)."""


class CrossSiteRequest(Exception):
    """A state-changing request without proof that one of our own pages sent it."""


def _binding(request: Request) -> str | None:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return f"session:{session}"
    anonymous = request.cookies.get(CSRF_COOKIE)
    return f"anonymous:{anonymous}" if anonymous else None


def _token_for(key: bytes, binding: str) -> str:
    return hmac.new(key, binding.encode(), hashlib.sha256).hexdigest()


def issue_token(request: Request) -> tuple[str, str | None]:
    """The token for the forms of the page being rendered, and the new anonymous cookie to
    set when the browser has neither a session nor one (else None)."""
    binding = _binding(request)
    new_cookie = None
    if binding is None:
        new_cookie = secrets.token_urlsafe(32)
        binding = f"anonymous:{new_cookie}"
    return _token_for(site_key(request.app, "csrf"), binding), new_cookie


def set_anonymous_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def token_is_valid(request: Request, sent: object) -> bool:
    binding = _binding(request)
    if binding is None or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(sent, _token_for(site_key(request.app, "csrf"), binding))


async def require_csrf_token(request: Request) -> None:
    """Dependency of every page router: unsafe requests need the page's token."""
    if request.method in SAFE_METHODS:
        return
    sent: object = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)
    if not token_is_valid(request, sent):
        raise CrossSiteRequest


# --- same-origin check ---------------------------------------------------------------------


def _origin_of(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def _same_origin(claimed: str, scope: Scope, headers: Headers) -> bool:
    """Same host and port as the request; the scheme must match too, except that a server
    reached over plain HTTP also accepts https (TLS ended at a reverse proxy that does not
    say so: docs/security.md asks for --proxy-headers, so that is the lenient case)."""
    origin = _origin_of(claimed)
    host = headers.get("host", "").lower()
    if origin is None or not host:
        return False
    scheme, netloc = origin
    default_port = {"http": ":80", "https": ":443"}.get(scheme, "")
    if netloc != host and netloc + default_port != host and netloc != host + default_port:
        return False
    own = scope.get("scheme", "http")
    return scheme == own or (own == "http" and scheme == "https")


def refusal_reason(scope: Scope) -> str | None:
    """Why this request may not change anything, or None when it may go on."""
    if scope["method"] in SAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    if headers.get("authorization"):
        return None  # a bearer-token API client: the browser's cookies play no part
    fetch_site = headers.get("sec-fetch-site", "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"sec-fetch-site {fetch_site}"
    origin = headers.get("origin")
    referer = headers.get("referer")
    if origin is not None:
        if not _same_origin(origin, scope, headers):
            return "foreign origin"
    elif referer and not _same_origin(referer, scope, headers):
        return "foreign referer"
    path: str = scope["path"]
    if not path.startswith(API_PREFIXES) or path in NOT_COOKIE_AUTHENTICATED:
        return None  # pages: their token is checked by require_csrf_token
    request = Request(scope)
    if not request.cookies.get(SESSION_COOKIE):
        return None  # nothing to act on: the API answers 401
    if headers.get(CSRF_HEADER):
        return None if token_is_valid(request, headers[CSRF_HEADER]) else "wrong token"
    if origin is None and not referer and fetch_site != "same-origin":
        return "cookie-authenticated API write that does not say where it comes from"
    return None


class SameOriginWrites:
    """Refuse cross-site writes before any route runs (plain ASGI: no extra task per request,
    unlike BaseHTTPMiddleware, which costs intake throughput)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and refusal_reason(scope) is not None:
            request = Request(scope, receive)
            response = refuse(request)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def refuse(request: Request) -> Response:
    """The 403: a readable page in the user's language, or problem+json for the API. A
    cookie-authenticated API write that carries a token is checked here too."""
    error = DomainError("cross_site_request")
    if request.url.path.startswith(API_PREFIXES):
        return problem(request, error.status, error.code, error.message(accept_language(request)))
    from careloop.web.deps import lang_of, render

    lang = lang_of(request)
    return render(request, "error.html", lang, None, status_code=403, error=error.message(lang))


def install(app: FastAPI) -> None:
    async def _refused(request: Request, exc: Exception) -> Response:
        return refuse(request)

    app.add_exception_handler(CrossSiteRequest, _refused)
