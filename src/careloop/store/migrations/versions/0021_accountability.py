"""accountability: responsibility cases, the operator's rules and their audit trail

Revision ID: 0021_accountability
Revises: 0020
Create Date: 2026-11-28 06:10:00

- ``accountability_cases``: one 责任认定 per source (a complaint, an inspection finding, a
  failed rectification), its unit and person, the rule broken, the penalty decided and in
  force (KPI points, economic penalty in fen, one-vote veto) and the appeal.
- ``accountability_rules``: the operator's rules, over the seeds in the domain.
- ``accountability_events``: the audit trail, append-only like ``events``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0021_accountability"
down_revision = "0020"
branch_labels = None
depends_on = None

_MESSAGE = "accountability events are append-only (audit trail)"
_PG_TRIGGER = f"""
CREATE OR REPLACE FUNCTION careloop_accountability_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accountability_events_no_update BEFORE UPDATE OR DELETE ON accountability_events
    FOR EACH ROW EXECUTE FUNCTION careloop_accountability_events_append_only();
"""


def upgrade() -> None:
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "accountability_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source_kind", sa.String(length=30), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_item", sa.String(length=60), server_default="", nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_path", sa.String(length=400), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("opened_at", utc, nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", utc, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_points", sa.Float(), nullable=False),
        sa.Column("decided_fen", sa.Integer(), nullable=False),
        sa.Column("decided_veto", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("appeal_due_at", utc, nullable=True),
        sa.Column("appealed_at", utc, nullable=True),
        sa.Column("appealed_by_id", sa.Integer(), nullable=True),
        sa.Column("appeal_reason", sa.Text(), nullable=True),
        sa.Column("appeal_outcome", sa.String(length=20), nullable=True),
        sa.Column("appeal_decided_at", utc, nullable=True),
        sa.Column("appeal_decision_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", utc, nullable=True),
        sa.Column("updated_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name=op.f("fk_accountability_cases_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_accountability_cases_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff.id"], name=op.f("fk_accountability_cases_opened_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["appealed_by_id"],
            ["staff.id"],
            name=op.f("fk_accountability_cases_appealed_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_accountability_cases_number")),
        sa.UniqueConstraint(
            "source_kind", "source_id", "source_item", name=op.f("uq_accountability_source")
        ),
    )
    for column in ("status", "unit_id", "unit_path", "staff_id", "decided_at"):
        op.create_index(op.f(f"ix_accountability_cases_{column}"), "accountability_cases", [column])
    op.create_table(
        "accountability_rules",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_accountability_rules")),
    )
    op.create_table(
        "accountability_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("rule_code", sa.String(length=40), nullable=True),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("before", json_type, nullable=True),
        sa.Column("after", json_type, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["accountability_cases.id"],
            name=op.f("fk_accountability_events_case_id_accountability_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_accountability_events_actor_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_events")),
    )
    op.create_index(op.f("ix_accountability_events_case_id"), "accountability_events", ["case_id"])
    _protect_audit_trail()


def _protect_audit_trail() -> None:
    """The case's audit trail, like the complaints': the database refuses rewrites."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGER)
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER accountability_events_no_{verb.lower()} BEFORE {verb} "
            f"ON accountability_events BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP TRIGGER IF EXISTS accountability_events_no_update ON accountability_events"
        )
        op.execute("DROP FUNCTION IF EXISTS careloop_accountability_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS accountability_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS accountability_events_no_delete")
    op.drop_index(op.f("ix_accountability_events_case_id"), table_name="accountability_events")
    op.drop_table("accountability_events")
    op.drop_table("accountability_rules")
    for column in ("status", "unit_id", "unit_path", "staff_id", "decided_at"):
        op.drop_index(op.f(f"ix_accountability_cases_{column}"), table_name="accountability_cases")
    op.drop_table("accountability_cases")
