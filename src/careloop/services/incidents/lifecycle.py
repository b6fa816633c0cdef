"""Opening, editing and resolving an incident; each change one audit row of its own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from careloop.domain import incidents as rules
from careloop.domain.categories import get_category
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.permissions import in_scope
from careloop.domain.text import clean_text, required_text
from careloop.domain.time_bounds import instant
from careloop.domain.vocabulary import PRODUCTS
from careloop.services.access.actors import Actor
from careloop.services.complaints.audit import jsonable
from careloop.services.incidents import linking, records
from careloop.services.sla.refresh import refresh_changed
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Incident, IncidentRegion, OrgUnit

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
_REGION_KINDS = frozenset({"province", "city", "county"})


@dataclass(frozen=True, slots=True)
class NewIncident:
    kind: str
    title: str
    prepared_answer: str
    regions: tuple[str, ...]
    starts_at: datetime
    description: str | None = None
    categories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    expected_end_at: datetime | None = None
    link_open_complaints: bool = True
    """Link the open complaints accepted since the start that match (audited)."""


@dataclass(frozen=True, slots=True)
class IncidentChanges:
    """What an edit may change; None leaves a field as it is."""

    version: int
    title: str | None = None
    description: str | None = None
    prepared_answer: str | None = None
    expected_end_at: datetime | None = None
    categories: tuple[str, ...] | None = field(default=None)
    products: tuple[str, ...] | None = field(default=None)


def _categories(codes: tuple[str, ...]) -> list[str]:
    for code in codes:
        if not code.isprintable() or get_category(code) is None:
            raise InvalidInput("categories", f"未知分类 / unknown category '{code}'")
    return sorted(set(codes))


def _products(codes: tuple[str, ...]) -> list[str]:
    for code in codes:
        if code not in PRODUCTS:
            allowed = ", ".join(PRODUCTS)
            raise InvalidInput("products", f"未知产品 / unknown product '{code}' ({allowed})")
    return sorted(set(codes))


def _regions(uow: UnitOfWork, codes: tuple[str, ...], actor: Actor) -> list[OrgUnit]:
    """The regions by code; one outside the actor's scope is as unknown as a missing one."""
    rules.check_regions(codes)
    units: list[OrgUnit] = []
    for code in dict.fromkeys(codes):
        unit = (
            uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
            if code.isprintable()
            else None
        )
        if unit is None or unit.kind not in _REGION_KINDS or not in_scope(unit.path, actor.scope):
            raise InvalidInput("regions", f"未知地区「{code}」 / unknown region '{code}'")
        units.append(unit)
    return units


def _number(incident_id: int, starts_at: datetime) -> str:
    """SJ + local start date + id: read out on the phone like a complaint's number."""
    return f"SJ{starts_at.astimezone(LOCAL_ZONE):%Y%m%d}{incident_id:05d}"


def open_incident(uow: UnitOfWork, draft: NewIncident, actor: Actor, now: datetime) -> Incident:
    """发布突发事件: validate, store, audit, and (if asked) link the open complaints that
    match; one unit of work."""
    records.check_role(actor, "open an incident")
    rules.check_kind(draft.kind)
    starts_at = instant("starts_at", draft.starts_at)
    expected = instant("expected_end_at", draft.expected_end_at) if draft.expected_end_at else None
    rules.check_window(starts_at, expected, None)
    title = required_text(draft.title, "title", rules.TITLE_MAX_CHARS, multiline=False)
    answer = required_text(draft.prepared_answer, "prepared_answer", rules.ANSWER_MAX_CHARS)
    description = clean_text(draft.description, "description", rules.DESCRIPTION_MAX_CHARS)
    categories = _categories(draft.categories)
    products = _products(draft.products)
    units = _regions(uow, draft.regions, actor)
    assert actor.org_unit_id is not None
    incident = Incident(
        number=uuid.uuid4().hex,
        version=1,
        kind=draft.kind,
        status=rules.IncidentStatus.OPEN.value,
        title=title,
        description=description,
        prepared_answer=answer,
        categories=categories,
        products=products,
        starts_at=starts_at,
        expected_end_at=expected,
        ended_at=None,
        opened_by_id=actor.staff_id,
        owner_unit_id=actor.org_unit_id,
        created_at=now,
        updated_at=now,
    )
    session = uow.session
    session.add(incident)
    session.flush()
    incident.number = _number(incident.id, starts_at)
    session.add_all(
        IncidentRegion(incident_id=incident.id, unit_id=u.id, path=u.path) for u in units
    )
    records.record(
        uow,
        incident,
        actor,
        "open",
        now,
        after={
            "number": incident.number,
            "kind": draft.kind,
            "title": title,
            "regions": [u.code for u in units],
            "categories": categories,
            "products": products,
            "starts_at": jsonable(starts_at),
            "expected_end_at": jsonable(expected),
        },
        note=answer,
    )
    session.flush()
    if draft.link_open_complaints:
        linking.link_open_complaints(uow, incident, actor, now)
    uow.commit()
    return incident


