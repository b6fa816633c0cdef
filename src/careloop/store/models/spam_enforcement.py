"""Enforcement against spamming ports (端口处置): cases, their audit trail, escalations, the
sanction state of each port with its history, and the thresholds per region (migration
0023_spam_enforcement).

Ports are referred to by their normalised number, not by a foreign key: the port registry
is another context's table, and a port reported before it is registered is still enforced.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class SpamEnforcementCase(Base):
    """One case against one port. At most one active case per port: ``active_port`` holds
    the port number while the case is active and NULL once it is final, and is UNIQUE, so
    two openings at once cannot both succeed."""

    __tablename__ = "spam_enforcement_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    port_number: Mapped[str] = mapped_column(String(32), index=True)
    active_port: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    severity_rank: Mapped[int] = mapped_column(Integer)
    """0 moderate … 2 serious: the list sorts worst first by it."""
    reasons: Mapped[list[str]] = mapped_column(JSONType)
    day: Mapped[date] = mapped_column(Date)
    """The business day whose reports opened it."""
    reports: Mapped[int] = mapped_column(Integer)
    distinct_reporters: Mapped[int] = mapped_column(Integer)
    spam_share: Mapped[float | None] = mapped_column(Float)
    serious: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    unit_path: Mapped[str] = mapped_column(String(400), index=True)
    """The owner unit's org-tree path, copied (units never move): scoping reads no join."""
    limit_terms: Mapped[dict[str, Any]] = mapped_column(JSONType)
    escalation: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """The first sanction: stops the case's clock."""
    escalation_level: Mapped[int] = mapped_column(Integer)
    escalated_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    last_action: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    """Who decided the last sanction (the appeal's decider must be someone else)."""
    evidence_ref: Mapped[str | None] = mapped_column(String(500))
    evidence: Mapped[str | None] = mapped_column(Text)
    appellant: Mapped[str | None] = mapped_column(String(100))
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appeals: Mapped[int] = mapped_column(Integer)
    appeal_outcome: Mapped[str | None] = mapped_column(String(20))
    opened_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        Index(
            "ix_spam_enforcement_cases_unit_path_prefix",
            "unit_path",
            postgresql_ops={"unit_path": "varchar_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
    )


class SpamEnforcementEvent(Base):
    """The case's audit trail: append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "spam_enforcement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("spam_enforcement_cases.id"), index=True)
    port_number: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)


class SpamEnforcementAlert(Base):
    """One escalation step recorded for a case: UNIQUE, so however many sweeps see a late
    case, it escalates once per level."""

    __tablename__ = "spam_enforcement_alerts"
    __table_args__ = (UniqueConstraint("case_id", "kind", name="uq_spam_enforcement_alert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("spam_enforcement_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overrun_minutes: Mapped[int] = mapped_column(Integer)
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))


class SpamPortSanction(Base):
    """A port's sanction state now (active, warned, throttled, suspended, closed)."""

    __tablename__ = "spam_port_sanctions"

    port_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("spam_enforcement_cases.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    updated_by: Mapped[str] = mapped_column(String(100))


class SpamPortSanctionHistory(Base):
    """Every change of a port's state: append-only like the audit trail."""

    __tablename__ = "spam_port_sanction_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    port_number: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    state_before: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("spam_enforcement_cases.id"))
    actor: Mapped[str] = mapped_column(String(100))
    evidence_ref: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)


class SpamEnforcementThresholds(Base):
    """A region's own thresholds (absent: the defaults, or the nearest region above)."""

    __tablename__ = "spam_enforcement_thresholds"

    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    region_path: Mapped[str] = mapped_column(String(400))
    terms: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
