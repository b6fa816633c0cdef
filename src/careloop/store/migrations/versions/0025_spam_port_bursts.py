"""spam port bursts: a port's report burst flagged once per day

Revision ID: 0025_spam_port_bursts
Revises: 0024
Create Date: 2026-11-28 13:40:00

- ``spam_port_bursts``: one row per port and local day (UNIQUE), written by the job the
  first time the early warning finds the port's reports bursting that day; the owner unit
  is notified once because the row is recorded once.

Declared here as it is at this revision, not imported from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0025_spam_port_bursts"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "spam_port_bursts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("port_number", sa.String(32), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("flagged_at", utc, nullable=False),
        sa.Column("basis", sa.String(10), nullable=False),
        sa.Column("reports", sa.Integer, nullable=False),
        sa.Column("reporters", sa.Integer, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("baseline_mean", sa.Float, nullable=False),
        sa.Column("baseline_days", sa.Integer, nullable=False),
        sa.Column("p_value", sa.Float, nullable=True),
        sa.Column("first_report_at", utc, nullable=True),
        sa.Column(
            "region_id",
            sa.Integer,
            sa.ForeignKey("org_units.id", name="fk_spam_port_bursts_region_id_org_units"),
            nullable=True,
        ),
        sa.Column("region_path", sa.String(400), nullable=False),
        sa.Column(
            "unit_id",
            sa.Integer,
            sa.ForeignKey("org_units.id", name="fk_spam_port_bursts_unit_id_org_units"),
            nullable=True,
        ),
        sa.Column("case_number", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_spam_port_bursts"),
        sa.UniqueConstraint("port_number", "day", name="uq_spam_port_burst"),
    )
    op.create_index("ix_spam_port_bursts_port_number", "spam_port_bursts", ["port_number"])
    op.create_index("ix_spam_port_bursts_day", "spam_port_bursts", ["day"])
    op.create_index("ix_spam_port_bursts_region_path", "spam_port_bursts", ["region_path"])


def downgrade() -> None:
    op.drop_table("spam_port_bursts")
