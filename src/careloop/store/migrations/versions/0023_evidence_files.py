"""evidence files of supervision

Revision ID: 0023_evidence
Revises: 0022
Create Date: 2026-11-28 10:30:00

- ``evidence_files``: a photo or PDF uploaded as evidence (佐证材料) for a rectification
  task (submitting it for re-inspection) or an inspection's checklist item; owner by kind
  and id, sha256 of the bytes, who uploaded it and when.
- ``evidence_contents``: the bytes, one row per file (lists never load them).

The tables are declared here as they were at this revision (not imported from the
models), so later model changes do not rewrite history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0023_evidence"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_kind", sa.String(30), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(60), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["staff.id"], name=op.f("fk_evidence_files_uploaded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    op.create_index("ix_evidence_files_owner", "evidence_files", ["owner_kind", "owner_id"])
    op.create_table(
        "evidence_contents",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["evidence_files.id"],
            name=op.f("fk_evidence_contents_file_id_evidence_files"),
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_evidence_contents")),
    )


def downgrade() -> None:
    op.drop_table("evidence_contents")
    op.drop_index("ix_evidence_files_owner", table_name="evidence_files")
    op.drop_table("evidence_files")
