"""/reply-templates: the reply templates (答复口径) supervisors keep per category — the same
services as ``/api/v1/reply-templates`` and ``careloop templates``. Every member of staff
reads the templates of their scope; supervisors and administrators write, edit and retire
them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain import reply_templates as rules
from careloop.domain.categories import CATEGORIES
from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.complaints import reply_templates as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.views import choices

router = APIRouter()

DONE = frozenset({"template_created", "template_edited", "template_retired"})


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    values: dict[str, str] | None = None,
    error: str | None = None,
    editing: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    categories = [
        (c.code, c.label(lang) if c.level == 1 else f"— {c.label(lang)}")
        for c in CATEGORIES.values()
    ]
    manager = service.may_manage(actor)
    done = request.query_params.get("done")
    return render(
        request,
        "reply_templates.html",
        lang,
        actor,
        status_code=status_code,
        templates=service.list_templates(uow, actor, lang),
        placeholders=choices(rules.PLACEHOLDERS, lang),
        categories=categories,
        regions=service.regions_for(uow, actor, lang) if manager else [],
        manager=manager,
        values=values or {},
        error=error,
        editing=editing,
        done=done if done in DONE else None,
    )


@router.get("/reply-templates", response_class=HTMLResponse)
def reply_templates_page(
    request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    return _page(request, uow, actor, lang)


def _refused(
    request: Request,
    uow: UowDep,
    actor: Actor,
    lang: str,
    exc: DomainError,
    values: dict[str, str],
    editing: int | None = None,
) -> HTMLResponse:
    uow.rollback()
    return _page(request, uow, actor, lang, values, exc.message(lang), editing, exc.status)


@router.post("/reply-templates", response_class=HTMLResponse)
def create_reply_template(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    name: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
) -> Response:
    values = {"name": name, "text": text, "category": category, "region": region}
    try:
        service.create_template(
            uow, actor, now, service.TemplateSpec(name, text, category, region), lang
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, exc, values)
    return see_other("/reply-templates?done=template_created")


@router.post("/reply-templates/{template_id}", response_class=HTMLResponse)
def edit_reply_template(
    template_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
) -> Response:
    values = {"name": name, "text": text, "category": category, "region": region}
    try:
        spec = service.TemplateSpec(name, text, category, region)
        service.edit_template(
            uow, actor, now, template_id, whole_number(version, "version", lang), spec, lang
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, exc, values, template_id)
    return see_other("/reply-templates?done=template_edited")


@router.post("/reply-templates/{template_id}/retire", response_class=HTMLResponse)
def retire_reply_template(
    template_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.retire_template(
            uow, actor, now, template_id, whole_number(version, "version", lang), lang
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, exc, {})
    return see_other("/reply-templates?done=template_retired")
