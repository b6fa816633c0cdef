"""Spam-SMS governance (垃圾短信治理): reports from every source, the campaigns they are
grouped into, the port registry with its history, and staff labels for the classifier
(migration 0023_spam_reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class SpamPort(Base):
    """A sending port (端口) or point-to-point number and who answers for it."""

    __tablename__ = "spam_ports"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    """Normalised digits (domain.spam.ports.normalise_number)."""
    kind: Mapped[str] = mapped_column(String(20))
    """``service_port`` (106…) or ``point_to_point`` (a mobile or fixed line)."""
    operator: Mapped[str] = mapped_column(String(10))
    owner_kind: Mapped[str] = mapped_column(String(20))
    """``enterprise`` (an enterprise customer) or ``sp`` (a service provider)."""
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_code: Mapped[str | None] = mapped_column(String(64), index=True)
    contract_ref: Mapped[str | None] = mapped_column(String(100))
    allowed_kinds: Mapped[list[str]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class SpamPortHistory(Base):
    """Every change of a port (registration, edit, import, enforcement): append-only."""

    __tablename__ = "spam_port_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    port_id: Mapped[int] = mapped_column(ForeignKey("spam_ports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)


class SpamCampaign(Base):
    """One message reported by many (the same text with numbers, links, padding varied)."""

    __tablename__ = "spam_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[list[int]] = mapped_column(JSONType)
    """The MinHash signature of its first report (domain.spam.fingerprints)."""
    sample_text: Mapped[str] = mapped_column(Text)
    port_id: Mapped[int | None] = mapped_column(ForeignKey("spam_ports.id"), index=True)
    port_number: Mapped[str | None] = mapped_column(String(32))
    """The sending number most of its reports name (attributed to ``port_id`` if registered)."""
    kind: Mapped[str | None] = mapped_column(String(30))
    reports: Mapped[int] = mapped_column(Integer)
    reporters: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SpamCampaignBand(Base):
    """Locality-sensitive hashing: a campaign's band hashes, looked up by a new report's."""

    __tablename__ = "spam_campaign_bands"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("spam_campaigns.id"))
    band: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_spam_campaign_bands_lookup", "band", "digest"),)


class SpamCampaignReporter(Base):
    """Who reported a campaign (by a keyed hash of their number), once per person."""

    __tablename__ = "spam_campaign_reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("spam_campaigns.id"))
    reporter_hash: Mapped[str] = mapped_column(String(64))
    reports: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("campaign_id", "reporter_hash"),)


class SpamReport(Base):
    """One report of a spam message, from any source."""

    __tablename__ = "spam_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    """``complaint``, ``forwarded`` (SMS to the reporting number), ``transfer_12321`` or
    ``interception`` (the SMS centre's system)."""
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    """Source and its own key, hashed: the same report arriving twice is stored once."""
    source_ref: Mapped[str | None] = mapped_column(String(100))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    reporter_phone: Mapped[str | None] = mapped_column(String(30))
    """Personal data: masked for roles that may not see it (domain.privacy)."""
    reporter_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    sender_number: Mapped[str] = mapped_column(String(40))
    """As reported (normalised digits)."""
    port_id: Mapped[int | None] = mapped_column(ForeignKey("spam_ports.id"), index=True)
    port_number: Mapped[str | None] = mapped_column(String(32), index=True)
    """The registered port the sender was attributed to, else the sender itself."""
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    region_path: Mapped[str] = mapped_column(String(400), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("spam_campaigns.id"), index=True)
    message_count: Mapped[int] = mapped_column(Integer, default=1)
    """Messages the report stands for (an interception batch counts many)."""
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    serious_reason: Mapped[str | None] = mapped_column(String(30))
    """``after_unsubscribe`` or ``no_consent``."""
    spam: Mapped[bool | None] = mapped_column(Boolean)
    """The classifier's verdict; None when no classifier was available."""
    kind: Mapped[str | None] = mapped_column(String(30))
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (Index("ix_spam_reports_port_received", "port_number", "received_at"),)


class SpamReportLabel(Base):
    """A member of staff's judgement of a report (spam or not, and the kind), for the
    classifier's next training run; the latest label of a report counts."""

    __tablename__ = "spam_report_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("spam_reports.id"), index=True)
    spam: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    labelled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    labelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    labelled_by: Mapped[str] = mapped_column(String(100))


class SpamEvent(Base):
    """Audit trail of the reports side (imports, interception batches, labels): append-only."""

    __tablename__ = "spam_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("spam_reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
