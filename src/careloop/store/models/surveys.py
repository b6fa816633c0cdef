"""Post-service surveys: template versions, sending rules, one row per complaint surveyed,
and the numbers that opted out (migration 0021)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class SurveyTemplate(Base):
    """One version of one purpose's questions; saving makes a new version, never an edit,
    so a survey answered on version 2 is read with version 2's questions."""

    __tablename__ = "survey_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    """The version new surveys get (one per purpose)."""
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    """The template's JSON form (domain.surveys.Template.to_json)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("purpose", "version", name="uq_survey_templates_purpose_version"),
    )


class SurveyRule(Base):
    """Sending rules for a region's subtree; ``region_id`` NULL is the global rule."""

    __tablename__ = "survey_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), unique=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    """The rule's JSON form (domain.surveys.SendingRule.to_json)."""
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class Survey(Base):
    """One complaint's survey, from planning to answer. One per complaint (the unique key
    makes the queued handler safe to run twice). The customer's number is kept only as a
    hash: the complaint holds it, the throttle only needs to match it."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_templates.id"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    """pending (waits for due_at) → sent → answered | expired; or skipped."""
    reason: Mapped[str | None] = mapped_column(String(20))
    """The last throttle decision's reason (domain.surveys.Decision.reason)."""
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    """The complaint's region: where the indicators count it."""
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    """The handling unit: the unit of the complaint's last work order, else its owner unit."""
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    """The complaint's first-question owner (首问责任人)."""
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_surveys_status_due", "status", "due_at"),
        Index("ix_surveys_phone_sent", "phone_hash", "sent_at"),
        Index("ix_surveys_sent_at", "sent_at"),
    )


class SurveyOptOut(Base):
    """A number that said stop (退订): it never gets a survey again."""

    __tablename__ = "survey_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))
    """sms_reply | page | staff"""
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
