"""Complaints, their work orders, the append-only event log, notes and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime

if TYPE_CHECKING:
    from careloop.store.models.org import OrgUnit, Staff
    from careloop.store.models.work_steps import WorkOrderStep


OPEN_PREDICATE = "status IN ('accepted', 'in_progress', 'pending_customer', 'replied')"
"""The partial indexes' predicate, as migration 0005 wrote it."""


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    """The caller's retry key: unique per caller (first_owner_id), not across callers (0010)."""
    request_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)

    channel: Mapped[str] = mapped_column(String(30))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    customer_phone: Mapped[str] = mapped_column(String(20))
    customer_name: Mapped[str | None] = mapped_column(String(100))
    customer_account: Mapped[str | None] = mapped_column(String(64))
    customer_tier: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60), index=True)
    category_l1: Mapped[str] = mapped_column(String(30))
    product: Mapped[str] = mapped_column(String(30))
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    description: Mapped[str] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_transfer: Mapped[bool] = mapped_column(Boolean, default=False)

    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    callback_satisfied: Mapped[bool | None] = mapped_column(Boolean)
    """Kept for the figures before 0014: True satisfied, False dissatisfied, else NULL."""
    # The callback loop (migration 0014, domain.callbacks): how the last callback ended,
    # the unreachable attempts since the reply, and when to try the customer again.
    callback_outcome: Mapped[str | None] = mapped_column(String(20))
    """'satisfied' | 'dissatisfied' | 'unreachable' | 'declined'; NULL until one ends a loop."""
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Unreachable attempts since the last reply (a new reply starts a new loop at 0)."""
    callback_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """When to call the customer again after an unreachable attempt; NULL otherwise."""
    appeal_outcome: Mapped[str | None] = mapped_column(String(20))
    """Regulator-transferred complaints only: 'settled' | 'not_accepted' | 'informed'."""

    first_owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    """首问责任人: set at acceptance, never changed by any use case."""
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))

    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the retention rule replaced its personal data by placeholders (migration 0011,
    services.retention); None while the complaint still holds it."""

    # SLA state stored on the ticket (Zammad/Frappe style) so lists sort and filter by it;
    # written by the sweeper without bumping `version` (derived state, not a user edit).
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    sla_state: Mapped[str | None] = mapped_column(String(20), index=True)
    sla_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sla_overrun_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sla_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The regulatory outer limit (migration 0013, domain.sla.rules): the 15-day answer to a
    # complaint, or a regulator appeal's 30-day answer; law, so no pause stops it.
    outer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outer_state: Mapped[str | None] = mapped_column(String(20))
    reply_work_minutes: Mapped[int | None] = mapped_column(Integer)
    """Working minutes from acceptance to the (latest) reply on the complaint's calendar, net
    of pauses waiting on the customer; NULL until replied (average handle time, §4)."""

    first_owner: Mapped[Staff] = relationship(foreign_keys=[first_owner_id], lazy="joined")
    region: Mapped[OrgUnit] = relationship(foreign_keys=[region_id], lazy="joined")
    owner_unit: Mapped[OrgUnit] = relationship(foreign_keys=[owner_unit_id], lazy="joined")
    work_orders: Mapped[list[WorkOrder]] = relationship(
        back_populates="complaint", order_by="WorkOrder.seq", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint(
            "first_owner_id", "idempotency_key", name="uq_complaints_owner_idempotency_key"
        ),
        Index("ix_complaints_customer_repeat", "customer_phone", "category_l1", "accepted_at"),
        Index("ix_complaints_region_status", "region_id", "status"),
        # Open complaints only, in due order (migration 0005, issue 7: flat open lists).
        Index(
            "ix_complaints_open_due",
            "reply_due_at",
            "id",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
        ),
        Index(
            "ix_complaints_open_region_due",
            "region_id",
            "reply_due_at",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
        ),
    )


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    """The unit's own first-question owner: whoever accepts the order (内部首问负责制)."""
    dispatched_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instructions: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))

    # The order's own clock (内部首问负责制): limit and basis fixed at dispatch, from the
    # dispatcher's due time or the complaint's policy; a transfer keeps the original start.
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    sla_basis: Mapped[str | None] = mapped_column(String(10))
    sla_state: Mapped[str | None] = mapped_column(String(20), index=True)
    sla_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sla_overrun_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sla_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    work_minutes: Mapped[int | None] = mapped_column(Integer)
    """Working minutes from dispatch (or the unit's own start) to finish on the complaint's
    calendar; NULL until finished (migration 0013)."""

    complaint: Mapped[Complaint] = relationship(back_populates="work_orders")
    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    steps: Mapped[list[WorkOrderStep]] = relationship(order_by="WorkOrderStep.id", lazy="selectin")
    """Its service-commitment steps (store.models.work_steps), loaded with it."""

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("complaint_id", "seq"),
        # The org scope's "a work order in these units", read from the index (0008): all of
        # a scope's at once, and per complaint.
        Index("ix_work_orders_unit_complaint", "unit_id", "complaint_id"),
        Index("ix_work_orders_complaint_unit", "complaint_id", "unit_id"),
    )


class Event(Base):
    """The audit trail: append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)

    # "Has it a pause / reply (older than L) / callback stop?" per complaint, answered from
    # the index alone (0008).
    __table_args__ = (Index("ix_events_complaint_action", "complaint_id", "action", "at"),)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)


class Attachment(Base):
    """Metadata only: files live in the operator's document store, referenced by `storage_ref`."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_ref: Mapped[str | None] = mapped_column(String(500))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
