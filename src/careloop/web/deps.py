"""Request plumbing for the pages: unit of work, clock, language, the logged-in person.

Identification follows the accounts contract (services.auth): the session token that
`auth.login` hands out lives in the HttpOnly cookie ``careloop_session``, the same token
the API accepts as a bearer token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from careloop.domain.errors import DomainError
from careloop.domain.language import normalise
from careloop.http.cookies import SESSION_COOKIE
from careloop.http.dependencies import LoginRequired, NowDep, UowDep, actor_from
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.web import csrf

LANG_COOKIE = "careloop_lang"
WEB_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def lang_of(request: Request) -> str:
    """?lang= for one page, else the switch's cookie, else Chinese."""
    return normalise(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


async def get_lang(request: Request) -> str:
    return lang_of(request)


def here(request: Request) -> str:
    """The page's own address (path and query): where a login or a language switch returns."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def get_web_actor(request: Request, uow: UowDep, now: NowDep) -> Actor:
    """The person behind the session cookie; without a valid one, the way to the login."""
    try:
        return actor_from(uow, request.cookies.get(SESSION_COOKIE), now)
    except DomainError:
        raise LoginRequired(here(request)) from None


LangDep = Annotated[str, Depends(get_lang)]
WebActorDep = Annotated[Actor, Depends(get_web_actor)]


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: a login link must not bounce the user to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The web session: the login's token as an HttpOnly cookie, for password and SSO alike."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(request.app.state.settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def render(
    request: Request,
    template: str,
    lang: str,
    actor: Actor | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    tz = ZoneInfo(request.app.state.settings.timezone)

    def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if not moment:
            return "—"
        try:
            return moment.astimezone(tz).strftime(fmt)
        except OverflowError:
            # A time stored before inputs were bounded (domain.time_bounds) can lie past
            # year 9999 in local time: shown in UTC rather than failing the whole page.
            return f"{moment.strftime(fmt)} UTC"

    def due(moment: datetime | None) -> str:
        """A deadline in local time; one falling at midnight reads as the end of the day
        before ("2026-10-08 24:00"), as the law states a period's last day."""
        if moment and local(moment, "%H:%M") == "00:00":
            day = moment.astimezone(tz) - timedelta(days=1)
            return f"{day:%Y-%m-%d} 24:00"
        return local(moment)

    csrf_token, new_cookie = csrf.issue_token(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": Translator(lang),
            "lang": lang,
            "actor": actor,
            "here": here(request),
            "local": local,
            "due": due,
            "now": request.app.state.clock(),
            "csrf_token": csrf_token,
            **context,
        },
        status_code=status_code,
    )
    if new_cookie:
        csrf.set_anonymous_cookie(request, response, new_cookie)
    response.headers["Cache-Control"] = "no-store"
    return response
