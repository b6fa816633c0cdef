"""rectification tasks and social supervisors

Revision ID: 0021_rectification
Revises: 0020
Create Date: 2026-11-28 06:10:00

- ``rectification_tasks``: one finding a unit must put right (督促整改), its deadline on the
  SLA engine, evidence and re-inspection; UNIQUE per source (kind, id, item).
- ``rectification_events``: the task's audit trail, append-only like ``events``.
- ``rectification_alerts``: escalations recorded once per task, round and level.
- ``rectification_policies``: the limit per source kind an operator set.
- ``social_supervisors``, ``supervision_submissions``, ``social_supervision_events``: the
  registry of social supervisors (社会监督员), what they report and the answers they get.

The tables are declared here as they were at this revision (not imported from the
models), so later model changes do not rewrite history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0021_rectification"
down_revision = "0020"
branch_labels = None
depends_on = None

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
_AUDIT_TABLES = ("rectification_events", "social_supervision_events")


def _tables() -> tuple[sa.MetaData, list[sa.Table]]:
    meta = sa.MetaData(naming_convention=_NAMING)
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    utc = careloop.store.types.UTCDateTime()
    # Stand-ins for the tables referred to (already there; never created here).
    sa.Table("org_units", meta, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("staff", meta, sa.Column("id", sa.Integer, primary_key=True))

    def col(name: str, type_: object, *args: object, **kw: object) -> sa.Column:  # type: ignore[type-arg]
        kw.setdefault("nullable", False)
        return sa.Column(name, type_, *args, **kw)  # type: ignore[arg-type,call-overload]

    tasks = sa.Table(
        "rectification_tasks",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("number", sa.String(32), unique=True),
        col("version", sa.Integer),
        col("source_kind", sa.String(30)),
        col("source_id", sa.Integer),
        col("source_item", sa.String(60)),
        col("unit_id", sa.Integer, sa.ForeignKey("org_units.id"), index=True),
        col("unit_path", sa.String(400), index=True),
        col("title", sa.String(100)),
        col("detail", sa.Text),
        col("status", sa.String(20), index=True),
        col("cycle", sa.Integer),
        col("cycle_started_at", utc),
        col("limit_terms", json_type),
        col("warn_share", sa.Float),
        col("escalation", json_type),
        col("due_at", utc, index=True),
        col("escalation_level", sa.Integer),
        col("escalated_to_unit_id", sa.Integer, sa.ForeignKey("org_units.id"), nullable=True),
        col("actions_taken", sa.Text, nullable=True),
        col("evidence_ref", sa.String(500), nullable=True),
        col("evidence_text", sa.Text, nullable=True),
        col("submitted_at", utc, nullable=True),
        col("check_note", sa.Text, nullable=True),
        col("closed_at", utc, nullable=True),
        col("opened_by_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("opened_at", utc),
        col("updated_at", utc),
        sa.UniqueConstraint(
            "source_kind", "source_id", "source_item", name="uq_rectification_source"
        ),
    )
    events = sa.Table(
        "rectification_events",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("task_id", sa.Integer, sa.ForeignKey("rectification_tasks.id"), index=True),
        col("at", utc),
        col("actor_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("actor", sa.String(100)),
        col("role", sa.String(20)),
        col("action", sa.String(40)),
        col("cycle", sa.Integer),
        col("before", json_type, nullable=True),
        col("after", json_type, nullable=True),
        col("note", sa.Text, nullable=True),
    )
    alerts = sa.Table(
        "rectification_alerts",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("task_id", sa.Integer, sa.ForeignKey("rectification_tasks.id"), index=True),
        col("cycle", sa.Integer),
        col("kind", sa.String(30)),
        col("at", utc),
        col("due_at", utc),
        col("overrun_minutes", sa.Integer),
        col("to_unit_id", sa.Integer, sa.ForeignKey("org_units.id"), nullable=True),
        sa.UniqueConstraint("task_id", "cycle", "kind", name="uq_rectification_alert"),
    )
    policies = sa.Table(
        "rectification_policies",
        meta,
        col("source_kind", sa.String(30), primary_key=True),
        col("limits", json_type),
        col("warn_share", sa.Float),
        col("escalation", json_type),
        col("updated_at", utc),
        col("updated_by", sa.String(100)),
    )
    supervisors = sa.Table(
        "social_supervisors",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("version", sa.Integer),
        col("name", sa.String(50)),
        col("phone", sa.String(30)),
        col("area_unit_id", sa.Integer, sa.ForeignKey("org_units.id")),
        col("area_path", sa.String(400), index=True),
        col("term_start", sa.Date),
        col("term_end", sa.Date),
        col("active", sa.Boolean),
        col("created_at", utc),
        col("updated_at", utc),
    )
    submissions = sa.Table(
        "supervision_submissions",
        meta,
        col("id", sa.Integer, primary_key=True),
        col("number", sa.String(32), unique=True),
        col("version", sa.Integer),
        col("supervisor_id", sa.Integer, sa.ForeignKey("social_supervisors.id"), index=True),
        col("kind", sa.String(20)),
        col("target_kind", sa.String(20)),
        col("target_unit_id", sa.Integer, sa.ForeignKey("org_units.id")),
        col("owner_unit_id", sa.Integer, sa.ForeignKey("org_units.id")),
        col("owner_path", sa.String(400), index=True),
        col("score", sa.Float, nullable=True),
        col("finding", sa.String(10)),
        col("text", sa.Text),
        col("evidence_ref", sa.String(500), nullable=True),
        col("observed_at", utc),
        col("status", sa.String(20), index=True),
        col("reply_due_at", utc),
        col("reply", sa.Text, nullable=True),
        col("replied_at", utc, nullable=True),
        col("replied_by_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col(
            "rectification_id",
            sa.Integer,
            sa.ForeignKey("rectification_tasks.id"),
            nullable=True,
        ),
        col("idempotency_key", sa.String(100), unique=True, nullable=True),
        col("recorded_by_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("created_at", utc),
        col("updated_at", utc),
    )
    supervision_events = sa.Table(
        "social_supervision_events",
        meta,
        col("id", sa.Integer, primary_key=True),
        col(
            "supervisor_id",
            sa.Integer,
            sa.ForeignKey("social_supervisors.id"),
            nullable=True,
        ),
        col(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("supervision_submissions.id"),
            index=True,
            nullable=True,
        ),
        col("at", utc),
        col("actor_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        col("actor", sa.String(100)),
        col("role", sa.String(20)),
        col("action", sa.String(40)),
        col("before", json_type, nullable=True),
        col("after", json_type, nullable=True),
        col("note", sa.Text, nullable=True),
    )
    return meta, [tasks, events, alerts, policies, supervisors, submissions, supervision_events]


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
