"""The customer's survey page: /s/<token>, answered on a phone without logging in.

The token in the SMS link is the only key; the page shows the questions of the version the
survey was sent with, takes one answer (a second submission shows the same thanks), and
lets the customer opt out. Unknown and expired links get a page that says so, in words.
Chinese by default; English with ?lang=en or an English-first Accept-Language. Forms carry
the anonymous anti-forgery token like the other public forms; posts are rate-limited per
client address.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.language import normalise
from careloop.domain.surveys import Template
from careloop.http.dependencies import NowDep, UowDep, client_address
from careloop.http.language import accept_language
from careloop.services.access.rate_limits import Limiter, Rate, limiter_factory
from careloop.services.surveys import answers
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.csrf import require_csrf_token
from careloop.web.deps import LANG_COOKIE, render

router = APIRouter(include_in_schema=False, prefix="/s", dependencies=[Depends(require_csrf_token)])

POSTS_PER_MINUTE = 30
"""Answers and opt-outs per client address a minute: a person needs two, a guesser more."""


def page_lang(request: Request) -> str:
    """?lang= for this page, else the language switch's cookie, else the phone's language."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return normalise(chosen) if chosen else accept_language(request)


def _limiter(request: Request) -> Limiter:
    """The survey posts' budget, shared by the app's processes like the other limits."""
    state = request.app.state
    limiter: Limiter | None = getattr(state, "survey_limiter", None)
    if limiter is None:
        settings = state.settings
        make = limiter_factory(state.platform.engine, settings.redis_url, settings.redis_prefix)
        limiter = make("survey", Rate(POSTS_PER_MINUTE, timedelta(minutes=1)))
        state.survey_limiter = limiter
    return limiter


def _questions(template: Template, lang: str) -> list[dict[str, Any]]:
    shown = []
    for q in template.questions:
        options: list[tuple[str, str]] = []
        if q.top is not None:
            options = [(str(n), str(n)) for n in range(1, q.top + 1)]
        elif q.kind == "yes_no":
            options = [("yes", "survey.yes"), ("no", "survey.no")]
        elif q.kind == "choice":
            options = [(c.key, c.text_en if lang == "en" else c.text_zh) for c in q.choices]
        shown.append({"q": q, "text": q.text(lang), "options": options})
    return shown


def _page(
    request: Request, lang: str, state: str, status_code: int = 200, **context: Any
) -> Response:
    return render(request, "survey_answer.html", lang, None, status_code, state=state, **context)


def _refusal(request: Request, lang: str, exc: DomainError) -> Response:
    state = {"survey_link_unknown": "unknown", "survey_link_expired": "expired"}.get(exc.code)
    if state is None:
        raise exc
    return _page(request, lang, state, exc.status, message=exc.message(lang))


@router.get("/{token}", response_class=HTMLResponse)
def survey_page(token: str, request: Request, uow: UowDep, now: NowDep) -> Response:
    lang = page_lang(request)
    try:
        form = answers.survey_form(uow, token, now)
    except DomainError as exc:
        return _refusal(request, lang, exc)
    if form.answered:
        return _page(request, lang, "thanks", token=token, opted_out=form.opted_out)
    return _page(
        request,
        lang,
        "form",
        token=token,
        template_name=form.template.name_en if lang == "en" else form.template.name_zh,
        questions=_questions(form.template, lang),
        expires_at=form.expires_at,
        values={},
        opted_out=form.opted_out,
    )


@router.post("/{token}", response_class=HTMLResponse)
async def answer(token: str, request: Request, uow: UowDep, now: NowDep) -> Response:
    # The questions are the template's, so the form is read as a whole; the database work
    # then runs in the thread pool like any sync route (never blocking the event loop,
    # which closes other requests' sessions: SQLite's one writer would wait on them).
    submitted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_answer, token, request, uow, now, submitted)


def _answer(
    token: str, request: Request, uow: UnitOfWork, now: datetime, submitted: dict[str, str]
) -> Response:
    lang = page_lang(request)
    try:
        _limiter(request).take(f"survey:{client_address(request)}", now, uow=uow)
        answers.answer_survey(uow, token, submitted, now)
    except DomainError as exc:
        if exc.code in ("survey_link_unknown", "survey_link_expired"):
            return _refusal(request, lang, exc)
        if exc.code != "survey_answer_invalid":  # too many posts from one address
            return _page(request, lang, "error", exc.status, message=exc.message(lang))
        form = answers.survey_form(uow, token, now)
        return _page(
            request,
            lang,
            "form",
            exc.status,
            token=token,
            template_name=form.template.name_en if lang == "en" else form.template.name_zh,
            questions=_questions(form.template, lang),
            expires_at=form.expires_at,
            values=submitted,
            error=exc.message(lang),
            opted_out=form.opted_out,
        )
    return RedirectResponse(f"/s/{token}?lang={lang}", status_code=303)


@router.post("/{token}/opt-out", response_class=HTMLResponse)
def opt_out(token: str, request: Request, uow: UowDep, now: NowDep) -> Response:
    lang = page_lang(request)
    try:
        _limiter(request).take(f"survey:{client_address(request)}", now, uow=uow)
        answers.opt_out_by_token(uow, token, now)
    except DomainError as exc:
        if exc.code in ("survey_link_unknown", "survey_link_expired"):
            return _refusal(request, lang, exc)
        return _page(request, lang, "error", exc.status, message=exc.message(lang))
    return _page(request, lang, "opted_out")
