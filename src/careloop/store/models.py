"""SQLAlchemy tables. Plain mapped classes: rules live in `domain`, use cases in `services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from careloop.store.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    dept_type: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    path: Mapped[str] = mapped_column(String(400), index=True)
    """Materialised path of ids, "/1/4/17/": subtree queries are a prefix match."""

    __table_args__ = (
        # PostgreSQL: LIKE 'prefix%' by index whatever the database collation (0005).
        Index(
            "ix_org_units_path_prefix",
            "path",
            postgresql_ops={"path": "varchar_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
    )


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """No longer counted: wrong passwords are counted per (username, client address) in
    ``login_throttles`` (store/access_throttles.py); this and ``locked_until`` stay zero."""
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


OPEN_PREDICATE = "status IN ('accepted', 'in_progress', 'pending_customer', 'replied')"
"""The partial indexes' predicate, as migration 0005 wrote it."""


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    """The caller's retry key: unique per caller (first_owner_id), not across callers (0010)."""
    request_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)

    channel: Mapped[str] = mapped_column(String(30))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    customer_phone: Mapped[str] = mapped_column(String(20))
    customer_name: Mapped[str | None] = mapped_column(String(100))
    customer_account: Mapped[str | None] = mapped_column(String(64))
    customer_tier: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60), index=True)
    category_l1: Mapped[str] = mapped_column(String(30))
    product: Mapped[str] = mapped_column(String(30))
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    description: Mapped[str] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_transfer: Mapped[bool] = mapped_column(Boolean, default=False)

    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    callback_satisfied: Mapped[bool | None] = mapped_column(Boolean)

    first_owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    """首问责任人: set at acceptance, never changed by any use case."""
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))

    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the retention rule replaced its personal data by placeholders (migration 0011,
    services.retention); None while the complaint still holds it."""

    # SLA state stored on the ticket (Zammad/Frappe style) so lists sort and filter by it;
    # written by the sweeper without bumping `version` (derived state, not a user edit).
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    sla_state: Mapped[str | None] = mapped_column(String(20), index=True)
    sla_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sla_overrun_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sla_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    first_owner: Mapped[Staff] = relationship(foreign_keys=[first_owner_id], lazy="joined")
    region: Mapped[OrgUnit] = relationship(foreign_keys=[region_id], lazy="joined")
    owner_unit: Mapped[OrgUnit] = relationship(foreign_keys=[owner_unit_id], lazy="joined")
    work_orders: Mapped[list[WorkOrder]] = relationship(
        back_populates="complaint", order_by="WorkOrder.seq", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint(
            "first_owner_id", "idempotency_key", name="uq_complaints_owner_idempotency_key"
        ),
        Index("ix_complaints_customer_repeat", "customer_phone", "category_l1", "accepted_at"),
        Index("ix_complaints_region_status", "region_id", "status"),
        # Open complaints only, in due order (migration 0005, issue 7: flat open lists).
        Index(
            "ix_complaints_open_due",
            "reply_due_at",
            "id",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
        ),
        Index(
            "ix_complaints_open_region_due",
            "region_id",
            "reply_due_at",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
        ),
    )


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    """The unit's own first-question owner: whoever accepts the order (内部首问负责制)."""
    dispatched_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instructions: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))

    # The order's own clock (内部首问负责制): limit and basis fixed at dispatch, from the
    # dispatcher's due time or the complaint's policy; a transfer keeps the original start.
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    sla_basis: Mapped[str | None] = mapped_column(String(10))
    sla_state: Mapped[str | None] = mapped_column(String(20), index=True)
    sla_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sla_overrun_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sla_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    complaint: Mapped[Complaint] = relationship(back_populates="work_orders")
    unit: Mapped[OrgUnit] = relationship(lazy="joined")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("complaint_id", "seq"),
        # The org scope's "a work order in these units", read from the index (0008): all of
        # a scope's at once, and per complaint.
        Index("ix_work_orders_unit_complaint", "unit_id", "complaint_id"),
        Index("ix_work_orders_complaint_unit", "complaint_id", "unit_id"),
    )


class Event(Base):
    """The audit trail: append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)

    # "Has it a pause / reply (older than L) / callback stop?" per complaint, answered from
    # the index alone (0008).
    __table_args__ = (Index("ix_events_complaint_action", "complaint_id", "action", "at"),)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)


class Attachment(Base):
    """Metadata only: files live in the operator's document store, referenced by `storage_ref`."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_ref: Mapped[str | None] = mapped_column(String(500))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


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


class Notification(Base):
    """Outbox of every outbound message; the recording adapter stops here (nothing is sent).

    ``dedup_key`` is unique: one alert produces one message per recipient, however many
    workers saw it.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    """reminder (80 % warning to the owner) or escalation (breach, along the org tree)."""
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("sla_alerts.id"))
    level: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), index=True)
    """pending (waits for send_after, e.g. quiet hours), sent, failed."""
    adapter: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class ApiToken(Base):
    """A login session: the bearer token of the API and the web's `careloop_session` cookie.

    Only the token's SHA-256 is stored, so a copy of the database hands out no sessions.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(lazy="joined")


class SecurityEvent(Base):
    """Audit trail of accounts and bulk data: logins, failures, lock-outs, exports.

    Append-only like `events` (database triggers refuse UPDATE and DELETE).
    """

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    username: Mapped[str] = mapped_column(String(100))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    client: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


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


class ReferenceVersion(Base):
    """A change counter per table that cached reference data comes from (migration 0007).

    Bumped by a database trigger on every insert, update or delete of ``sla_policies``,
    ``calendar_days`` and ``calendar_years`` (also by hand-written SQL), so a process can
    tell with one tiny read whether its cached policies and calendar are still current.
    """

    __tablename__ = "reference_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


# Tables of other modules register on the same metadata (migrations compare against it).
from careloop.store import access_throttles as _access_throttles  # noqa: E402, F401
