"""Read side: complaint lists with filters and totals, one complaint with its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from careloop.domain.categories import get_category
from careloop.domain.errors import InvalidInput
from careloop.domain.tickets import OPEN_STATUSES, Status
from careloop.services import scope
from careloop.services.actors import Actor
from careloop.services.lifecycle import load_complaint
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Attachment, Complaint, Event, Note, OrgUnit, WorkOrder

SORTS = {
    "accepted_at": Complaint.accepted_at,
    "-accepted_at": Complaint.accepted_at.desc(),
    "reply_due_at": Complaint.reply_due_at,
    "-reply_due_at": Complaint.reply_due_at.desc(),
    "id": Complaint.id,
    "-id": Complaint.id.desc(),
    "sla_overrun_minutes": Complaint.sla_overrun_minutes,
    "-sla_overrun_minutes": Complaint.sla_overrun_minutes.desc(),
}


@dataclass(frozen=True)
class ComplaintFilter:
    status: list[str] = field(default_factory=list)
    category: str | None = None
    unit: str | None = None
    channel: str | None = None
    region: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    escalated: bool | None = None
    repeat: bool | None = None
    text: str | None = None
    customer_phone: str | None = None
    sla: str | None = None
    """A clock state (breached, warning, ...): complaints with any clock in it *now*."""


def _unit_path(uow: UnitOfWork, field_name: str, code: str) -> str:
    path = uow.session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))
    if path is None:
        raise InvalidInput(field_name, f"未知单位 / unknown unit '{code}'")
    return path


def _check_instant(field_name: str, value: datetime | None) -> None:
    """A time the database can store: aware, and not so far out that UTC overflows."""
    if value is None:
        return
    if value.tzinfo is None:
        raise InvalidInput(field_name, "需要带时区的时间 / include a time-zone offset")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(field_name, "超出范围 / out of range") from None


def _filtered(uow: UnitOfWork, f: ComplaintFilter) -> Select[tuple[Complaint]]:
    query = select(Complaint)
    for name in ("created_from", "created_to", "due_from", "due_to"):
        _check_instant(name, getattr(f, name))
    for value in f.status:
        if value not in Status.__members__.values():
            raise InvalidInput("status", f"未知状态 / unknown status '{value}'")
    if f.status:
        query = query.where(Complaint.status.in_(f.status))
    if f.category:
        category = get_category(f.category)
        if category is None:
            raise InvalidInput("category", f"未知分类 / unknown category '{f.category}'")
        # A first-level code selects every complaint filed under it.
        column = Complaint.category_l1 if category.level == 1 else Complaint.category
        query = query.where(column == f.category)
    if f.channel:
        query = query.where(Complaint.channel == f.channel)
    if f.region:
        path = _unit_path(uow, "region", f.region)
        regions = select(OrgUnit.id).where(OrgUnit.path.startswith(path))
        query = query.where(Complaint.region_id.in_(regions))
    if f.unit:
        path = _unit_path(uow, "unit", f.unit)
        orders = (
            select(WorkOrder.complaint_id)
            .join(OrgUnit, OrgUnit.id == WorkOrder.unit_id)
            .where(OrgUnit.path.startswith(path))
        )
        query = query.where(Complaint.id.in_(orders))
    if f.created_from:
        query = query.where(Complaint.accepted_at >= f.created_from)
    if f.created_to:
        query = query.where(Complaint.accepted_at < f.created_to)
    if f.due_from:
        query = query.where(Complaint.reply_due_at >= f.due_from)
    if f.due_to:
        query = query.where(Complaint.reply_due_at < f.due_to)
    if f.escalated is not None:
        query = query.where(Complaint.escalated == f.escalated)
    if f.repeat is not None:
        query = query.where(Complaint.is_repeat == f.repeat)
    if f.customer_phone:
        query = query.where(Complaint.customer_phone == f.customer_phone)
    if f.text:
        columns = (
            Complaint.description,
            Complaint.number,
            Complaint.customer_name,
            Complaint.source_ref,
        )
        query = query.where(or_(*(c.contains(f.text, autoescape=True) for c in columns)))
    return query


@dataclass(frozen=True)
class Page:
    total: int
    items: list[Complaint]


def list_complaints(
    uow: UnitOfWork,
    f: ComplaintFilter,
    limit: int,
    offset: int,
    sort: str = "-accepted_at",
    *,
    actor: Actor,
    now: datetime | None = None,
) -> Page:
    """One page of the complaints the actor may see (org scope applied here, once)."""
    if sort not in SORTS:
        raise InvalidInput("sort", f"可选 / one of: {', '.join(SORTS)}")
    query = _filtered(uow, f).where(scope.visible_to(actor))
    if f.sla:
        query = _with_sla_state(uow, query, f.sla, now)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = uow.session.scalars(
        query.options(selectinload(Complaint.work_orders))
        .order_by(SORTS[sort], Complaint.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(total=total, items=list(items))


def get_complaint(uow: UnitOfWork, complaint_id: int, actor: Actor) -> Complaint:
    return load_complaint(uow, complaint_id, actor)


def events_of(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[Event]:
    load_complaint(uow, complaint_id, actor)
    return list(
        uow.session.scalars(
            select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id)
        )
    )


def notes_of(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[Note]:
    load_complaint(uow, complaint_id, actor)
    return list(
        uow.session.scalars(select(Note).where(Note.complaint_id == complaint_id).order_by(Note.id))
    )


def attachments_of(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[Attachment]:
    load_complaint(uow, complaint_id, actor)
    return list(
        uow.session.scalars(
            select(Attachment)
            .where(Attachment.complaint_id == complaint_id)
            .order_by(Attachment.id)
        )
    )


SLA_STATES = ("running", "paused", "warning", "breached", "met", "met_late")


def _with_sla_state(
    uow: UnitOfWork, query: Select[tuple[Complaint]], state: str, now: datetime | None
) -> Select[tuple[Complaint]]:
    """Complaints with a clock in ``state`` at ``now``, computed by the same function the
    sweeper enforces (services.sla.clocks_for), so the list never disagrees with it.
    Only still-open complaints can be running, paused, warning or breached."""
    from careloop.services import sla

    if state not in SLA_STATES:
        raise InvalidInput("sla", f"可选 / one of: {', '.join(SLA_STATES)}")
    if now is None:
        raise InvalidInput("sla", "needs the current time")
    candidates = query
    if state not in ("met", "met_late"):
        candidates = candidates.where(Complaint.status.in_(OPEN_STATUSES))
    complaints = list(
        uow.session.scalars(candidates.options(selectinload(Complaint.work_orders)))
    )
    clocks = sla.explain(uow, complaints, now)
    matching = [
        cid for cid, c in clocks.items() if any(v.state.state == state for v in c.clocks)
    ]
    return query.where(Complaint.id.in_(matching))
