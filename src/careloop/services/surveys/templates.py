"""Survey templates: the questions, one active version per purpose, never edited in place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from careloop.domain import permissions
from careloop.domain.errors import DomainError, NotFound
from careloop.domain.surveys import DEFAULT_PURPOSE, Template, parse_template
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.surveys.read_models import TemplateView
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.surveys import SurveyTemplate

MANAGE = "survey.manage"
READ = "survey.read"
_SAID = {
    READ: ("查看满意度调查", "read satisfaction surveys"),
    MANAGE: ("设置满意度调查", "set up satisfaction surveys"),
}


def require(permission: str, actor: Actor) -> None:
    """``permissions.check_permission`` with the refused action in the reader's words."""
    try:
        permissions.check_permission(permission, actor.role)
    except DomainError as exc:
        raise exc.said_as(action=_SAID[permission]) from None


def _view(row: SurveyTemplate) -> TemplateView:
    return TemplateView(
        row.id,
        row.purpose,
        row.version,
        row.active,
        row.created_at,
        row.created_by,
        parse_template(row.body, version=row.version),
    )


def list_templates(
    uow: UnitOfWork, actor: Actor, purpose: str | None = None, include_old: bool = False
) -> list[TemplateView]:
    """The active template of each purpose (with ``include_old``, every version, newest
    first): what a supervisor edits and what the next surveys will ask."""
    require(READ, actor)
    query = select(SurveyTemplate).order_by(SurveyTemplate.purpose, SurveyTemplate.version.desc())
    if purpose is not None:
        query = query.where(SurveyTemplate.purpose == purpose)
    if not include_old:
        query = query.where(SurveyTemplate.active.is_(True))
    return [_view(row) for row in uow.session.scalars(query)]


def save_template(
    uow: UnitOfWork, actor: Actor, data: Mapping[str, Any], now: datetime
) -> TemplateView:
    """Save the questions as the purpose's next version and make it the active one; surveys
    already sent keep the version they were sent with. Audited (a security event, as reply
    templates are). Commits."""
    require(MANAGE, actor)
    template = parse_template(data)
    last = uow.session.scalar(
        select(func.max(SurveyTemplate.version)).where(SurveyTemplate.purpose == template.purpose)
    )
    version = (last or 0) + 1
    uow.session.execute(
        update(SurveyTemplate)
        .where(SurveyTemplate.purpose == template.purpose, SurveyTemplate.active.is_(True))
        .values(active=False)
    )
    row = SurveyTemplate(
        purpose=template.purpose,
        version=version,
        active=True,
        body=template.to_json(),
        created_at=now,
        created_by=actor.username,
    )
    uow.session.add(row)
    uow.session.flush()
    record_security_event(
        uow, "survey_template_saved", actor.username, now, actor.staff_id, None,
        {"template": row.id, "purpose": row.purpose, "version": row.version},
    )  # fmt: skip
    view = _view(row)
    uow.commit()
    return view


def active_template(uow: UnitOfWork, purpose: str = DEFAULT_PURPOSE) -> tuple[int, Template]:
    """The row id and questions new surveys of ``purpose`` get (the default purpose's
    when ``purpose`` has none: a rule naming a purpose never saved still surveys)."""
    for wanted in (purpose, DEFAULT_PURPOSE):
        row = uow.session.scalar(
            select(SurveyTemplate).where(
                SurveyTemplate.purpose == wanted, SurveyTemplate.active.is_(True)
            )
        )
        if row is not None:
            return row.id, parse_template(row.body, version=row.version)
    raise NotFound("survey template", purpose)


def template_of(uow: UnitOfWork, template_id: int) -> Template:
    row = uow.session.get(SurveyTemplate, template_id)
    if row is None:
        raise NotFound("survey template", template_id)
    return parse_template(row.body, version=row.version)
