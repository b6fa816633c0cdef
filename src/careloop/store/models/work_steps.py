"""A work order's steps: the moments a service commitment times inside a unit's work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class WorkOrderStep(Base):
    """One step (``domain.sla.steps.STEP_KINDS``) with its own clock (migration 0016).

    ``state`` is ``open`` until the step is done (then ``on_time`` or ``late``, judged
    once) or its work order is returned (``cancelled``); an open step past ``due_at`` is
    overdue, judged when read, so no figure depends on a sweep having run.
    """

    __tablename__ = "work_order_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    """The order that owes the step; a transfer moves it to the successor, clock running."""
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    anchor: Mapped[str] = mapped_column(String(20))
    """Where the clock started: ``dispatch``, ``appointment`` or ``payment``."""
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    limit_minutes: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the sweep announced the breach of this open step (once)."""

    __table_args__ = (
        UniqueConstraint("work_order_id", "kind"),
        Index("ix_work_order_steps_state_due_at", "state", "due_at"),
    )
