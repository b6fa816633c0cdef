"""Reply templates (答复口径): written and retired by supervisors, offered to the agent who
replies to a complaint of their category, with the complaint's facts filled in.

A template belongs to one region (the province, a city or a county) and serves the
complaints of that region's subtree. Like incidents, a template is visible to a reader
whose scope overlaps its region either way (a county sees its province's templates, the
province sees a county's), and changed only by a manager whose scope holds its region.
Every change is a security event (``reply_template_created``/``_edited``/``_retired``),
as changes to the other reference data are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import String, literal, or_, select, true

from careloop.domain import privacy
from careloop.domain import reply_templates as rules
from careloop.domain.categories import get_category
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.sla.calendar import DEFAULT_TIMEZONE
from careloop.domain.text import check_code, required_text
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.privacy.personal_data import sees_personal_data
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, ReplyTemplate

REGION_KINDS: Final = frozenset({"group", "province", "city", "county"})


@dataclass(frozen=True)
class TemplateSpec:
    """What a supervisor enters: a name, the text with placeholders, the category it
    answers and the region it is valid in (a unit code; empty: the manager's own scope)."""

    name: str
    text: str
    category: str
    region: str = ""


@dataclass(frozen=True)
class TemplateView:
    id: int
    version: int
    name: str
    text: str
    category: str
    category_name: str
    region: str
    region_name: str
    active: bool
    placeholders: tuple[str, ...]
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class OfferedTemplate:
    """A template offered for one complaint, its placeholders filled with the complaint's
    facts: the reply text the agent starts from."""

    template: TemplateView
    filled: str


def may_manage(actor: Actor) -> bool:
    return actor.role in rules.MANAGER_ROLES and actor.staff_id is not None


def check_manager(actor: Actor, action: str = "manage reply templates") -> None:
    if not may_manage(actor):
        raise DomainError("role_not_allowed", role=actor.role, action=action)


def visible_to(actor: Actor):  # type: ignore[no-untyped-def]
    """SQL condition on `ReplyTemplate`: its region and the actor's scope overlap."""
    reach = actor.scope
    if reach == "/":
        return true()
    return or_(
        ReplyTemplate.region_path.startswith(reach, autoescape=True),
        literal(reach, String).startswith(ReplyTemplate.region_path),
    )


def _view(row: ReplyTemplate, region: OrgUnit, lang: str) -> TemplateView:
    category = get_category(row.category)
    return TemplateView(
        id=row.id,
        version=row.version,
        name=row.name,
        text=row.text,
        category=row.category,
        category_name=category.label(lang) if category else row.category,
        region=region.code,
        region_name=region.name_en if lang.startswith("en") else region.name_zh,
        active=row.active,
        placeholders=tuple(rules.placeholders_in(row.text)),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _views(uow: UnitOfWork, rows: list[ReplyTemplate], lang: str) -> list[TemplateView]:
    ids = {r.region_id for r in rows}
    units = {u.id: u for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [_view(r, units[r.region_id], lang) for r in rows]


def list_templates(
    uow: UnitOfWork,
    actor: Actor,
    lang: str = "zh",
    category: str | None = None,
    include_retired: bool = False,
) -> list[TemplateView]:
    """The templates the actor's scope overlaps, by category then region then name."""
    query = select(ReplyTemplate).where(visible_to(actor))
    if category:
        check_code(category, "category")
        query = query.where(ReplyTemplate.category == category)
    if not include_retired:
        query = query.where(ReplyTemplate.active.is_(True))
    rows = list(
        uow.session.scalars(
            query.order_by(ReplyTemplate.category, ReplyTemplate.region_path, ReplyTemplate.name)
        )
    )
    return _views(uow, rows, lang)


def _region(uow: UnitOfWork, actor: Actor, code: str) -> OrgUnit:
    """The region a manager may write for: within their scope, a region not a department."""
    code = (code or "").strip()
    if code:
        check_code(code, "region")
        unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    else:
        unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.path == actor.scope))
    if unit is None or not unit.path.startswith(actor.scope):
        raise NotFound("region", code or actor.scope)
    if unit.kind not in REGION_KINDS:
        raise InvalidInput(
            "region", "请选择省、市或区县，而不是部门 / choose a region, not a department"
        )
    return unit


def _checked(spec: TemplateSpec) -> TemplateSpec:
    name = required_text(spec.name, "name", rules.MAX_NAME_CHARS, multiline=False)
    text = required_text(spec.text, "text", rules.MAX_TEXT_CHARS)
    rules.placeholders_in(text)
    category = (spec.category or "").strip()
    check_code(category, "category")
    if get_category(category) is None:
        raise InvalidInput("category", f"没有这个投诉分类 / no such category: {category[:64]}")
    return TemplateSpec(name, rules.normalise(text), category, spec.region)


def _audit(uow: UnitOfWork, kind: str, actor: Actor, now: datetime, row: ReplyTemplate) -> None:
    record_security_event(
        uow,
        kind,
        actor.username,
        now,
        actor.staff_id,
        None,
        {"template": row.id, "name": row.name, "category": row.category, "version": row.version},
    )


def create_template(
    uow: UnitOfWork, actor: Actor, now: datetime, spec: TemplateSpec, lang: str = "zh"
) -> TemplateView:
    check_manager(actor)
    spec = _checked(spec)
    region = _region(uow, actor, spec.region)
    row = ReplyTemplate(
        name=spec.name,
        text=spec.text,
        category=spec.category,
        region_id=region.id,
        region_path=region.path,
        active=True,
        created_at=now,
        created_by=actor.username,
        updated_at=now,
        updated_by=actor.username,
    )
    uow.session.add(row)
    uow.session.flush()
    _audit(uow, "reply_template_created", actor, now, row)
    uow.commit()
    return _view(row, region, lang)


def _managed(uow: UnitOfWork, actor: Actor, template_id: int) -> ReplyTemplate:
    """The template if its region lies within the manager's scope; 404 otherwise."""
    if not scope.is_row_id(template_id):
        raise NotFound("reply template", template_id)
    row = uow.session.scalar(
        select(ReplyTemplate).where(
            ReplyTemplate.id == template_id,
            ReplyTemplate.region_path.startswith(actor.scope, autoescape=True),
        )
    )
    if row is None:
        raise NotFound("reply template", template_id)
    return row


def _check_version(row: ReplyTemplate, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if row.version != version:
        raise DomainError("version_conflict", expected=version, actual=row.version)


def edit_template(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    template_id: int,
    version: int | None,
    spec: TemplateSpec,
    lang: str = "zh",
) -> TemplateView:
    check_manager(actor)
    row = _managed(uow, actor, template_id)
    _check_version(row, version)
    spec = _checked(spec)
    region = (
        _region(uow, actor, spec.region) if spec.region else uow.session.get(OrgUnit, row.region_id)
    )
    assert region is not None
    row.name, row.text, row.category = spec.name, spec.text, spec.category
    row.region_id, row.region_path = region.id, region.path
    row.updated_at, row.updated_by = now, actor.username
    uow.session.flush()
    _audit(uow, "reply_template_edited", actor, now, row)
    uow.commit()
    return _view(row, region, lang)


def retire_template(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    template_id: int,
    version: int | None,
    lang: str = "zh",
) -> TemplateView:
    """Retired, not deleted: replies sent with it keep their text, and the audit its name."""
    check_manager(actor, "retire reply templates")
    row = _managed(uow, actor, template_id)
    _check_version(row, version)
    row.active = False
    row.updated_at, row.updated_by = now, actor.username
    uow.session.flush()
    _audit(uow, "reply_template_retired", actor, now, row)
    uow.commit()
    region = uow.session.get(OrgUnit, row.region_id)
    assert region is not None
    return _view(row, region, lang)


def local_text(moment: datetime, fmt: str = "%Y年%-m月%-d日 %H:%M") -> str:
    return moment.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).strftime(fmt)


def facts_of(complaint: Complaint, now: datetime, unmasked: bool) -> rules.ComplaintFacts:
    """The complaint's facts as a reply quotes them: Chinese words, Beijing time; the
    customer's name as the reader may see it (masked, only its surname is left)."""
    category = get_category(complaint.category)
    orders = sorted(complaint.work_orders, key=lambda o: o.id)
    unit = orders[-1].unit if orders else complaint.owner_unit
    return rules.ComplaintFacts(
        customer_name=privacy.shown(complaint.customer_name, "name", unmasked=unmasked),
        number=complaint.number or str(complaint.id),
        accepted_local=local_text(complaint.accepted_at),
        category_name=category.name_zh if category else complaint.category,
        handling_unit=unit.name_zh,
        today_local=local_text(now, "%Y年%-m月%-d日"),
    )


def offered_for(
    uow: UnitOfWork, complaint_id: int, actor: Actor, now: datetime, lang: str = "zh"
) -> list[OfferedTemplate]:
    """The active templates for this complaint's category and region, the most local first
    (a county's wording before its city's before the province's), each filled in."""
    complaint = load_complaint(uow, complaint_id, actor)
    region_path = complaint.region.path
    rows = [
        r
        for r in uow.session.scalars(
            select(ReplyTemplate).where(
                ReplyTemplate.active.is_(True),
                ReplyTemplate.category.in_(
                    [complaint.category, complaint.category.split(".", 1)[0]]
                ),
            )
        )
        if region_path.startswith(r.region_path)
        and rules.applies_to(r.category, complaint.category)
    ]
    rows.sort(key=lambda r: (-len(r.region_path), r.name))
    values = facts_of(complaint, now, sees_personal_data(complaint, actor)).values()
    return [OfferedTemplate(v, rules.render(v.text, values)) for v in _views(uow, rows, lang)]


def regions_for(uow: UnitOfWork, actor: Actor, lang: str = "zh") -> list[tuple[str, str, str]]:
    """(code, name, kind) of the regions a manager may write templates for: the province,
    cities and counties within their scope, parents before children."""
    units = uow.session.scalars(
        select(OrgUnit)
        .where(
            OrgUnit.kind.in_(("province", "city", "county")),
            OrgUnit.path.startswith(actor.scope, autoescape=True),
        )
        .order_by(OrgUnit.path)
    )
    return [(u.code, u.name_en if lang.startswith("en") else u.name_zh, u.kind) for u in units]
