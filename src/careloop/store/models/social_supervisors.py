"""Social supervisors (社会监督员), their submissions and the answers they get, with an
append-only audit trail (migration 0021_rectification)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class SocialSupervisor(Base):
    __tablename__ = "social_supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30))
    """Personal data: masked for roles that may not see it (domain.privacy)."""
    area_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    area_path: Mapped[str] = mapped_column(String(400), index=True)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class SupervisionSubmission(Base):
    """One observation (scored) or feedback of a supervisor about a store, hotline or unit,
    handed to an owner unit for an answer by a deadline."""

    __tablename__ = "supervision_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("social_supervisors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    owner_path: Mapped[str] = mapped_column(String(400), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    finding: Mapped[str] = mapped_column(String(10))
    """pass, fail, or none (feedback without a verdict)."""
    text: Mapped[str] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(500))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class SocialSupervisionEvent(Base):
    """Audit trail of the registry and the submissions: append-only."""

    __tablename__ = "social_supervision_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("social_supervisors.id"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_submissions.id"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
