"""The working calendar's page: a year's rest days and make-up working days with their source,
the reminder to enter next year's notice, and the form that imports a notice (admins and
supervisors) — the same services as ``/api/v1/sla/calendar`` and ``careloop sla calendar``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError, InvalidInput
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.sla import calendar as sla_calendar
from careloop.services.sla.policies import POLICY_ROLES
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()

MAX_UPLOAD = 50_000
"""Bytes of a notice file: a real notice is about one kilobyte."""


def _year(request: Request, now: datetime, raw: str | None, lang: str) -> int:
    if raw:
        return whole_number(raw, "year", lang)
    today = now.astimezone(ZoneInfo(request.app.state.settings.timezone)).date()
    return today.year + 1 if today.month == sla_calendar.REMINDER_MONTH else today.year


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    year: int,
    error: str | None = None,
    status_code: int = 200,
    text: str = "",
) -> HTMLResponse:
    view = sla_calendar.year_view(uow, year)
    reminder = sla_calendar.notice_reminder(uow, now, request.app.state.settings.timezone)
    t = Translator(lang)
    names = (
        t("calendar.weekday.mon"),
        t("calendar.weekday.tue"),
        t("calendar.weekday.wed"),
        t("calendar.weekday.thu"),
        t("calendar.weekday.fri"),
        t("calendar.weekday.sat"),
        t("calendar.weekday.sun"),
    )
    return render(
        request,
        "calendar.html",
        lang,
        actor,
        status_code=status_code,
        view=view,
        weekday=lambda d: names[d.weekday()],
        reminder=reminder.message(lang) if reminder else None,
        can_import=actor.role in POLICY_ROLES,
        text=text,
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    year: str | None = None,
) -> Response:
    try:
        chosen = _year(request, now, year, lang)
        return _page(request, uow, actor, now, lang, chosen)
    except DomainError as exc:
        fallback = _year(request, now, None, lang)
        return _page(request, uow, actor, now, lang, fallback, error_text(exc, lang), exc.status)


@router.post("/calendar/notice", response_class=HTMLResponse)
def import_notice(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    year: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    chosen = _year(request, now, None, lang)
    t = Translator(lang)
    try:
        chosen = whole_number(year, "year", lang)
        if file is not None and file.filename:
            # A plain def (run in the thread pool like every page): the import moves every
            # open complaint's stored due dates, which must not block the event loop.
            raw = file.file.read(MAX_UPLOAD + 1)
            if len(raw) > MAX_UPLOAD:
                raise InvalidInput("file", t("calendar.file_too_large", n=MAX_UPLOAD))
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput("file", t("calendar.file_not_utf8")) from None
        sla_calendar.import_notice(uow, chosen, text, actor, now)
    except DomainError as exc:
        uow.rollback()
        if not 2000 <= chosen <= 2099:
            chosen = _year(request, now, None, lang)
        return _page(
            request, uow, actor, now, lang, chosen, error_text(exc, lang), exc.status, text
        )
    return see_other(f"/calendar?year={chosen}&done=notice_imported")
