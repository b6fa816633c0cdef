"""The lists that lead to a complaint: the agent's queue and the list every dashboard
number drills down to."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.complaints import filters, workbench, worklist
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import views
from careloop.web.answers import error_text
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.i18n import Translator

router = APIRouter()

LIST_PAGE = 50


@router.get("/agent/queue", response_class=HTMLResponse)
def my_queue(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    """The owner's work list: one view (tab) of their open complaints, next deadline first."""
    return _work_list(request, uow, actor, now, lang, "queue.html")


@router.get("/agent/queue/rows", response_class=HTMLResponse)
def my_queue_rows(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    """The work list alone, for the page's polling (htmx): what units did shows unreloaded."""
    return _work_list(request, uow, actor, now, lang, "partials/worklist.html")


def _work_list(
    request: Request, uow: UnitOfWork, actor: Actor, now: datetime, lang: str, template: str
) -> Response:
    t = Translator(lang)
    view = request.query_params.get("view") or "all"
    error, status = None, 200
    if view not in worklist.VIEWS:
        view, error, status = "all", t("worklist.bad_view"), 400
    found = worklist.work_list(workbench.my_queue(uow, actor, now, lang), view)
    return render(
        request,
        template,
        lang,
        actor,
        status_code=status,
        error=error,
        view=view,
        views=list(worklist.VIEWS),
        counts=found.counts,
        news=found.news,
        rows=[views.row(r, t) for r in found.rows],
        refresh=request.app.state.settings.live_refresh_seconds,
        poll=views.poll_url("/agent/queue/rows", request.query_params.get("lang"), view=view),
    )


@router.get("/complaints", response_class=HTMLResponse)
def complaint_list(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    params = dict(request.query_params)
    params.pop("lang", None)
    try:
        page_no = max(1, int(params.pop("page", "1") or 1))
    except ValueError:
        page_no = 1
    t = Translator(lang)
    error = None
    try:
        found = workbench.complaint_list(
            uow, filters.from_form(params), LIST_PAGE, (page_no - 1) * LIST_PAGE, actor, now, lang
        )
        rows, total, capped = [views.row(r, t) for r in found.rows], found.total, found.total_capped
    except DomainError as exc:
        rows, total, capped, error = [], 0, False, error_text(exc, lang)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(
        request,
        "complaint_list.html",
        lang,
        actor,
        rows=rows,
        total=total,
        total_text=t("list.total_capped" if capped else "list.total", n=_grouped(total)),
        filters=[_chip_text(chip, t) for chip in filters.chips(params, lang)],
        page=page_no,
        pages=max(1, -(-total // LIST_PAGE)),
        query=query,
        error=error,
    )


def _chip_text(chip: filters.Chip, t: Translator) -> tuple[str, str]:
    value = t.get(chip.value_key, chip.value) if chip.value_key else chip.value
    return t.get(chip.label_key, chip.param), value


def _grouped(n: int) -> str:
    """10000 → "10 000" (digit groups by a space, as both catalogues write numbers)."""
    return f"{n:,}".replace(",", " ")
