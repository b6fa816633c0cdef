"""reply templates (答复口径) and attachment contents uploaded from the complaint page

Revision ID: 0019_reply_templates
Revises: 0018
Create Date: 2026-11-28 02:30:00

- ``reply_templates``: a category's approved reply wording with placeholders, valid in one
  region's subtree (its path copied for matching), versioned for optimistic locking.
- ``attachment_contents``: the bytes of a file uploaded from the page, one row per
  attachment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0019_reply_templates"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("region_path", sa.String(length=400), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["org_units.id"],
            name=op.f("fk_reply_templates_region_id_org_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
    )
    op.create_index(
        op.f("ix_reply_templates_category"), "reply_templates", ["category"], unique=False
    )
    op.create_table(
        "attachment_contents",
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_attachment_contents_attachment_id_attachments"),
        ),
        sa.PrimaryKeyConstraint("attachment_id", name=op.f("pk_attachment_contents")),
    )


def downgrade() -> None:
    op.drop_table("attachment_contents")
    op.drop_index(op.f("ix_reply_templates_category"), table_name="reply_templates")
    op.drop_table("reply_templates")
