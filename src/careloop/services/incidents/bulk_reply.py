"""一键批量答复: every linked open complaint in the actor's scope is replied with the
incident's prepared answer, each through the complaint lifecycle (its own `reply` audit
row and transition), and each customer gets one SMS notice; one audit row on the incident
names who did it and how many. One unit of work: all of it or none of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain import incidents as rules
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle.tickets import COMPLAINT_LIFECYCLE as LIFECYCLE
from careloop.domain.lifecycle.tickets import OPEN_WORK_ORDER_STATUSES, Status
from careloop.notify.adapters import Adapter
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import lifecycle
from careloop.services.incidents import notices, records
from careloop.services.incidents.lifecycle import commit_or_conflict
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, IncidentLink, WorkOrder

REPLYABLE = (Status.ACCEPTED.value, Status.IN_PROGRESS.value)
"""The lifecycle's `reply` starts from these (domain.lifecycle.tickets)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    complaint_id: int
    number: str
    reason: str
    """work_orders_open, pending_customer, finished (replied, closed …)."""


@dataclass(frozen=True, slots=True)
class BulkReply:
    incident_id: int
    incident_version: int
    replied: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices_queued: int = 0
    notices_delivered: int = 0


def bulk_reply(
    uow: UnitOfWork, incident_id: int, actor: Actor, version: int | None, now: datetime
) -> BulkReply:
    """Reply every linked complaint the actor may see and the lifecycle lets be replied;
    the rest are named with the reason (an open work order, waiting on the customer,
    already answered). `version`: the incident's version the caller read, so a reply
    never goes out with a prepared answer the caller has not seen."""
    if actor.role not in rules.BULK_REPLY_ROLES or actor.staff_id is None:
        raise DomainError("role_not_allowed", role=actor.role, action="reply in bulk")
    incident = records.load_incident(uow, incident_id, actor)
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if incident.version != version:
        raise DomainError("version_conflict", expected=version, actual=incident.version)
    text = LIFECYCLE.clean_field("reply", "text", incident.prepared_answer)
    session = uow.session
    linked = list(
        session.scalars(
            select(Complaint)
            .join(IncidentLink, IncidentLink.complaint_id == Complaint.id)
            .where(IncidentLink.incident_id == incident.id, scope.visible_to(actor))
            .order_by(Complaint.id)
        )
    )
    busy = _open_work_orders(session, [c.id for c in linked])
    replied: list[Complaint] = []
    skipped: list[Skipped] = []
    for complaint in linked:
        reason = _why_not(complaint, busy.get(complaint.id, 0))
        if reason is not None:
            skipped.append(Skipped(complaint.id, complaint.number or "", reason))
            continue
        status = lifecycle.fire(complaint, "reply", actor, complaint.version)
        lifecycle.record(
            uow, complaint, "reply", actor, now, status, text, reply_text=text, replied_at=now
        )
        replied.append(complaint)
    queued = notices.queue_notices(uow, incident, replied, now)
    records.record(
        uow,
        incident,
        actor,
        "bulk_reply",
        now,
        after={"replied": len(replied), "skipped": len(skipped), "notices": queued},
        note=text,
    )
    incident.updated_at = now
    commit_or_conflict(uow, version)
    return BulkReply(incident.id, incident.version, [c.id for c in replied], skipped, queued)


def _why_not(complaint: Complaint, open_orders: int) -> str | None:
    if complaint.status == Status.PENDING_CUSTOMER.value:
        return "pending_customer"
    if complaint.status not in REPLYABLE:
        return "finished"
    if open_orders:
        return "work_orders_open"
    return None


def _open_work_orders(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(WorkOrder.complaint_id, func.count())
        .where(
            WorkOrder.complaint_id.in_(ids),
            WorkOrder.status.in_([s.value for s in OPEN_WORK_ORDER_STATUSES]),
        )
        .group_by(WorkOrder.complaint_id)
    ).all()
    return {cid: int(n) for cid, n in rows}


def bulk_reply_and_notify(
    uow: UnitOfWork,
    incident_id: int,
    actor: Actor,
    version: int | None,
    now: datetime,
    session_factory: sessionmaker[Session],
    adapters: Mapping[str, Adapter],
) -> BulkReply:
    """The bulk reply, then (after its commit) the outbox's due messages handed to the
    notify adapters, as the SLA sweep does: a gateway's failure never undoes a reply."""
    done = bulk_reply(uow, incident_id, actor, version, now)
    # End the caller's transaction first: on SQLite it would hold the write lock the
    # delivery's own unit of work needs.
    uow.rollback()
    delivered = notices.deliver(session_factory, adapters, now) if done.notices_queued else 0
    return BulkReply(
        done.incident_id,
        done.incident_version,
        done.replied,
        done.skipped,
        done.notices_queued,
        delivered,
    )
