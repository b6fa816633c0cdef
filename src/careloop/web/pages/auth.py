"""Login, logout, the start page and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.http.cookies import SESSION_COOKIE
from careloop.http.dependencies import NowDep, UowDep, client_address, login_policy
from careloop.i18n import LANGUAGES
from careloop.services.access import auth
from careloop.services.access.actors import Actor
from careloop.web.answers import see_other
from careloop.web.deps import (
    LANG_COOKIE,
    LangDep,
    render,
    safe_next,
    set_session_cookie,
)

router = APIRouter()

FRONT_ROLES = frozenset({"agent"})
UNIT_ROLES = frozenset({"handler", "unit_lead"})


def home_for(actor: Actor) -> str:
    """Where a login lands: the agent's queue, the unit's work orders, else the board."""
    if actor.role in FRONT_ROLES:
        return "/agent/queue"
    if actor.role in UNIT_ROLES:
        return "/unit/queue"
    return "/supervisor"


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = see_other(safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def root(request: Request, uow: UowDep, now: NowDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            return see_other(home_for(auth.actor_for_token(uow, token, now)))
        except DomainError:
            pass
    return see_other("/login")


def login_form(
    request: Request,
    lang: str,
    next: str | None,
    error: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The login page, again with the refusal's message when a password or SSO login failed;
    `next` is only kept when it stays on this site."""
    return render(
        request,
        "login.html",
        lang,
        status_code=status_code,
        next=safe_next(next or "", ""),
        error=error,
        **extra,
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, lang: LangDep, next: str | None = None) -> Response:
    return login_form(request, lang, next)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    uow: UowDep,
    now: NowDep,
    lang: LangDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        client = client_address(request)
        request.app.state.login_limiter.take(f"ip:{client}", now, uow=uow)
        token = auth.login_session(
            uow, username.strip(), password, now, client, login_policy(request)
        ).token
        actor = auth.actor_for_token(uow, token, now)
    except DomainError as exc:
        return login_form(request, lang, next, exc.message(lang), exc.status, username=username)
    response = see_other(safe_next(next, home_for(actor)))
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, uow: UowDep, now: NowDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.logout(uow, token, now)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
