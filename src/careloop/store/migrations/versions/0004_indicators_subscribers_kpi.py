"""indicators: subscriber counts per region and month, indicator objectives, KPI schemes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import careloop.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_DT = careloop.store.types.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# A frozen copy of domain.indicators.CATALOGUE as it stood when this revision was written:
# the seed an operator then edits (a migration must not change meaning when code changes).
SEED_OBJECTIVES = [
    ("appeals_per_million", "百万用户申诉率", "Appeals per million users", "per million users",
     "lower_better", 30.0, 50.0, 0.0,
     "regulator-accepted appeals ÷ users × 1 000 000 (pooled; users as defined)"),
    ("escalated_rate", "越级申诉率", "Escalated-complaint rate", "%", "lower_better", 1.0, 3.0,
     0.0, "escalated complaints ÷ complaints × 100"),
    ("escalated_per_million", "百万用户越级申诉率", "Escalated complaints per million users",
     "per million users", "lower_better", 10.0, 30.0, 0.0,
     "escalated complaints ÷ users × 1 000 000"),
    ("complaints_per_10k", "万户投诉率", "Complaints per 10k users", "per 10 000 users",
     "lower_better", 5.0, 10.0, 0.0, "complaints ÷ users × 10 000"),
    ("on_time_rate", "及时率", "On-time rate", "%", "higher_better", 98.0, 90.0, 0.0,
     "stages finished within limit ÷ stages finished × 100"),
    ("first_contact_resolution", "一次性解决率", "First-contact resolution", "%",
     "higher_better", 90.0, 75.0, 0.0,
     "closed complaints neither reopened nor repeat ÷ closed complaints × 100"),
    ("repeat_rate", "重复投诉率", "Repeat-complaint rate", "%", "lower_better", 5.0, 15.0, 0.0,
     "repeat complaints ÷ complaints × 100"),
    ("callback_satisfaction", "回访满意率", "Callback satisfaction", "%", "higher_better", 95.0,
     80.0, 0.0, "satisfied callbacks ÷ callbacks done × 100"),
    ("average_handle_time", "平均处理时长", "Average handle time", "hours", "lower_better", 24.0,
     48.0, 0.0, "Σ stage durations (working hours) ÷ stages finished"),
]  # fmt: skip

SEED_SCHEMES = [
    {
        "code": "unit",
        "name": "责任单位 KPI / unit scorecard",
        "weights": {
            "on_time_rate": 25,
            "first_contact_resolution": 20,
            "callback_satisfaction": 20,
            "repeat_rate": 15,
            "escalated_rate": 10,
            "complaints_per_10k": 10,
        },
        "veto_rules": [
            {
                "indicator_id": "appeals_per_million",
                "comparator": ">",
                "limit": 50.0,
                "reason": "百万用户申诉率超过管局红线 50 / appeals per million users above 50",
            }
        ],
    },
    {
        "code": "staff",
        "name": "员工 KPI / staff scorecard",
        "weights": {
            "on_time_rate": 35,
            "first_contact_resolution": 25,
            "callback_satisfaction": 25,
            "repeat_rate": 15,
        },
        "veto_rules": [
            {
                "indicator_id": "on_time_rate",
                "comparator": "<",
                "limit": 60.0,
                "reason": "及时率低于 60% / on-time rate below 60 %",
            }
        ],
    },
]


def upgrade() -> None:
    op.create_table(
        "subscriber_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.Column("definition", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", UTC_DT, nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["org_units.id"], name=op.f("fk_subscriber_counts_region_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriber_counts")),
        sa.UniqueConstraint("region_id", "month", name="uq_subscriber_counts_region_month"),
    )
    with op.batch_alter_table("subscriber_counts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscriber_counts_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_subscriber_counts_month"), ["month"], unique=False)

    objectives = op.create_table(
        "indicator_objectives",
        sa.Column("indicator_id", sa.String(length=60), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_indicator_objectives")),
    )
    schemes = op.create_table(
        "kpi_schemes",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("weights", JSON, nullable=False),
        sa.Column("veto_rules", JSON, nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_kpi_schemes")),
    )
    now = datetime.now(UTC)
    keys = ("indicator_id", "name_zh", "name_en", "unit", "direction", "target", "threshold",
            "tolerance", "formula")  # fmt: skip
    op.bulk_insert(
        objectives,
        [
            {**dict(zip(keys, row, strict=True)), "updated_at": now, "updated_by": "migration 0004"}
            for row in SEED_OBJECTIVES
        ],
    )
    op.bulk_insert(
        schemes,
        [{**scheme, "updated_at": now, "updated_by": "migration 0004"} for scheme in SEED_SCHEMES],
    )


def downgrade() -> None:
    op.drop_table("kpi_schemes")
    op.drop_table("indicator_objectives")
    with op.batch_alter_table("subscriber_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriber_counts_month"))
        batch_op.drop_index(batch_op.f("ix_subscriber_counts_region_id"))
    op.drop_table("subscriber_counts")
