"""Indicator inputs: subscribers per region, objectives, KPI schemes, daily complaint counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime

if TYPE_CHECKING:
    from careloop.store.models.org import OrgUnit


class RegionSubscribers(Base):
    """Users on record for one region and month (imported), with what was counted.

    The definition travels with every value (DOMAIN.md §4): the user base behind "per million
    users" changed over the years, and rates over different definitions must not be pooled.
    """

    __tablename__ = "subscriber_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    """First day of the month counted."""
    users: Mapped[int] = mapped_column(Integer)
    definition: Mapped[str] = mapped_column(String(200))
    """E.g. "mobile + fixed-line phone users" or "phone and broadband users"."""
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))

    region: Mapped[OrgUnit] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("region_id", "month", name="uq_subscriber_counts_region_month"),
    )


class IndicatorObjective(Base):
    """The indicator catalogue as data (TMF657 objective: target, threshold, tolerance).

    Seeded from ``domain.indicators.CATALOGUE`` by migration 0004; operators edit targets.
    """

    __tablename__ = "indicator_objectives"

    indicator_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(20))
    target: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    formula: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class KpiScheme(Base):
    """Weights and one-vote-veto rules of a KPI scorecard ("unit" or "staff"), as data."""

    __tablename__ = "kpi_schemes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    weights: Mapped[dict[str, Any]] = mapped_column(JSONType)
    """indicator_id → weight (normalised over indicators with data)."""
    veto_rules: Mapped[list[Any]] = mapped_column(JSONType)
    """[{"indicator_id", "comparator", "limit", "reason"}, ...]."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class DailyComplaintCount(Base):
    """Complaints accepted on one closed local day in one early-warning cell (migration 0006).

    Maintained by ``services.daily_counts``; a day's rows are complete only if the day is in
    ``counted_days`` (a cell absent on a counted day had no complaint that day).
    """

    __tablename__ = "daily_complaint_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    """Asia/Shanghai local day of ``accepted_at``."""
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    product: Mapped[str] = mapped_column(String(30), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class CountedDay(Base):
    """A local day whose ``daily_complaint_counts`` are complete (also when it had none)."""

    __tablename__ = "counted_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    through_id: Mapped[int] = mapped_column(Integer)
    """The largest complaint id when the day was counted: complaints with a larger id were
    not seen, so ``services.daily_counts`` checks them before it trusts the day."""
