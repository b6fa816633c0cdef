"""Incidents (突发服务事件), the regions they affect, the complaints linked to them and
their own append-only audit trail (migration 0017)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    prepared_answer: Mapped[str] = mapped_column(Text)
    """统一答复口径: the reply every linked complaint gets, and the customers' notice."""
    categories: Mapped[list[str]] = mapped_column(JSONType)
    products: Mapped[list[str]] = mapped_column(JSONType)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expected_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class IncidentRegion(Base):
    """One region (a city, county or the province) whose subtree the incident affects."""

    __tablename__ = "incident_regions"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(400))
    """The unit's org-tree path, copied (units never move): matching reads no join."""


class IncidentLink(Base):
    """A complaint linked to an incident: one incident per complaint at most."""

    __tablename__ = "incident_links"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    linked_by: Mapped[str] = mapped_column(String(20))
    """intake (at acceptance) or opening (an earlier complaint linked when it was opened)."""
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    """The customer's notice, once queued."""


class IncidentEvent(Base):
    """The incident's audit trail (opened, updated, linked, bulk reply, resolved):
    append-only (database triggers refuse UPDATE and DELETE), like the complaints' events."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
