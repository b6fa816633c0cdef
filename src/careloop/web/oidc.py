"""Single sign-on routes: /auth/oidc/login sends the browser to the identity provider,
/auth/oidc/callback brings it back with a session (services.oidc does the checking).

Both answer 404 while single sign-on is not configured. The login in progress lives in a
short-lived HttpOnly cookie limited to /auth/oidc; the callback clears it whatever happens,
and a refusal is the login page with a readable banner and no session.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep, client_address, login_policy
from careloop.services.access import auth, oidc
from careloop.services.access.rate_limits import Limiter, redis_client, shared_limiter
from careloop.web.deps import LangDep, safe_next, set_session_cookie
from careloop.web.pages.auth import home_for, login_form

router = APIRouter(include_in_schema=False)

PENDING_COOKIE = "careloop_oidc"
COOKIE_PATH = "/auth/oidc"
_building = threading.Lock()


def relying_party(request: Request) -> oidc.RelyingParty:
    """The application's relying party, built on first use from its settings (404 if off)."""
    settings = request.app.state.settings.oidc
    if not settings.enabled:
        raise HTTPException(status_code=404)
    with _building:
        rp: oidc.RelyingParty | None = getattr(request.app.state, "oidc_relying_party", None)
        if rp is None or rp.settings is not settings:
            rp = oidc.RelyingParty(settings, ledger=_state_ledger(request))
            request.app.state.oidc_relying_party = rp
    return rp


def _state_ledger(request: Request) -> Limiter:
    """Where every process records finished logins: the rate limits' store (database or
    Redis), so a callback replayed to another worker is refused there too."""
    settings = request.app.state.settings
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    return shared_limiter(
        request.app.state.platform.engine,
        "oidc-state",
        oidc.ONCE_PER_LOGIN,
        redis,
        settings.redis_prefix,
    )


@router.get("/auth/oidc/login")
def sso_login(request: Request, now: NowDep, lang: LangDep, next: str | None = None) -> Response:
    rp = relying_party(request)
    callback = str(request.url_for("sso_callback"))
    try:
        location, pending = oidc.begin_login(rp, callback, safe_next(next, ""), now)
    except oidc.SsoRefused as exc:
        return login_form(request, lang, next, exc.message(lang), exc.status)
    response = RedirectResponse(location, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        pending.seal(rp.state_key),
        max_age=int(oidc.PENDING_TTL.total_seconds()),
        httponly=True,
        # Lax: the provider's redirect back is a top-level GET, which Lax cookies accompany.
        samesite="lax",
        secure=request.url.scheme == "https",
        path=COOKIE_PATH,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/auth/oidc/callback", name="sso_callback")
def sso_callback(request: Request, uow: UowDep, now: NowDep, lang: LangDep) -> Response:
    rp = relying_party(request)
    pending = oidc.PendingLogin.unseal(request.cookies.get(PENDING_COOKIE), rp.state_key)
    params = {
        key: request.query_params[key]
        for key in ("state", "code", "error")
        if key in request.query_params
    }
    client = client_address(request)
    try:
        # Each callback may cost a request to the provider: it counts as a login attempt.
        request.app.state.login_limiter.take(f"ip:{client}", now)
        session = oidc.finish_login(uow, rp, pending, params, now, client, login_policy(request))
        actor = auth.actor_for_token(uow, session.token, now)
    except DomainError as exc:
        response: Response = login_form(
            request,
            lang,
            pending.next_path if pending else "",
            exc.message(lang),
            exc.status,
            # The language switch must not send the browser through the callback again.
            here="/login",
        )
    else:
        next_path = pending.next_path if pending else ""
        response = RedirectResponse(safe_next(next_path, home_for(actor)), status_code=303)
        set_session_cookie(request, response, session.token)
    response.delete_cookie(PENDING_COOKIE, path=COOKIE_PATH)
    response.headers["Cache-Control"] = "no-store"
    return response
