"""spam enforcement: cases against ports, their trail, escalations, port sanction state

Revision ID: 0023_spam_enforcement
Revises: 0022
Create Date: 2026-11-28 10:30:00

- ``spam_enforcement_cases``: one case against one port (端口处置), its severity, owner
  unit, deadline on the SLA engine, last sanction and appeal; at most one active case per
  port (UNIQUE ``active_port``, NULL once final).
- ``spam_enforcement_events``: the case's audit trail, append-only like ``events``.
- ``spam_enforcement_alerts``: escalations recorded once per case and level.
- ``spam_port_sanctions`` and ``spam_port_sanction_history`` (append-only): each port's
  state (active, warned, throttled, suspended, closed) and how it got there.
- ``spam_enforcement_thresholds``: a region's own thresholds.

Ports are referred to by number, not by a foreign key to the port registry. The tables
are declared here as they were at this revision, not imported from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0023_spam_enforcement"
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
_AUDIT_TABLES = ("spam_enforcement_events", "spam_port_sanction_history")


def _tables() -> tuple[sa.MetaData, list[sa.Table]]:
    meta = sa.MetaData(naming_convention=_NAMING)
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    utc = careloop.store.types.UTCDateTime()
    sa.Table("org_units", meta, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("staff", meta, sa.Column("id", sa.Integer, primary_key=True))

    def col(name: str, type_: object, *args: object, **kw: object) -> sa.Column:  # type: ignore[type-arg]
        kw.setdefault("nullable", False)
        return sa.Column(name, type_, *args, **kw)  # type: ignore[arg-type,call-overload]

    def opt(name: str, type_: object, *args: object, **kw: object) -> sa.Column:  # type: ignore[type-arg]
        return col(name, type_, *args, nullable=True, **kw)

    cases = sa.Table(
        "spam_enforcement_cases",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("number", sa.String(32), unique=True),
        col("version", sa.Integer),
        col("port_number", sa.String(32), index=True),
        opt("active_port", sa.String(32), unique=True),
        col("status", sa.String(20), index=True),
        col("severity", sa.String(20)),
        col("severity_rank", sa.Integer),
        col("reasons", json_type),
        col("day", sa.Date),
        col("reports", sa.Integer),
        col("distinct_reporters", sa.Integer),
        opt("spam_share", sa.Float),
        col("serious", sa.Integer),
        col("region_id", sa.Integer, sa.ForeignKey("org_units.id")),
        col("unit_id", sa.Integer, sa.ForeignKey("org_units.id"), index=True),
        col("unit_path", sa.String(400), index=True),
        col("limit_terms", json_type),
        col("escalation", json_type),
        col("due_at", utc, index=True),
        opt("handled_at", utc),
        col("escalation_level", sa.Integer),
        opt("escalated_to_unit_id", sa.Integer, sa.ForeignKey("org_units.id")),
        opt("last_action", sa.String(20)),
        opt("decided_by", sa.String(100)),
        opt("evidence_ref", sa.String(500)),
        opt("evidence", sa.Text),
        opt("appellant", sa.String(100)),
        opt("appeal_reason", sa.Text),
        col("appeals", sa.Integer),
        opt("appeal_outcome", sa.String(20)),
        col("opened_by", sa.String(100)),
        col("opened_at", utc),
        opt("closed_at", utc),
        col("updated_at", utc),
    )
    events = sa.Table(
        "spam_enforcement_events",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("case_id", sa.Integer, sa.ForeignKey("spam_enforcement_cases.id"), index=True),
        col("port_number", sa.String(32), index=True),
        col("at", utc),
        opt("actor_id", sa.Integer, sa.ForeignKey("staff.id")),
        col("actor", sa.String(100)),
        col("role", sa.String(20)),
        col("action", sa.String(40)),
        opt("before", json_type),
        opt("after", json_type),
        opt("note", sa.Text),
    )
    alerts = sa.Table(
        "spam_enforcement_alerts",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("case_id", sa.Integer, sa.ForeignKey("spam_enforcement_cases.id"), index=True),
        col("kind", sa.String(30)),
        col("at", utc),
        col("due_at", utc),
        col("overrun_minutes", sa.Integer),
        opt("to_unit_id", sa.Integer, sa.ForeignKey("org_units.id")),
        sa.UniqueConstraint("case_id", "kind", name="uq_spam_enforcement_alert"),
    )
    sanctions = sa.Table(
        "spam_port_sanctions",
        meta,
        col("port_number", sa.String(32), primary_key=True),
        col("state", sa.String(20)),
        col("since", utc),
        opt("case_id", sa.Integer, sa.ForeignKey("spam_enforcement_cases.id")),
        opt("region_id", sa.Integer, sa.ForeignKey("org_units.id")),
        col("updated_by", sa.String(100)),
    )
    history = sa.Table(
        "spam_port_sanction_history",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("port_number", sa.String(32), index=True),
        col("at", utc),
        col("state_before", sa.String(20)),
        col("state", sa.String(20)),
        col("action", sa.String(20)),
        opt("case_id", sa.Integer, sa.ForeignKey("spam_enforcement_cases.id")),
        col("actor", sa.String(100)),
        opt("evidence_ref", sa.String(500)),
        opt("note", sa.Text),
    )
    thresholds = sa.Table(
        "spam_enforcement_thresholds",
        meta,
        col("region_id", sa.Integer, sa.ForeignKey("org_units.id"), primary_key=True),
        col("region_path", sa.String(400)),
        col("terms", json_type),
        col("updated_at", utc),
        col("updated_by", sa.String(100)),
    )
    return meta, [cases, events, alerts, sanctions, history, thresholds]


def upgrade() -> None:
    meta, tables = _tables()
    meta.create_all(op.get_bind(), tables=tables)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_spam_enforcement_cases_unit_path_prefix "
            "ON spam_enforcement_cases (unit_path varchar_pattern_ops)"
        )
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
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_spam_enforcement_cases_unit_path_prefix")
    meta, tables = _tables()
    meta.drop_all(op.get_bind(), tables=list(reversed(tables)))
