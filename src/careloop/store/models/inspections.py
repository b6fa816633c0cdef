"""Inspections (监督检查): checklist versions, what is inspected, plans, the visits and
their results, machine-measured dial tests and their own append-only audit trail
(migration 0021_inspections)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class ChecklistVersion(Base):
    """One version of one kind's checklist, as scored against (never edited once used)."""

    __tablename__ = "checklist_versions"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class InspectionSubject(Base):
    """Something inspected: a store (营业厅), a hotline, an online channel, an installation
    team; owned by a unit and serving a region (whose path is copied for scoping)."""

    __tablename__ = "inspection_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    """The unit answerable for it (a county's 营业部, a city's 客服中心): findings go there."""
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(400), index=True)
    hotline_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InspectionPlan(Base):
    __tablename__ = "inspection_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    cadence: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    owner_path: Mapped[str] = mapped_column(String(400), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Inspection(Base):
    """One planned visit (a result slot) and, once entered, its result."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("inspection_subjects.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(400), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    """planned → draft → submitted."""
    checklist_version: Mapped[int | None] = mapped_column(Integer)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    score: Mapped[float | None] = mapped_column(Float)
    compliant: Mapped[bool | None] = mapped_column(Boolean)
    failed_items: Mapped[list[str]] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(20))
    """How the result came in: form, import or demo."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class DialTest(Base):
    """One call a dialling machine made to a hotline, as it measured it."""

    __tablename__ = "dial_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("inspection_subjects.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(400))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    answer_seconds: Mapped[float | None] = mapped_column(Float)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InspectionEvent(Base):
    """The inspections' audit trail (checklist versions, subjects, plans, drafts, submits,
    imports, dial tests): append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "inspection_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    subject: Mapped[str] = mapped_column(String(30))
    """What the row is about: checklist, subject, plan, inspection, dial_test, import."""
    subject_ref: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
