"""The customers' notices of an incident: SMS rows in the outbox (services.sla.sweep's
`Notification`), delivered by the notify adapters like every other message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain import incidents as rules
from careloop.notify.adapters import Adapter
from careloop.notify.quiet_hours import QuietHours
from careloop.services.sla.sweep import deliver_notifications
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Incident, IncidentLink, Notification

NOTICE_KIND = "incident"
"""`Notification.kind` of a customer's incident notice (GET /api/v1/sla/notifications?kind=)."""


def dedup_key(incident_id: int, complaint_id: int) -> str:
    return f"{NOTICE_KIND}:{incident_id}:{complaint_id}"


def queue_notices(
    uow: UnitOfWork, incident: Incident, complaints: Sequence[Complaint], now: datetime
) -> int:
    """One SMS per customer for this incident: a customer who complained twice, or was
    told already by an earlier bulk reply, is not told again. SMS wait out the quiet
    hours (notify.quiet_hours). Returns how many were queued."""
    session = uow.session
    told = set(
        session.scalars(
            select(Notification.recipient)
            .join(IncidentLink, IncidentLink.notice_id == Notification.id)
            .where(IncidentLink.incident_id == incident.id)
        )
    )
    send_after = QuietHours().next_allowed(now, "sms")
    body = rules.notice_text(incident.prepared_answer)
    queued = 0
    for complaint in complaints:
        recipient = f"tel:{complaint.customer_phone}"
        if recipient in told:
            continue
        told.add(recipient)
        row = Notification(
            dedup_key=dedup_key(incident.id, complaint.id),
            kind=NOTICE_KIND,
            channel="sms",
            recipient=recipient,
            subject=incident.title,
            body=body,
            complaint_id=complaint.id,
            status="pending",
            created_at=now,
            send_after=send_after,
        )
        session.add(row)
        session.flush()
        session.execute(
            update(IncidentLink)
            .where(IncidentLink.complaint_id == complaint.id)
            .values(notice_id=row.id)
        )
        queued += 1
    return queued


def deliver(
    session_factory: sessionmaker[Session], adapters: Mapping[str, Adapter], now: datetime
) -> int:
    """Hand the outbox's due messages to their adapters (the sweep's one delivery)."""
    return deliver_notifications(session_factory, adapters, now)