def _check_version(incident: Incident, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if incident.version != version:
        raise DomainError("version_conflict", expected=version, actual=incident.version)


def commit_or_conflict(uow: UnitOfWork, version: int) -> None:
    try:
        refresh_changed(uow)  # a bulk reply moves its complaints' stored clocks at once
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=version, actual="newer") from exc


def update_incident(
    uow: UnitOfWork, incident_id: int, changes: IncidentChanges, actor: Actor, now: datetime
) -> Incident:
    """Correct the title, the prepared answer, the expected end or what it concerns."""
    records.check_role(actor, "edit an incident")
    incident = records.load_incident(uow, incident_id, actor)
    _check_version(incident, changes.version)
    wanted: dict[str, object] = {}
    if changes.title is not None:
        wanted["title"] = required_text(
            changes.title, "title", rules.TITLE_MAX_CHARS, multiline=False
        )
    if changes.description is not None:
        wanted["description"] = clean_text(
            changes.description, "description", rules.DESCRIPTION_MAX_CHARS
        )
    if changes.prepared_answer is not None:
        wanted["prepared_answer"] = required_text(
            changes.prepared_answer, "prepared_answer", rules.ANSWER_MAX_CHARS
        )
    if changes.expected_end_at is not None:
        expected = instant("expected_end_at", changes.expected_end_at)
        rules.check_window(incident.starts_at, expected, None)
        wanted["expected_end_at"] = expected
    if changes.categories is not None:
        wanted["categories"] = _categories(changes.categories)
    if changes.products is not None:
        wanted["products"] = _products(changes.products)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for name, value in wanted.items():
        old = getattr(incident, name)
        if old != value:
            before[name], after[name] = jsonable(old), jsonable(value)
            setattr(incident, name, value)
    if after:
        incident.updated_at = now
        records.record(uow, incident, actor, "update", now, before, after)
    commit_or_conflict(uow, changes.version)
    return incident


def resolve_incident(
    uow: UnitOfWork,
    incident_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    ended_at: datetime | None = None,
    note: str | None = None,
) -> Incident:
    """宣布恢复: the incident ends (at `ended_at`, default now); complaints accepted within
    a day after the end still link to it (domain.incidents.AFTERMATH)."""
    records.check_role(actor, "resolve an incident")
    incident = records.load_incident(uow, incident_id, actor)
    _check_version(incident, version)
    if incident.status != rules.IncidentStatus.OPEN.value:
        raise rules.already_resolved(incident.number, "宣布恢复", "resolve it")
    end = instant("ended_at", ended_at) if ended_at else now
    rules.check_window(incident.starts_at, None, end)
    if end > now:
        raise InvalidInput("ended_at", "不能晚于当前时间 / must not lie in the future")
    note = clean_text(note, "note", rules.DESCRIPTION_MAX_CHARS)
    incident.status = rules.IncidentStatus.RESOLVED.value
    incident.ended_at = end
    incident.updated_at = now
    records.record(
        uow,
        incident,
        actor,
        "resolve",
        now,
        {"status": "open"},
        {"status": "resolved", "ended_at": jsonable(end)},
        note,
    )
    commit_or_conflict(uow, version)
    return incident
