"""SLA policies, the working calendar, SLA alerts and the reference-data versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class SlaPolicy(Base):
    """One version of a service commitment (DOMAIN.md §3), matched at intake.

    Rows are never edited: changing a policy adds version n+1 and retires version n, so a
    complaint keeps the exact limits it started with (``complaints.sla_policy_id``).
    """

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """False once superseded by a newer version or retired."""
    rank: Mapped[int] = mapped_column(Integer, default=0)
    """Higher rank wins when several policies match (ties: more criteria, then lower id)."""
    match_category: Mapped[str | None] = mapped_column(String(60))
    match_channel: Mapped[str | None] = mapped_column(String(30))
    match_tier: Mapped[str | None] = mapped_column(String(20))
    match_region: Mapped[str | None] = mapped_column(String(64))
    match_escalated: Mapped[bool | None] = mapped_column(Boolean)
    match_priority: Mapped[str | None] = mapped_column(String(10))
    match_repeat: Mapped[bool | None] = mapped_column(Boolean)
    match_area: Mapped[str | None] = mapped_column(String(10))
    limits: Mapped[dict[str, Any]] = mapped_column(JSONType)
    """stage → {"minutes": int, "basis": "calendar"|"working"}; stages in services.sla."""
    warn_share: Mapped[float] = mapped_column(Float, default=0.8)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    """weekday "0".."6" → [["08:30", "17:30"], ...]; None: Monday–Friday 08:30–17:30."""
    escalation: Mapped[list[Any]] = mapped_column(JSONType)
    """[{"level": 1, "to": "owner", "after_minutes": 0, "channel": "email"}, ...]."""
    reminder_channel: Mapped[str] = mapped_column(String(20), default="sms")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("code", "version", name="uq_sla_policies_code_version"),)


class CalendarDay(Base):
    """An operator-maintained day: holiday (放假) or make-up working day (调休上班)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(30))
    """chinese-calendar (seed) or operator (entered or edited by hand)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class CalendarYear(Base):
    """A year whose State Council notice is entered: its days are data, not a guess."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(30))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))


class SlaAlert(Base):
    """A warning, breach or escalation step that fired: at most once per clock and kind.

    The unique constraint on (subject, kind) is what makes "exactly once" hold with several
    workers or after a restart: a second INSERT conflicts and its worker sends nothing.
    """

    __tablename__ = "sla_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(60))
    """"complaint:{id}:reply" or "work_order:{id}"."""
    kind: Mapped[str] = mapped_column(String(30))
    """warning, breach, escalation:{level}."""
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overrun_minutes: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(100))
    """Which worker fired it (evidence that several workers shared the sweep)."""

    __table_args__ = (UniqueConstraint("subject", "kind", name="uq_sla_alerts_subject_kind"),)


class ReferenceVersion(Base):
    """A change counter per table that cached reference data comes from (migration 0007).

    Bumped by a database trigger on every insert, update or delete of ``sla_policies``,
    ``calendar_days`` and ``calendar_years`` (also by hand-written SQL), so a process can
    tell with one tiny read whether its cached policies and calendar are still current.
    """

    __tablename__ = "reference_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
