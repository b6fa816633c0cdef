"""Request-scoped dependencies of both channels: unit of work, clock, client, the person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from careloop.domain.errors import NotSignedIn
from careloop.services.access import auth
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork


class LoginRequired(Exception):
    """No valid session on a page: answered with a redirect to /login (the web installs the
    handler), never a stack trace; the API explorer page raises it too."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_policy(request: Request) -> auth.LoginPolicy:
    """The configured lock-out and session length, for every way in (API, web form, SSO):
    one reading of the settings, so a site's policy cannot differ between channels."""
    settings = request.app.state.settings
    return auth.LoginPolicy(
        max_failed=settings.max_failed_logins,
        lockout=timedelta(minutes=settings.lockout_minutes),
        session_ttl=timedelta(hours=settings.session_hours),
    )


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work, opened and closed on the event loop.

    Dependencies without I/O are ``async`` so that FastAPI does not hop to its thread pool
    for each (a hop costs more than an intake's own SQL on a busy process). Closing is
    free when nothing is open (the use case has committed); otherwise it rolls back over
    the network, so that part goes to the thread pool like any other database call.
    """
    uow = request.app.state.platform.unit_of_work().__enter__()
    # The read audit (api/read_audit.py) writes through the request's own session: on
    # SQLite a second writer would wait for this one to close, after the answer.
    request.state.uow = uow
    try:
        yield uow
    finally:
        if uow.in_transaction():
            await run_in_threadpool(uow.close)
        else:
            uow.close()


async def get_now(request: Request) -> datetime:
    """The app's clock: the wall clock in production, a movable one in tests."""
    now: datetime = request.app.state.clock()
    return now


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def actor_from(uow: UnitOfWork, token: str | None, now: datetime) -> Actor:
    """The person behind the request's token (401 `unknown_actor` without a valid one)."""
    if not token:
        raise NotSignedIn()
    return auth.actor_for_token(uow, token, now)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
NowDep = Annotated[datetime, Depends(get_now)]
