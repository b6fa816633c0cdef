"""What channels show of incidents: read models, never ORM rows; personal data masked by
the complaints' one rule (services.privacy.personal_data.sees_personal_data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from careloop.domain import incidents as rules
from careloop.domain import privacy
from careloop.domain.categories import get_category
from careloop.domain.errors import InvalidInput
from careloop.domain.lifecycle.tickets import OPEN_STATUSES, STATUS_LABELS, Status
from careloop.domain.vocabulary import PRODUCTS
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints.read_models import UnitRefView, unit_ref
from careloop.services.incidents import records
from careloop.services.privacy.personal_data import sees_personal_data
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    Complaint,
    Incident,
    IncidentEvent,
    IncidentLink,
    IncidentRegion,
    Notification,
    OrgUnit,
    Staff,
)


@dataclass(frozen=True)
class LabelledCode:
    code: str
    label: str


@dataclass(frozen=True)
class IncidentBrief:
    """What a complaint's answer and page say of its incident."""

    id: int
    number: str
    title: str
    status: str
    status_label: str
    prepared_answer: str


@dataclass(frozen=True)
class IncidentCounts:
    linked: int
    open: int
    replied: int
    notices_sent: int
    notices_pending: int


@dataclass(frozen=True)
class IncidentView:
    id: int
    number: str
    version: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str
    description: str | None
    prepared_answer: str
    regions: list[UnitRefView]
    categories: list[LabelledCode]
    products: list[LabelledCode]
    starts_at: datetime
    expected_end_at: datetime | None
    ended_at: datetime | None
    opened_by: str | None
    created_at: datetime
    updated_at: datetime
    counts: IncidentCounts
    allowed_actions: list[str]
    """What the reader may do now: update, resolve, link_open, bulk_reply."""


@dataclass(frozen=True)
class LinkedComplaintView:
    id: int
    number: str
    status: str
    status_label: str
    category_label: str
    region: str
    customer_phone: str
    """Masked unless the reader may see this complaint's personal data."""
    accepted_at: datetime
    replied_at: datetime | None
    linked_by: str
    notice_status: str | None


@dataclass(frozen=True)
class IncidentEventView:
    at: datetime
    actor: str
    role: str
    action: str
    after: dict[str, object] | None
    note: str | None


def _label(pair: tuple[str, str], lang: str) -> str:
    return rules.label(pair, lang)


def brief_of(uow: UnitOfWork, complaint_id: int, lang: str) -> IncidentBrief | None:
    """The incident a complaint is linked to (the caller has already read the complaint,
    so its scope is checked): the answer an agent reads out."""
    incident = uow.session.scalar(
        select(Incident)
        .join(IncidentLink, IncidentLink.incident_id == Incident.id)
        .where(IncidentLink.complaint_id == complaint_id)
    )
    if incident is None:
        return None
    status = rules.IncidentStatus(incident.status)
    return IncidentBrief(
        incident.id,
        incident.number,
        incident.title,
        status.value,
        _label(rules.STATUS_LABELS[status], lang),
        incident.prepared_answer,
    )


def _counts(uow: UnitOfWork, incident_id: int, actor: Actor) -> IncidentCounts:
    session = uow.session
    base = (
        select(Complaint.status, func.count())
        .join(IncidentLink, IncidentLink.complaint_id == Complaint.id)
        .where(IncidentLink.incident_id == incident_id, scope.visible_to(actor))
        .group_by(Complaint.status)
    )
    by_status = {status: int(n) for status, n in session.execute(base).all()}
    open_values = {s.value for s in OPEN_STATUSES} - {Status.REPLIED.value}
    notices = dict(
        session.execute(
            select(Notification.status, func.count())
            .join(IncidentLink, IncidentLink.notice_id == Notification.id)
            .where(IncidentLink.incident_id == incident_id)
            .group_by(Notification.status)
        ).all()
    )
    return IncidentCounts(
        linked=sum(by_status.values()),
        open=sum(n for s, n in by_status.items() if s in open_values),
        replied=sum(n for s, n in by_status.items() if s not in open_values),
        notices_sent=int(notices.get("sent", 0)),
        notices_pending=int(notices.get("pending", 0)),
    )


def _allowed(incident: Incident, actor: Actor) -> list[str]:
    """Editing and linking while open; the bulk reply also after the end, for complaints
    linked in the aftermath (the service allows it: a reply is still owed)."""
    allowed: list[str] = []
    if incident.status == rules.IncidentStatus.OPEN.value and actor.role in rules.OPENER_ROLES:
        allowed += ["update", "resolve", "link_open"]
    if actor.role in rules.BULK_REPLY_ROLES:
        allowed.append("bulk_reply")
    return allowed


