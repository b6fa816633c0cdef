"""daily complaint counts: pre-aggregated early-warning counts per closed local day

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 08:00:00

Issue 7 (benchmarks and scale): the morning early warning read 35 days of complaints with one
GROUP BY (10.6 s of database time at 10⁷). Complaints are never deleted and their category,
region and product never change after intake, so a closed day's counts per cell never change:
``services.daily_counts`` counts each closed day once into ``daily_complaint_counts`` and
marks it in ``counted_days`` (a day with no complaints is counted too).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_complaint_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["org_units.id"],
            name=op.f("fk_daily_complaint_counts_region_id_org_units"),
        ),
        sa.PrimaryKeyConstraint(
            "day", "category", "region_id", "product", name=op.f("pk_daily_complaint_counts")
        ),
    )
    op.create_table(
        "counted_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_counted_days")),
    )


def downgrade() -> None:
    op.drop_table("counted_days")
    op.drop_table("daily_complaint_counts")
