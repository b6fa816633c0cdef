"""The incidents' pages (突发事件): the list, one incident with its linked complaints and the
bulk reply behind a confirmation, and the form that opens one — the same services as
``/api/v1/incidents`` and ``careloop incidents``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain import incidents as rules
from careloop.domain.categories import CATEGORIES
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.vocabulary import PRODUCTS
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.incidents import bulk_reply, lifecycle, linking, read_models
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.views import choices

router = APIRouter()

DONE = frozenset({"opened", "replied", "resolved", "linked"})


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _local_input(request: Request, value: str, field: str, t: Translator) -> datetime | None:
    """A form's local date and time (``datetime-local``: no offset) in the desk's zone."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=_zone(request))
    except ValueError:
        raise InvalidInput(field, t("common.date_time")) from None


def _choices(uow: UnitOfWork, actor: Actor, lang: str) -> dict[str, list[tuple[str, str]]]:
    return {
        "regions": [(r.code, r.name) for r in read_models.regions_for(uow, actor, lang)],
        "kinds": choices(rules.KINDS, lang),
        "categories": [(c.code, c.label(lang)) for c in CATEGORIES.values() if c.level == 1],
        "products": choices(PRODUCTS, lang),
    }


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    status: str | None = None,
) -> Response:
    chosen = status if status in {"open", "resolved"} else None
    page = read_models.list_incidents(uow, actor, lang, chosen, limit=200)
    return render(
        request,
        "incidents.html",
        lang,
        actor,
        page=page,
        status=chosen,
        can_open=actor.role in rules.OPENER_ROLES,
        done=request.query_params.get("done") if request.query_params.get("done") in DONE else None,
    )


def _form(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    default_start = now.astimezone(_zone(request)).strftime("%Y-%m-%dT%H:%M")
    return render(
        request,
        "incident_form.html",
        lang,
        actor,
        status_code=status_code,
        values=values or {"starts_at": default_start},
        choices=_choices(uow, actor, lang),
        error=error,
    )


@router.get("/incidents/new", response_class=HTMLResponse)
def new_incident(
    request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep, now: NowDep
) -> Response:
    if actor.role not in rules.OPENER_ROLES:
        return see_other("/incidents")
    return _form(request, uow, actor, lang, now)


@router.post("/incidents", response_class=HTMLResponse)
def open_incident(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    prepared_answer: Annotated[str, Form()] = "",
    regions: Annotated[list[str] | None, Form()] = None,
    category: Annotated[str, Form()] = "",
    product: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    expected_end_at: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    link_open_complaints: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "kind": kind, "title": title, "prepared_answer": prepared_answer,
        "category": category, "product": product, "starts_at": starts_at,
        "expected_end_at": expected_end_at, "description": description,
    }  # fmt: skip
    t = Translator(lang)
    try:
        start = _local_input(request, starts_at, "starts_at", t)
        if start is None:
            raise InvalidInput("starts_at", t("common.required"))
        draft = lifecycle.NewIncident(
            kind=kind,
            title=title,
            prepared_answer=prepared_answer,
            regions=tuple(regions or ()),
            starts_at=start,
            description=description or None,
            categories=(category,) if category else (),
            products=(product,) if product else (),
            expected_end_at=_local_input(request, expected_end_at, "expected_end_at", t),
            link_open_complaints=link_open_complaints == "1",
        )
        incident = lifecycle.open_incident(uow, draft, actor, now)
    except DomainError as exc:
        uow.rollback()
        values["regions"] = ",".join(regions or ())
        return _form(request, uow, actor, lang, now, values, exc.message(lang), exc.status)
    return see_other(f"/incidents/{incident.id}?done=opened")


def _detail(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    incident_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = read_models.incident_now(uow, incident_id, actor, lang)
    total, linked = read_models.linked_complaints(uow, incident_id, actor, lang, limit=500)
    done = request.query_params.get("done")
    return render(
        request,
        "incident.html",
        lang,
        actor,
        status_code=status_code,
        incident=view,
        total=total,
        linked=linked,
        error=error,
        done=done if done in DONE else None,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, incident_id: int, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    try:
        return _detail(request, uow, actor, lang, incident_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


def _refused(
    request: Request, uow: UnitOfWork, actor: Actor, lang: str, incident_id: int, exc: DomainError
) -> Response:
    """A refused action on an incident: nothing of it is kept; the detail page again with the
    reason, or the not-found page when the incident is outside the actor's scope."""
    uow.rollback()
    if exc.status == 404:
        return _error_page(request, actor, lang, exc)
    return _detail(request, uow, actor, lang, incident_id, exc.message(lang), exc.status)


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    """An incident outside the reader's scope is as missing as one that never was."""
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=exc.message(lang)
    )


@router.post("/incidents/{incident_id}/bulk-reply", response_class=HTMLResponse)
def reply_in_bulk(
    request: Request,
    incident_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    t = Translator(lang)
    try:
        if confirm != "1":
            raise InvalidInput("confirm", t("incident.confirm_first"))
        platform = request.app.state.platform
        bulk_reply.bulk_reply_and_notify(
            uow,
            incident_id,
            actor,
            whole_number(version, "version", lang),
            now,
            platform.session_factory,
            platform.adapters,
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, incident_id, exc)
    return see_other(f"/incidents/{incident_id}?done=replied")


@router.post("/incidents/{incident_id}/resolve", response_class=HTMLResponse)
def resolve(
    request: Request,
    incident_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        lifecycle.resolve_incident(
            uow, incident_id, actor, whole_number(version, "version", lang), now, None, note or None
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, incident_id, exc)
    return see_other(f"/incidents/{incident_id}?done=resolved")


@router.post("/incidents/{incident_id}/link-open", response_class=HTMLResponse)
def link_open(
    request: Request,
    incident_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    try:
        linking.link_open_complaints_now(uow, incident_id, actor, now)
    except DomainError as exc:
        return _refused(request, uow, actor, lang, incident_id, exc)
    return see_other(f"/incidents/{incident_id}?done=linked")
