"""Responsibility cases (责任认定), their rules and their append-only audit trail
(migration 0021_accountability)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class AccountabilityCase(Base):
    """One responsibility case. Amounts are whole fen (分), so both engines store them
    exactly; the penalty columns hold what is in force, the ``decided_`` ones what the
    first decision said (an appeal may change the former, never the latter)."""

    __tablename__ = "accountability_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), index=True)
    source_kind: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int] = mapped_column(Integer)
    source_item: Mapped[str] = mapped_column(String(60), default="", server_default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    unit_path: Mapped[str] = mapped_column(String(400), index=True)
    """The unit's org-tree path, copied (units never move): scoping and roll-ups read no join."""
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_points: Mapped[float] = mapped_column(Float, default=0.0)
    decided_fen: Mapped[int] = mapped_column(Integer, default=0)
    decided_veto: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[float] = mapped_column(Float, default=0.0)
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    appeal_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appeal_outcome: Mapped[str | None] = mapped_column(String(20))
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_decision_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint(
            "source_kind", "source_id", "source_item", name="uq_accountability_source"
        ),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class AccountabilityRule(Base):
    """An operator's rule (the seeds live in domain.supervision.accountability); a stored
    rule of a seed's code replaces it."""

    __tablename__ = "accountability_rules"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    points: Mapped[float] = mapped_column(Float)
    amount_fen: Mapped[int] = mapped_column(Integer)
    veto: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountabilityEvent(Base):
    """A case's (or a rule's) audit trail: append-only (database triggers refuse UPDATE and
    DELETE), like the complaints' events."""

    __tablename__ = "accountability_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("accountability_cases.id"), index=True)
    rule_code: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
