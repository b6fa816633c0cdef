"""spam reports, campaigns and the port registry

Revision ID: 0023_spam_reports
Revises: 0022
Create Date: 2026-11-28 10:10:00

- ``spam_ports``, ``spam_port_history``: the registry of sending ports (106…) and
  point-to-point numbers, their owner, contract, allowed message kinds and status; every
  change of a port is a history row (append-only).
- ``spam_campaigns``, ``spam_campaign_bands``, ``spam_campaign_reporters``: reports of one
  message grouped (MinHash signature, LSH band hashes for the look-up, one row per reporter).
- ``spam_reports``: one report from any source (complaint, forwarded SMS, 12321 transfer,
  SMS-centre interception), UNIQUE per ``row_key`` so a source sent twice is stored once.
- ``spam_report_labels``: staff's spam/not-spam judgements for the classifier's training.
- ``spam_events``: the reports side's audit trail (imports, batches, labels), append-only.

The tables are declared here as they were at this revision (not imported from the models),
so later model changes do not rewrite history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0023_spam_reports"
down_revision = "0022"
branch_labels = None
depends_on = None

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
_AUDIT_TABLES = ("spam_port_history", "spam_events")


def _tables() -> tuple[sa.MetaData, list[sa.Table]]:
    meta = sa.MetaData(naming_convention=_NAMING)
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    utc = careloop.store.types.UTCDateTime()
    # Stand-ins for the tables referred to (already there; never created here).
    sa.Table("org_units", meta, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("staff", meta, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("complaints", meta, sa.Column("id", sa.Integer, primary_key=True))

    def col(name: str, type_: object, *args: object, **kw: object) -> sa.Column:  # type: ignore[type-arg]
        kw.setdefault("nullable", False)
        return sa.Column(name, type_, *args, **kw)  # type: ignore[arg-type,call-overload]

    ports = sa.Table(
        "spam_ports",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("version", sa.Integer),
        col("number", sa.String(32), unique=True),
        col("kind", sa.String(20)),
        col("operator", sa.String(10)),
        col("owner_kind", sa.String(20)),
        col("owner_name", sa.String(200)),
        col("owner_code", sa.String(64), nullable=True, index=True),
        col("contract_ref", sa.String(100), nullable=True),
        col("allowed_kinds", json_type),
        col("status", sa.String(20), index=True),
        col("note", sa.Text, nullable=True),
        col("created_at", utc),
        col("updated_at", utc),
    )
    history = sa.Table(
        "spam_port_history",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("port_id", sa.Integer, sa.ForeignKey("spam_ports.id"), index=True),
        col("at", utc),
        col("actor_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("actor", sa.String(100)),
        col("role", sa.String(20)),
        col("action", sa.String(40)),
        col("before", json_type, nullable=True),
        col("after", json_type, nullable=True),
        col("note", sa.Text, nullable=True),
    )
    campaigns = sa.Table(
        "spam_campaigns",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("signature", json_type),
        col("sample_text", sa.Text),
        col("port_id", sa.Integer, sa.ForeignKey("spam_ports.id"), nullable=True, index=True),
        col("port_number", sa.String(32), nullable=True),
        col("kind", sa.String(30), nullable=True),
        col("reports", sa.Integer),
        col("reporters", sa.Integer),
        col("first_at", utc),
        col("last_at", utc, index=True),
    )
    bands = sa.Table(
        "spam_campaign_bands",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("campaign_id", sa.Integer, sa.ForeignKey("spam_campaigns.id")),
        col("band", sa.Integer),
        col("digest", sa.String(16)),
        sa.Index("ix_spam_campaign_bands_lookup", "band", "digest"),
    )
    reporters = sa.Table(
        "spam_campaign_reporters",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("campaign_id", sa.Integer, sa.ForeignKey("spam_campaigns.id")),
        col("reporter_hash", sa.String(64)),
        col("reports", sa.Integer),
        col("first_at", utc),
        sa.UniqueConstraint("campaign_id", "reporter_hash"),
    )
    reports = sa.Table(
        "spam_reports",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("source", sa.String(20), index=True),
        col("row_key", sa.String(64), unique=True),
        col("source_ref", sa.String(100), nullable=True),
        col("complaint_id", sa.Integer, sa.ForeignKey("complaints.id"), nullable=True),
        col("reporter_phone", sa.String(30), nullable=True),
        col("reporter_hash", sa.String(64), nullable=True, index=True),
        col("sender_number", sa.String(40)),
        col("port_id", sa.Integer, sa.ForeignKey("spam_ports.id"), nullable=True, index=True),
        col("port_number", sa.String(32), nullable=True, index=True),
        col("text", sa.Text),
        col("received_at", utc, index=True),
        col("region_id", sa.Integer, sa.ForeignKey("org_units.id")),
        col("region_path", sa.String(400), index=True),
        col(
            "campaign_id",
            sa.Integer,
            sa.ForeignKey("spam_campaigns.id"),
            nullable=True,
            index=True,
        ),
        col("message_count", sa.Integer),
        col("serious", sa.Boolean),
        col("serious_reason", sa.String(30), nullable=True),
        col("spam", sa.Boolean, nullable=True),
        col("kind", sa.String(30), nullable=True),
        col("score", sa.Float, nullable=True),
        col("created_at", utc),
        col("created_by", sa.String(100)),
        sa.Index("ix_spam_reports_port_received", "port_number", "received_at"),
    )
    labels = sa.Table(
        "spam_report_labels",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("report_id", sa.Integer, sa.ForeignKey("spam_reports.id"), index=True),
        col("spam", sa.Boolean),
        col("kind", sa.String(30), nullable=True),
        col("note", sa.Text, nullable=True),
        col("labelled_at", utc),
        col("labelled_by_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("labelled_by", sa.String(100)),
    )
    events = sa.Table(
        "spam_events",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("report_id", sa.Integer, sa.ForeignKey("spam_reports.id"), nullable=True, index=True),
        col("at", utc),
        col("actor_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("actor", sa.String(100)),
        col("role", sa.String(20)),
        col("action", sa.String(40)),
        col("after", json_type, nullable=True),
        col("note", sa.Text, nullable=True),
    )
    return meta, [ports, history, campaigns, bands, reporters, reports, labels, events]


def upgrade() -> None:
    meta, tables = _tables()
    meta.create_all(op.get_bind(), tables=tables)
    for table in _AUDIT_TABLES:
        _protect(table)


def _protect(table: str) -> None:
    """Audit trails, like the complaints': the database refuses rewrites."""
    message = f"{table} is append-only (audit trail)"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
CREATE OR REPLACE FUNCTION careloop_{table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION careloop_{table}_append_only();
"""
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in _AUDIT_TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS careloop_{table}_append_only()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    meta, tables = _tables()
    meta.drop_all(op.get_bind(), tables=list(reversed(tables)))
