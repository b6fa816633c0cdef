"""Port report bursts flagged by the early warning (migration 0025_spam_port_bursts).

One row per port and local day, UNIQUE: the job runs every few minutes and a burst is
flagged — and its owner unit notified — once. Ports are referred to by number, as in
enforcement (a port reported before it is registered still bursts).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class SpamPortBurst(Base):
    """A port's report burst on one local day, as the job first saw it."""

    __tablename__ = "spam_port_bursts"
    __table_args__ = (UniqueConstraint("port_number", "day", name="uq_spam_port_burst"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    port_number: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    basis: Mapped[str] = mapped_column(String(10))
    """test (against the port's own baseline) or floor (a new port's absolute floor)."""
    reports: Mapped[int] = mapped_column(Integer)
    reporters: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    baseline_mean: Mapped[float] = mapped_column(Float)
    baseline_days: Mapped[int] = mapped_column(Integer)
    p_value: Mapped[float | None] = mapped_column(Float)
    first_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    region_path: Mapped[str] = mapped_column(String(400), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    """The owner unit notified (the region's network department, as for enforcement)."""
    case_number: Mapped[str | None] = mapped_column(String(32))
    """The port's open enforcement case when flagged, if any."""
