"""Request-scoped dependencies: unit of work, acting person, clock, language, rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from careloop.api.problems import language
from careloop.domain.errors import DomainError
from careloop.services.access import auth
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork

SESSION_COOKIE = "careloop_session"

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="Token from POST /api/v1/auth/login: `Authorization: Bearer <token>`",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The same token as an HttpOnly cookie, set by the login for the web pages",
)


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work, opened and closed on the event loop (issue 7).

    Dependencies without I/O are ``async`` so that FastAPI does not hop to its thread pool
    for each (a hop costs more than an intake's own SQL on a busy process). Closing is
    free when nothing is open (the use case has committed); otherwise it rolls back over
    the network, so that part goes to the thread pool like any other database call.
    """
    uow = UnitOfWork(request.app.state.session_factory).__enter__()
    # The read audit (api/read_audit.py) writes through the request's own session: on
    # SQLite a second writer would wait for this one to close, after the answer.
    request.state.uow = uow
    try:
        yield uow
    finally:
        if uow.session.in_transaction():
            await run_in_threadpool(uow.session.close)
        else:
            uow.session.close()


async def get_now(request: Request) -> datetime:
    """The app's clock: the wall clock in production, a movable one in tests."""
    now: datetime = request.app.state.clock()
    return now


async def get_lang(request: Request) -> str:
    return language(request)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
        raise DomainError("unknown_actor", username="(none)")
    return token


def actor_from(uow: UnitOfWork, token: str | None, now: datetime) -> Actor:
    """The person behind the request's token (401 `unknown_actor` without a valid one)."""
    if not token:
        raise DomainError("unknown_actor", username="(none)")
    return auth.actor_for_token(uow, token, now)


def get_actor(
    uow: Annotated[UnitOfWork, Depends(get_uow)],
    now: Annotated[datetime, Depends(get_now)],
    token: Annotated[str | None, Depends(session_token)],
) -> Actor:
    return actor_from(uow, token, now)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
ActorDep = Annotated[Actor, Depends(get_actor)]
NowDep = Annotated[datetime, Depends(get_now)]
LangDep = Annotated[str, Depends(get_lang)]
TokenDep = Annotated[str | None, Depends(session_token)]
RequiredTokenDep = Annotated[str, Depends(required_token)]


def take_intake(
    request: Request, actor: Actor, now: datetime, uow: UnitOfWork | None = None
) -> None:
    """Intake rate limit per member of staff (a runaway script, not a busy agent), shared by
    every process; `uow`: the request's unit of work, before intake writes."""
    request.app.state.intake_limiter.take(f"intake:{actor.username}", now, uow=uow)
