"""post-service surveys: template versions, sending rules, surveys, opt-outs

Revision ID: 0021_surveys
Revises: 0020
Create Date: 2026-11-28 06:10:00

- ``survey_templates``: one row per version of a purpose's questions (the JSON form of
  ``domain.surveys.Template``); the default complaint survey is seeded as version 1.
- ``survey_rules``: sending rules per region subtree (NULL region: global).
- ``surveys``: one per complaint surveyed, with the throttle's last reason, the one-time
  link's hash only, the answer and whether the customer said satisfied.
- ``survey_opt_outs``: numbers (hashed) that never get a survey again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import careloop.store.types
from careloop.domain.surveys import DEFAULT_TEMPLATE

revision = "0021_surveys"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = careloop.store.types.UTCDateTime()
    json = careloop.store.types.JSONType
    templates = op.create_table(
        "survey_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("body", json, nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_templates")),
        sa.UniqueConstraint("purpose", "version", name="uq_survey_templates_purpose_version"),
    )
    op.create_table(
        "survey_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("body", json, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["org_units.id"], name=op.f("fk_survey_rules_region_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_rules")),
        sa.UniqueConstraint("region_id", name=op.f("uq_survey_rules_region_id")),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", utc, nullable=False),
        sa.Column("due_at", utc, nullable=False),
        sa.Column("sent_at", utc, nullable=True),
        sa.Column("expires_at", utc, nullable=True),
        sa.Column("answered_at", utc, nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("answers", json, nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_surveys_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["survey_templates.id"],
            name=op.f("fk_surveys_template_id_survey_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["org_units.id"], name=op.f("fk_surveys_region_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name=op.f("fk_surveys_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(["agent_id"], ["staff.id"], name=op.f("fk_surveys_agent_id_staff")),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_surveys_notification_id_notifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_surveys_complaint_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_surveys_token_hash")),
    )
    op.create_index(op.f("ix_surveys_status"), "surveys", ["status"])
    op.create_index(op.f("ix_surveys_phone_hash"), "surveys", ["phone_hash"])
    op.create_index(op.f("ix_surveys_unit_id"), "surveys", ["unit_id"])
    op.create_index(op.f("ix_surveys_agent_id"), "surveys", ["agent_id"])
    op.create_index(op.f("ix_surveys_answered_at"), "surveys", ["answered_at"])
    op.create_index("ix_surveys_status_due", "surveys", ["status", "due_at"])
    op.create_index("ix_surveys_phone_sent", "surveys", ["phone_hash", "sent_at"])
    op.create_index("ix_surveys_sent_at", "surveys", ["sent_at"])
    op.create_table(
        "survey_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_opt_outs_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_opt_outs")),
        sa.UniqueConstraint("phone_hash", name=op.f("uq_survey_opt_outs_phone_hash")),
    )
    # The default complaint survey, so a fresh site sends sensible questions from day one.
    op.bulk_insert(
        templates,
        [
            {
                "purpose": DEFAULT_TEMPLATE.purpose,
                "version": DEFAULT_TEMPLATE.version,
                "active": True,
                "body": DEFAULT_TEMPLATE.to_json(),
                "created_at": datetime(2026, 11, 28, tzinfo=UTC),
                "created_by": "system",
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("survey_opt_outs")
    for name in ("ix_surveys_sent_at", "ix_surveys_phone_sent", "ix_surveys_status_due"):
        op.drop_index(name, table_name="surveys")
    for column in ("answered_at", "agent_id", "unit_id", "phone_hash", "status"):
        op.drop_index(op.f(f"ix_surveys_{column}"), table_name="surveys")
    op.drop_table("surveys")
    op.drop_table("survey_rules")
    op.drop_table("survey_templates")
