"""/api/v1/reply-templates: reply templates (答复口径) per category, and the ones offered
for one complaint with its facts filled in.

Supervisors and administrators write, edit and retire templates of the regions in their
scope (every change is a security event); every member of staff reads the templates whose
region overlaps their scope. Placeholders outside the published set are refused with the
set named (domain.reply_templates)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict, free_text
from careloop.domain import reply_templates as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import reply_templates as service

router = APIRouter(tags=["reply templates"])


class ReplyTemplateIn(Strict):
    name: str = free_text(rules.MAX_NAME_CHARS, "Short name shown in the composer's list")
    text: str = free_text(
        rules.MAX_TEXT_CHARS,
        "The reply's wording; placeholders in braces: "
        + ", ".join("{" + p + "}" for p in rules.PLACEHOLDERS)
        + " (a literal brace is written twice)",
    )
    category: str = Field(
        min_length=1, max_length=64, examples=["billing.dispute"], description="Category code"
    )
    region: str = Field(
        "",
        max_length=64,
        description="Org-unit code of the region it serves (province, city or county); "
        "empty: your whole scope",
    )


class ReplyTemplateEdit(ReplyTemplateIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read")


class TemplateVersionIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read")


class ReplyTemplateOut(BaseModel):
    id: int = Field(description="Template id")
    version: int = Field(description="Version, for optimistic locking")
    name: str = Field(description="Short name")
    text: str = Field(description="Wording with placeholders")
    category: str = Field(description="Category code")
    category_name: str = Field(description="Category in the caller's language")
    region: str = Field(description="Org-unit code of the region it serves")
    region_name: str = Field(description="Region in the caller's language")
    active: bool = Field(description="False once retired")
    placeholders: list[str] = Field(description="Placeholders the text uses")
    updated_at: datetime = Field(description="Last change (UTC)")
    updated_by: str = Field(description="Username of who changed it last")


class OfferedTemplateOut(BaseModel):
    template: ReplyTemplateOut = Field(description="The template as stored")
    filled: str = Field(description="The text with this complaint's facts filled in")


def _out(view: service.TemplateView) -> ReplyTemplateOut:
    return ReplyTemplateOut.model_validate(view, from_attributes=True)


def _spec(body: ReplyTemplateIn) -> service.TemplateSpec:
    return service.TemplateSpec(body.name, body.text, body.category, body.region)


@router.get(
    "/api/v1/reply-templates",
    response_model=list[ReplyTemplateOut],
    summary="Reply templates whose region overlaps your scope",
)
def list_reply_templates(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    category: Annotated[str | None, Query(max_length=64, description="Category code")] = None,
    include_retired: Annotated[bool, Query(description="Also retired templates")] = False,
) -> list[ReplyTemplateOut]:
    return [_out(v) for v in service.list_templates(uow, actor, lang, category, include_retired)]


@router.post(
    "/api/v1/reply-templates",
    response_model=ReplyTemplateOut,
    status_code=status.HTTP_201_CREATED,
    summary="Write a reply template (supervisors, administrators; audited)",
)
def create_reply_template(
    body: ReplyTemplateIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> ReplyTemplateOut:
    return _out(service.create_template(uow, actor, now, _spec(body), lang))


@router.put(
    "/api/v1/reply-templates/{template_id}",
    response_model=ReplyTemplateOut,
    summary="Change a reply template (supervisors, administrators; audited)",
)
def edit_reply_template(
    template_id: int,
    body: ReplyTemplateEdit,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> ReplyTemplateOut:
    view = service.edit_template(uow, actor, now, template_id, body.version, _spec(body), lang)
    return _out(view)


@router.post(
    "/api/v1/reply-templates/{template_id}/retire",
    response_model=ReplyTemplateOut,
    summary="Retire a reply template: no longer offered, kept for the record (audited)",
)
def retire_reply_template(
    template_id: int,
    body: TemplateVersionIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> ReplyTemplateOut:
    return _out(service.retire_template(uow, actor, now, template_id, body.version, lang))


@router.get(
    "/api/v1/complaints/{complaint_id}/reply-templates",
    response_model=list[OfferedTemplateOut],
    summary="The templates for this complaint's category and region, filled in",
)
def offered_reply_templates(
    complaint_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> list[OfferedTemplateOut]:
    return [
        OfferedTemplateOut(template=_out(o.template), filled=o.filled)
        for o in service.offered_for(uow, complaint_id, actor, now, lang)
    ]
