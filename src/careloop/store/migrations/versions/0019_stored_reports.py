"""stored_reports: reports of closed periods, rendered once and served from storage

Revision ID: 0019_stored_reports
Revises: 0018
Create Date: 2026-11-28 02:35:00

A closed day, week, ten-day period or month no longer changes, so its report is made once
per kind, period, scope, language and format; a supervisor may have it made again (audited).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0019_stored_reports"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("generated_at", careloop.store.types.UTCDateTime(), nullable=False),
        sa.Column("generated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_reports")),
        sa.UniqueConstraint(
            "kind", "period_start", "scope", "language", "format", name="uq_stored_reports_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("stored_reports")
