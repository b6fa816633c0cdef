"""Rectification tasks (督促整改), their audit trail, their escalations and the limits per
source kind (migration 0021_rectification)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class RectificationTask(Base):
    """One finding a unit must put right; one task per finding (source kind, id, item)."""

    __tablename__ = "rectification_tasks"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id", "source_item", name="uq_rectification_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    source_kind: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int] = mapped_column(Integer)
    source_item: Mapped[str] = mapped_column(String(60))
    """The checklist item's code; "" for a finding about the whole source."""
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    unit_path: Mapped[str] = mapped_column(String(400), index=True)
    """The owner unit's org-tree path, copied (units never move): scoping reads no join."""
    title: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    """The round: 1 when opened, one more for each failed re-inspection."""
    cycle_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    limit_terms: Mapped[dict[str, Any]] = mapped_column(JSONType)
    """The limit applied (SLA policy shape), kept: a later policy edit moves no deadline."""
    warn_share: Mapped[float] = mapped_column(Float)
    escalation: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    escalation_level: Mapped[int] = mapped_column(Integer)
    """The highest escalation level reached in this round (0: none)."""
    escalated_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    actions_taken: Mapped[str | None] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(500))
    evidence_text: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_note: Mapped[str | None] = mapped_column(Text)
    """The last re-inspection's reason (failed) or note (confirmed)."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class RectificationEvent(Base):
    """The task's audit trail: append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    cycle: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)


class RectificationAlert(Base):
    """One escalation step recorded for a task's round: UNIQUE, so that however many
    sweeps see a late task, it escalates once per round and level."""

    __tablename__ = "rectification_alerts"
    __table_args__ = (UniqueConstraint("task_id", "cycle", "kind", name="uq_rectification_alert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overrun_minutes: Mapped[int] = mapped_column(Integer)
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))


class RectificationPolicyRow(Base):
    """The limit per source kind, as an operator set it (absent: the seeded default)."""

    __tablename__ = "rectification_policies"

    source_kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    limits: Mapped[dict[str, Any]] = mapped_column(JSONType)
    warn_share: Mapped[float] = mapped_column(Float)
    escalation: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
