"""satisfaction-index studies kept for the record

Revision ID: 0021_csi_studies
Revises: 0020
Create Date: 2026-11-28 06:20:00

- ``csi_studies``: one row per study run from the CSI page: its headline index and grade
  for the list, the scope of who ran it, and the whole result as JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0021_csi_studies"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "csi_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("model_name", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.Integer(), nullable=False),
        sa.Column("headline_latent", sa.String(length=60), nullable=False),
        sa.Column("headline_index", sa.Float(), nullable=False),
        sa.Column("headline_grade", sa.String(length=32), nullable=False),
        sa.Column("region_path", sa.String(length=400), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_by_name", sa.String(length=100), nullable=False),
        sa.Column("result", careloop.store.types.JSONType, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csi_studies")),
    )
    op.create_index(
        op.f("ix_csi_studies_region_path"), "csi_studies", ["region_path"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_csi_studies_region_path"), table_name="csi_studies")
    op.drop_table("csi_studies")
