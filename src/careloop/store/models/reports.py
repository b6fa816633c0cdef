"""Reports of closed periods, rendered once and kept (their figures no longer move)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class StoredReport(Base):
    """One rendered report file: a kind, the period's first day, the org scope it covers,
    its language and format. Only masked reports are kept (an unmasked one is a personal-data
    read, made and audited each time); ``generated_at``/``generated_by`` say when and for
    whom it was made, and a supervisor's regeneration overwrites the row."""

    __tablename__ = "stored_reports"
    __table_args__ = (
        UniqueConstraint(
            "kind", "period_start", "scope", "language", "format", name="uq_stored_reports_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(8))
    media_type: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    generated_by: Mapped[str] = mapped_column(String(64))
