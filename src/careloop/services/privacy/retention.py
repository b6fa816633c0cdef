"""The retention purge: anonymise archived complaints once their retention period is over.

The rule (what is due, what replaces what) is `domain.retention`; this module finds the due
complaints and rewrites them batch by batch, one transaction per batch, so that a backlog of
years does not hold one long transaction (nor lose all its work to one failure: a batch
committed stays done, and the next run carries on with what is left).

Every complaint it rewrites gets ``anonymised_at`` and an ``anonymise`` event in its audit
trail; every run that changes anything or finds nothing to change is a security event
(``retention_purge``: who, when, the cutoff, how many). A dry run reads and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from careloop.domain import retention as rules
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.complaints import audit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    Attachment,
    AttachmentContent,
    Complaint,
    Event,
    Note,
    Notification,
)

DEFAULT_BATCH_SIZE = 200
"""Complaints per transaction: each holds its events, notes, work orders and messages
(~10–20 rows), so a batch writes a few thousand rows and commits in well under a second."""

SECURITY_EVENT = "retention_purge"


@dataclass(frozen=True, slots=True)
class DueComplaint:
    """A complaint the rule selected (no personal data: number and times only)."""

    id: int
    number: str | None
    archived_at: datetime


@dataclass
class RetentionRun:
    cutoff: datetime
    retention_days: int
    dry_run: bool
    complaints: list[DueComplaint] = field(default_factory=list)
    batches: int = 0

    @property
    def count(self) -> int:
        return len(self.complaints)

    def as_detail(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "retention_days": self.retention_days,
            "anonymised": self.count,
            "batches": self.batches,
            "first_id": self.complaints[0].id if self.complaints else None,
            "last_id": self.complaints[-1].id if self.complaints else None,
        }


def due_complaints(
    uow: UnitOfWork, before: datetime, after_id: int = 0, limit: int = DEFAULT_BATCH_SIZE
) -> list[DueComplaint]:
    """The next `limit` complaints due (`domain.retention.is_due`), in id order."""
    rows = uow.session.execute(
        select(Complaint.id, Complaint.number, Complaint.archived_at)
        .where(
            Complaint.status == rules.RETAINED_STATUS.value,
            Complaint.archived_at < before,
            Complaint.anonymised_at.is_(None),
            Complaint.id > after_id,
        )
        .order_by(Complaint.id)
        .limit(limit)
    )
    return [DueComplaint(r.id, r.number, r.archived_at) for r in rows]


def purge(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    now: datetime,
    retention_days: int,
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RetentionRun:
    """Anonymise every complaint archived longer than `retention_days` before `now`.

    Idempotent: an anonymised complaint is never selected again, so a second run (or a run
    after an interrupted one) only does what is left.
    """
    rules.check_may_purge(actor.role)
    run = RetentionRun(rules.cutoff(now, retention_days), retention_days, dry_run)
    after_id = 0
    while True:
        with uow_factory() as uow:
            batch = due_complaints(uow, run.cutoff, after_id, max(batch_size, 1))
            if not batch:
                break
            if not dry_run:
                for due in batch:
                    _anonymise(uow, due.id, actor, now, run)
                uow.commit()
        run.complaints.extend(batch)
        run.batches += 1
        after_id = batch[-1].id
    if not dry_run:
        with uow_factory() as uow:
            record_security_event(
                uow, SECURITY_EVENT, actor.username, now, actor.staff_id, detail=run.as_detail()
            )
            uow.commit()
    return run


def _anonymise(
    uow: UnitOfWork, complaint_id: int, actor: Actor, now: datetime, run: RetentionRun
) -> None:
    session = uow.session
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:  # pragma: no cover - complaints are never deleted
        return
    customer = rules.Customer(
        complaint.customer_phone, complaint.customer_name, complaint.customer_account
    )

    def text(value: str | None) -> str | None:
        return rules.anonymise_text(value, customer)

    # Marked first and flushed: the audit trail's trigger lets an event's content be
    # rewritten only once its complaint is marked anonymised (migration 0011).
    complaint.anonymised_at = now
    complaint.customer_phone = rules.anonymous_phone(complaint.customer_phone)
    complaint.customer_name = None
    complaint.customer_account = None
    complaint.description = text(complaint.description) or ""
    complaint.reply_text = text(complaint.reply_text)
    for order in complaint.work_orders:
        order.instructions = text(order.instructions)
        order.result = text(order.result)
        order.reason = text(order.reason)
    session.flush()

    for note in session.scalars(select(Note).where(Note.complaint_id == complaint_id)):
        note.text = text(note.text) or ""
    for attachment in session.scalars(
        select(Attachment).where(Attachment.complaint_id == complaint_id)
    ):
        attachment.filename = text(attachment.filename) or rules.PLACEHOLDER
    # An uploaded photo of a bill or an ID card cannot be anonymised: its bytes go.
    session.execute(
        delete(AttachmentContent).where(
            AttachmentContent.attachment_id.in_(
                select(Attachment.id).where(Attachment.complaint_id == complaint_id)
            )
        )
    )
    for message in session.scalars(
        select(Notification).where(Notification.complaint_id == complaint_id)
    ):
        message.recipient = text(message.recipient) or ""
        message.subject = text(message.subject) or ""
        message.body = text(message.body) or ""
    for event in session.scalars(select(Event).where(Event.complaint_id == complaint_id)):
        # New objects, never edited in place: the JSON columns see the change.
        event.before = rules.anonymise_value(event.before, customer)
        event.after = rules.anonymise_value(event.after, customer)
        event.note = text(event.note)
        if event.actor_id is None:
            event.actor = rules.anonymised_label(event.actor, event.role)
    session.add(
        audit.record(
            complaint,
            actor,
            "anonymise",
            now,
            after={"cutoff": run.cutoff.isoformat(), "retention_days": run.retention_days},
        )
    )
    session.flush()
