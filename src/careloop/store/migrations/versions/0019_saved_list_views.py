"""saved_list_views: a person's named filter sets of the complaint list

Revision ID: 0019_saved_list_views
Revises: 0018
Create Date: 2026-11-28 02:30:00

Private to their owner (one name once per person); the filter is the list's query string.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0019_saved_list_views"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_list_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", careloop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_saved_list_views_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_list_views")),
        sa.UniqueConstraint("staff_id", "name", name="uq_saved_list_views_staff_name"),
    )
    op.create_index(op.f("ix_saved_list_views_staff_id"), "saved_list_views", ["staff_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_list_views_staff_id"), table_name="saved_list_views")
    op.drop_table("saved_list_views")