def incident_view(uow: UnitOfWork, incident: Incident, actor: Actor, lang: str) -> IncidentView:
    session = uow.session
    regions = session.scalars(
        select(OrgUnit)
        .join(IncidentRegion, IncidentRegion.unit_id == OrgUnit.id)
        .where(IncidentRegion.incident_id == incident.id)
        .order_by(OrgUnit.path)
    )
    opener = (
        session.scalar(select(Staff.display_name).where(Staff.id == incident.opened_by_id))
        if incident.opened_by_id
        else None
    )
    status = rules.IncidentStatus(incident.status)
    categories = []
    for code in incident.categories or []:
        category = get_category(code)
        categories.append(LabelledCode(code, category.label(lang) if category else code))
    return IncidentView(
        id=incident.id,
        number=incident.number,
        version=incident.version,
        kind=incident.kind,
        kind_label=_label(rules.KINDS.get(incident.kind, (incident.kind, incident.kind)), lang),
        status=status.value,
        status_label=_label(rules.STATUS_LABELS[status], lang),
        title=incident.title,
        description=incident.description,
        prepared_answer=incident.prepared_answer,
        regions=[unit_ref(u, lang) for u in regions],
        categories=categories,
        products=[
            LabelledCode(p, _label(PRODUCTS.get(p, (p, p)), lang)) for p in incident.products or []
        ],
        starts_at=incident.starts_at,
        expected_end_at=incident.expected_end_at,
        ended_at=incident.ended_at,
        opened_by=opener,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        counts=_counts(uow, incident.id, actor),
        allowed_actions=_allowed(incident, actor),
    )


def incident_now(uow: UnitOfWork, incident_id: int, actor: Actor, lang: str) -> IncidentView:
    uow.expire_all()
    return incident_view(uow, records.load_incident(uow, incident_id, actor), actor, lang)


@dataclass(frozen=True)
class IncidentPage:
    total: int
    items: list[IncidentView]


def list_incidents(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> IncidentPage:
    """The incidents touching the actor's scope, newest start first."""
    query = select(Incident).where(records.visible_to(actor))
    if status:
        if status not in {s.value for s in rules.IncidentStatus}:
            allowed = ", ".join(s.value for s in rules.IncidentStatus)
            raise InvalidInput(
                "status", f"未知取值 / unknown value '{status}' (allowed: {allowed})"
            )
        query = query.where(Incident.status == status)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(
        query.order_by(Incident.starts_at.desc(), Incident.id.desc()).limit(limit).offset(offset)
    )
    return IncidentPage(total, [incident_view(uow, i, actor, lang) for i in rows])


def linked_complaints(
    uow: UnitOfWork,
    incident_id: int,
    actor: Actor,
    lang: str,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[LinkedComplaintView]]:
    """The incident's complaints the actor may see, oldest first; phones masked unless the
    reader may see that complaint's personal data (the same rule as the complaint's page)."""
    records.load_incident(uow, incident_id, actor)
    query = (
        select(Complaint, IncidentLink)
        .join(IncidentLink, IncidentLink.complaint_id == Complaint.id)
        .where(IncidentLink.incident_id == incident_id, scope.visible_to(actor))
    )
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.execute(query.order_by(Complaint.id).limit(limit).offset(offset)).all()
    notice_ids = [link.notice_id for _, link in rows if link.notice_id]
    notice_status = (
        dict(
            uow.session.execute(
                select(Notification.id, Notification.status).where(Notification.id.in_(notice_ids))
            ).all()
        )
        if notice_ids
        else {}
    )
    views = []
    for complaint, link in rows:
        unmasked = sees_personal_data(complaint, actor)
        category = get_category(complaint.category)
        status = Status(complaint.status)
        views.append(
            LinkedComplaintView(
                id=complaint.id,
                number=complaint.number or "",
                status=status.value,
                status_label=_label(STATUS_LABELS[status], lang),
                category_label=category.label(lang) if category else complaint.category,
                region=complaint.region.name_en if lang == "en" else complaint.region.name_zh,
                customer_phone=privacy.shown(complaint.customer_phone, "phone", unmasked=unmasked)
                or "",
                accepted_at=complaint.accepted_at,
                replied_at=complaint.replied_at,
                linked_by=link.linked_by,
                notice_status=notice_status.get(link.notice_id) if link.notice_id else None,
            )
        )
    return total, views


def incident_events(uow: UnitOfWork, incident_id: int, actor: Actor) -> list[IncidentEventView]:
    """The incident's audit trail, oldest first (counts and the prepared answer only: no
    personal data is ever written to it)."""
    records.load_incident(uow, incident_id, actor)
    rows = uow.session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.id)
    )
    return [IncidentEventView(e.at, e.actor, e.role, e.action, e.after, e.note) for e in rows]


def regions_for(uow: UnitOfWork, actor: Actor, lang: str) -> list[UnitRefView]:
    """The regions an incident opened by `actor` may name: the province, cities and
    counties within their scope, parents before children (the open form's choices)."""
    units = uow.session.scalars(
        select(OrgUnit)
        .where(
            OrgUnit.kind.in_(("province", "city", "county")),
            OrgUnit.path.startswith(actor.scope, autoescape=True),
        )
        .order_by(OrgUnit.path)
    )
    return [unit_ref(u, lang) for u in units]
