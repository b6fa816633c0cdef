"""The lists that lead to a complaint: the agent's queue and the list every dashboard
number drills down to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain import permissions
from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep, client_address
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.complaints import bulk, exports, filters, saved_views, workbench, worklist
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import list_tools, views
from careloop.web.answers import error_text, see_other
from careloop.web.deps import LangDep, WebActorDep, render

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
    """Every complaint in scope by the filter bar's choices (the dashboard's drill-downs
    land here too), with chips, saved views, the export and bulk actions."""
    done = request.query_params.get("done")
    return _list_page(request, uow, actor, now, lang, done=done if done in _DONE else None)


_DONE = ("list_view_saved", "list_view_deleted")


def _list_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    error: str | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    params = list_tools.form_params(request.query_params)
    try:
        page_no = max(1, int(request.query_params.get("page", "1") or 1))
    except ValueError:
        page_no = 1
    t = Translator(lang)
    regions = workbench.regions_for_intake(uow, actor, lang)
    names = {r.unit.code: r.unit.name for r in regions}
    rows, versions, total, capped = [], {}, 0, False
    try:
        found = workbench.complaint_list(
            uow,
            filters.from_form(params, request.app.state.settings.timezone),
            LIST_PAGE,
            (page_no - 1) * LIST_PAGE,
            actor,
            now,
            lang,
        )
        rows, total, capped = [views.row(r, t) for r in found.rows], found.total, found.total_capped
        versions = {r.complaint.id: r.complaint.version for r in found.rows}
    except DomainError as exc:
        error = error or error_text(exc, lang)
        status_code = max(status_code, exc.status if 400 <= exc.status < 500 else 422)
    query = list_tools.query_of(params)
    return render(
        request,
        "complaint_list.html",
        lang,
        actor,
        status_code=status_code,
        rows=rows,
        versions=versions,
        total=total,
        total_text=(
            t("list.total_capped", n=_grouped(total))
            if capped
            else t("list.total", n=_grouped(total))
        ),
        bar=list_tools.filter_bar(params, regions, lang),
        chips=list_tools.chip_views(params, names, t),
        saved=saved_views.my_views(uow, actor),
        units=bulk.dispatch_units(uow, actor, lang, params.get("region")),
        may_export=permissions.has_permission("complaint.export", actor.role),
        page=page_no,
        pages=max(1, -(-total // LIST_PAGE)),
        query=query,
        error=error,
        done=done,
    )


def _grouped(n: int) -> str:
    """10000 → "10 000" (digit groups by a space, as both catalogues write numbers)."""
    return f"{n:,}".replace(",", " ")


@router.get("/complaints/export.xlsx", response_class=Response)
def complaint_list_export(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    """The filtered list as an Excel file: every matching row in scope, as the page shows
    it, in the user's language and local time; masked and audited as every export."""
    settings = request.app.state.settings
    t, zone = Translator(lang), ZoneInfo(settings.timezone)
    params = list_tools.form_params(request.query_params)
    try:
        exported = exports.export_list(
            uow,
            actor,
            filters.from_form(params, settings.timezone),
            now,
            lang,
            list_tools.export_headers(t),
            lambda r: list_tools.export_cells(r, t, zone),
            workbench.LIST_SORT,
            settings.max_export_rows,
            client_address(request),
        )
    except DomainError as exc:
        uow.rollback()
        return _list_page(request, uow, actor, now, lang, error_text(exc, lang), exc.status)
    stamp = now.astimezone(zone).strftime("%Y%m%d-%H%M")
    return Response(
        exported.body,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="complaints-{stamp}.xlsx"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/complaints/views", response_class=HTMLResponse)
def save_list_view(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    name: Annotated[str, Form()] = "",
    query: Annotated[str, Form()] = "",
) -> Response:
    """Save the list's filters under a name (常用筛选), then show the list with them."""
    try:
        view = saved_views.save_view(uow, actor, now, name, query)
    except DomainError as exc:
        uow.rollback()
        return _list_page(request, uow, actor, now, lang, error_text(exc, lang), exc.status)
    joiner = "&" if view.query else ""
    return see_other(f"/complaints?{view.query}{joiner}done=list_view_saved")


@router.post("/complaints/views/{view_id}/delete", response_class=HTMLResponse)
def delete_list_view(
    request: Request, view_id: int, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    try:
        saved_views.delete_view(uow, actor, now, view_id)
    except DomainError:
        uow.rollback()
        t = Translator(lang)
        return _list_page(request, uow, actor, now, lang, t("list.views.gone"), 404)
    return see_other("/complaints?done=list_view_deleted")


@router.post("/complaints/bulk", response_class=HTMLResponse)
def bulk_action(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    action: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """派单 or 催办 the ticked complaints, each through its own use case; the answer lists
    every one of them, done or refused and why."""
    t = Translator(lang)
    items = list_tools.bulk_items(ids or [])
    back_query = saved_views.filter_query(back)
    try:
        if action == "dispatch":
            if not unit:
                raise _BulkRefused(t("list.bulk.no_unit"))
            results = bulk.bulk_dispatch(uow, actor, now, items, unit, note or None)
        elif action == "chase":
            results = bulk.bulk_chase(uow, actor, now, items, note or None)
        else:
            raise _BulkRefused(t("list.bulk.no_action"))
    except _BulkRefused as refused:
        return _list_page(request, uow, actor, now, lang, str(refused), 422)
    except DomainError as exc:
        uow.rollback()
        message = t("list.bulk.none") if exc.field == "items" else error_text(exc, lang)
        return _list_page(request, uow, actor, now, lang, message, exc.status)
    return render(
        request,
        "complaint_bulk.html",
        lang,
        actor,
        action=action,
        results=[(r, error_text(r.error, lang) if r.error else "") for r in results],
        done_count=sum(r.ok for r in results),
        failed_count=sum(not r.ok for r in results),
        back=back_query,
    )


class _BulkRefused(Exception):
    """A bulk form sent without what it needs: answered on the list, nothing done."""
