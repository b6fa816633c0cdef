"""The API's request dependencies: its credentials (bearer token or the web's session
cookie), the acting person, the language (Accept-Language) and the intake rate limit; the
unit of work and the clock are the ones both channels share (careloop.http)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from careloop.domain.errors import NotSignedIn
from careloop.http.cookies import SESSION_COOKIE
from careloop.http.dependencies import actor_from, get_now, get_uow
from careloop.http.language import accept_language
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="Token from POST /api/v1/auth/login: `Authorization: Bearer <token>`",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The same token as an HttpOnly cookie, set by the login for the web pages",
)


async def get_lang(request: Request) -> str:
    return accept_language(request)


async def session_token(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)] = None,
    cookie: Annotated[str | None, Depends(cookie_scheme)] = None,
) -> str | None:
    """The caller's token: the Authorization header wins over the web's session cookie."""
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return cookie or None


async def required_token(token: Annotated[str | None, Depends(session_token)]) -> str:
    """The caller's token, or 401 before the body is read: an anonymous caller learns
    nothing about an endpoint's input from a validation answer."""
    if not token:
        raise NotSignedIn()
    return token


def get_actor(
    uow: Annotated[UnitOfWork, Depends(get_uow)],
    now: Annotated[datetime, Depends(get_now)],
    token: Annotated[str | None, Depends(session_token)],
) -> Actor:
    return actor_from(uow, token, now)


ActorDep = Annotated[Actor, Depends(get_actor)]
LangDep = Annotated[str, Depends(get_lang)]
TokenDep = Annotated[str | None, Depends(session_token)]
RequiredTokenDep = Annotated[str, Depends(required_token)]


def take_intake(
    request: Request, actor: Actor, now: datetime, uow: UnitOfWork | None = None
) -> None:
    """Intake rate limit per member of staff (a runaway script, not a busy agent), shared by
    every process; `uow`: the request's unit of work, before intake writes."""
    request.app.state.intake_limiter.take(f"intake:{actor.username}", now, uow=uow)
