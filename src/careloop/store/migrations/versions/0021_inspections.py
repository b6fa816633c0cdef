"""inspections: checklist versions, inspected subjects, plans, visits, dial tests, audit

Revision ID: 0021_inspections
Revises: 0020
Create Date: 2026-11-28 06:00:00

- ``checklist_versions``: each version of each kind's checklist, as scored against.
- ``inspection_subjects``: stores, hotlines, online channels, installation teams.
- ``inspection_plans``: who inspects what and when.
- ``inspections``: a planned visit (result slot) and its result, score and verdict.
- ``dial_tests``: calls measured by a dialling machine, one per idempotency key.
- ``inspection_events``: the audit trail, append-only like ``events``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0021_inspections"
down_revision = "0020"
branch_labels = None
depends_on = None

_MESSAGE = "inspection events are append-only (audit trail)"
_PG_TRIGGER = f"""
CREATE OR REPLACE FUNCTION careloop_inspection_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inspection_events_no_update BEFORE UPDATE OR DELETE ON inspection_events
    FOR EACH ROW EXECUTE FUNCTION careloop_inspection_events_append_only();
"""


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "checklist_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", json_type, nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _fk("checklist_versions", "created_by_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_versions")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_checklist_versions_kind")),
    )
    op.create_table(
        "inspection_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("region_path", sa.String(length=400), nullable=False),
        sa.Column("hotline_number", sa.String(length=20), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _fk("inspection_subjects", "unit_id", "org_units"),
        _fk("inspection_subjects", "region_id", "org_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_subjects")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_subjects_code")),
        sa.UniqueConstraint("hotline_number", name=op.f("uq_inspection_subjects_hotline_number")),
    )
    for column in ("kind", "region_id", "region_path"):
        op.create_index(op.f(f"ix_inspection_subjects_{column}"), "inspection_subjects", [column])
    op.create_table(
        "inspection_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("cadence", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("owner_path", sa.String(length=400), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        _fk("inspection_plans", "owner_unit_id", "org_units"),
        _fk("inspection_plans", "created_by_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
    )
    op.create_index(op.f("ix_inspection_plans_owner_path"), "inspection_plans", ["owner_path"])
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region_path", sa.String(length=400), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("checklist_version", sa.Integer(), nullable=True),
        sa.Column("results", json_type, nullable=False),
        sa.Column("visited_at", utc, nullable=True),
        sa.Column("submitted_at", utc, nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("compliant", sa.Boolean(), nullable=True),
        sa.Column("failed_items", json_type, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        _fk("inspections", "plan_id", "inspection_plans"),
        _fk("inspections", "subject_id", "inspection_subjects"),
        _fk("inspections", "inspector_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    for column in (
        "plan_id", "kind", "subject_id", "region_path", "inspector_id", "due_on", "status",
        "submitted_at",
    ):  # fmt: skip
        op.create_index(op.f(f"ix_inspections_{column}"), "inspections", [column])
    op.create_table(
        "dial_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region_path", sa.String(length=400), nullable=False),
        sa.Column("started_at", utc, nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("answer_seconds", sa.Float(), nullable=True),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("posted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        _fk("dial_tests", "subject_id", "inspection_subjects"),
        _fk("dial_tests", "posted_by_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dial_tests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_dial_tests_idempotency_key")),
    )
    op.create_index(op.f("ix_dial_tests_subject_id"), "dial_tests", ["subject_id"])
    op.create_index(op.f("ix_dial_tests_started_at"), "dial_tests", ["started_at"])
    op.create_table(
        "inspection_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=30), nullable=False),
        sa.Column("subject_ref", sa.String(length=60), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("before", json_type, nullable=True),
        sa.Column("after", json_type, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("inspection_events", "inspection_id", "inspections"),
        _fk("inspection_events", "actor_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_events")),
    )
    op.create_index(
        op.f("ix_inspection_events_inspection_id"), "inspection_events", ["inspection_id"]
    )
    _protect_audit_trail()


def _protect_audit_trail() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGER)
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER inspection_events_no_{verb.lower()} BEFORE {verb} ON "
            f"inspection_events BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS inspection_events_no_update ON inspection_events")
        op.execute("DROP FUNCTION IF EXISTS careloop_inspection_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS inspection_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS inspection_events_no_delete")
    for table in (
        "inspection_events", "dial_tests", "inspections", "inspection_plans",
        "inspection_subjects", "checklist_versions",
    ):  # fmt: skip
        op.drop_table(table)
