"""The inspection pages (监督检查): my inspections and the plans, one visit's result form
(made for a phone: one item per card, evidence fields, save a draft, submit), a visit's
detail, and the rankings with 达标率 and the trend — the same services as
``/api/v1/inspections``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.supervision.checklists import EVIDENCE_KINDS, INSPECTION_KINDS
from careloop.domain.supervision.plans import CADENCES, quarter_of
from careloop.domain.supervision.scoring import ItemResult
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.supervision import evidence_files, inspections, plans, scores
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other
from careloop.web.composer import upload_limit
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.views import in_lang

router = APIRouter()
DONE = frozenset({"insp_draft", "insp_submitted"})
TABS = ("mine", "open", "submitted")
PHOTO_FIELD = "photo_file_"
"""The result form's file field of an item: ``photo_file_<item code>``."""


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
    )


@router.get("/inspections", response_class=HTMLResponse)
def inspection_list(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    tab: str | None = None,
) -> Response:
    chosen = tab if tab in TABS else "mine"
    try:
        if chosen == "mine":
            total, items = inspections.list_inspections(uow, actor, lang, now, mine=True, limit=100)
            items = [i for i in items if i.status != "submitted"] or items
        elif chosen == "open":
            total, items = inspections.list_inspections(
                uow, actor, lang, now, status="planned", limit=100
            )
        else:
            total, items = inspections.list_inspections(
                uow, actor, lang, now, status="submitted", limit=100
            )
        plan_rows = plans.plans_of(uow, actor)[:20]
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return render(
        request,
        "inspections.html",
        lang,
        actor,
        tab=chosen,
        tabs=TABS,
        total=total,
        items=items,
        plans=[
            {
                "name": p.name,
                "kind": in_lang(INSPECTION_KINDS[p.kind], lang),
                "cadence": in_lang(CADENCES[p.cadence], lang),
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "slots": plans.slot_count(uow, p.id),
            }
            for p in plan_rows
        ],
    )


@router.get("/inspections/rankings", response_class=HTMLResponse)
def rankings(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    today = now.astimezone(_zone(request)).date()
    start, end = quarter_of(today)
    # This quarter and the one before: the last 90 days of visits span both.
    first, _ = quarter_of(start - timedelta(days=1))
    try:
        stores = scores.store_ranking(uow, actor, first, end, lang)
        regions = scores.region_ranking(uow, actor, first, end, lang)
        hotlines = scores.hotline_ranking(uow, actor, first, end, lang)
        trend = scores.trend(uow, actor, first, end, "month")
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return render(
        request,
        "inspection_rankings.html",
        lang,
        actor,
        start=first,
        end=end,
        stores=stores,
        regions=regions,
        hotlines=hotlines,
        trend=trend,
    )


def _detail_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    inspection_id: int,
    error: str | None = None,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    found = inspections.detail(uow, inspection_id, actor, lang, now)
    v = found.inspection
    editable = v.status != "submitted" and (
        v.inspector == actor.username or actor.role in ("supervisor", "admin")
    )
    done = request.query_params.get("done")
    photos: dict[str, list[evidence_files.EvidenceFileView]] = {}
    for f in evidence_files.inspection_files(uow, inspection_id, actor):
        photos.setdefault(f.item_code, []).append(f)
    return render(
        request,
        "inspection.html",
        lang,
        actor,
        status_code=status_code,
        found=found,
        v=v,
        editable=editable,
        evidence_kinds={k: in_lang(pair, lang) for k, pair in EVIDENCE_KINDS.items()},
        error=error,
        typed=typed or {},
        done=done if done in DONE else None,
        photos=photos,
    )


@router.get("/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(
    inspection_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    try:
        return _detail_page(request, uow, actor, lang, now, inspection_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.get("/inspections/{inspection_id}/evidence/{file_id}", response_class=HTMLResponse)
def evidence_download(
    inspection_id: int,
    file_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    """A photo taken for an item, as a download (never inline); recorded like the API's."""
    client = request.client.host if request.client else None
    try:
        found = evidence_files.download_for_inspection(
            uow, inspection_id, file_id, actor, now, client
        )
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return Response(
        found.content,
        media_type=found.view.content_type,
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''"
            + quote(found.view.filename or f"evidence-{file_id}"),
            "Cache-Control": "private, no-store",
        },
    )


def _number(text: str, label: str, t: Translator) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text.strip())
    except ValueError:
        raise InvalidInput("items", t("insp.points_not_number", item=label)) from None


def _results(
    form: dict[str, str], found: inspections.InspectionDetail, t: Translator
) -> list[ItemResult]:
    out = []
    for item in found.items:
        awarded = _number(form.get(f"awarded_{item.code}", ""), item.name, t)
        evidence = {k: form.get(f"{k}_{item.code}", "").strip() for k in EVIDENCE_KINDS}
        note = form.get(f"note_{item.code}", "").strip()
        if awarded is None and not any(evidence.values()) and not note:
            continue
        out.append(ItemResult(item.code, awarded, {k: v for k, v in evidence.items() if v}, note))
    return out


def _save(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    inspection_id: int,
    form: dict[str, str],
    photos: dict[str, tuple[str, bytes]] | None = None,
) -> Response:
    t = Translator(lang)
    try:
        found = inspections.detail(uow, inspection_id, actor, lang, now)
        # Photos taken on the spot are stored first: each is then the item's photo evidence.
        for code, (name, data) in (photos or {}).items():
            evidence_files.upload_for_inspection(
                uow, inspection_id, code, actor, now, name, data, upload_limit(request)
            )
        try:
            version = int(form.get("version", ""))
        except ValueError:
            raise InvalidInput("version", t("insp.version_not_number")) from None
        results = _results(form, found, t)
        visited_text = form.get("visited_at", "").strip()
        visited = None
        if visited_text:
            try:
                visited = datetime.fromisoformat(visited_text).replace(tzinfo=_zone(request))
            except ValueError:
                raise InvalidInput("visited_at", t("common.date_time")) from None
        if form.get("action") == "submit":
            inspections.submit(uow, inspection_id, results, version, actor, now, visited)
            return see_other(f"/inspections/{inspection_id}?done=insp_submitted")
        inspections.save_draft(uow, inspection_id, results, version, actor, now, visited)
        return see_other(f"/inspections/{inspection_id}?done=insp_draft")
    except DomainError as exc:
        uow.rollback()
        try:
            return _detail_page(
                request, uow, actor, lang, now, inspection_id,
                error=error_text(exc, lang), status_code=exc.status, typed=form,
            )  # fmt: skip
        except DomainError as again:
            return _error_page(request, actor, lang, again)


@router.post("/inspections/{inspection_id}", response_class=HTMLResponse)
async def inspection_save(
    inspection_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    raw = await request.form()
    form: dict[str, Any] = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    limit = upload_limit(request)
    photos = {
        key.removeprefix(PHOTO_FIELD): (value.filename or "", await value.read(limit + 1))
        for key, value in raw.multi_items()
        if key.startswith(PHOTO_FIELD) and not isinstance(value, str) and value.filename
    }
    return await run_in_threadpool(
        _save, request, uow, actor, lang, now, inspection_id, form, photos
    )
