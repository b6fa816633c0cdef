"""flat open lists: partial indexes on the due time of open complaints, path prefix index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:00:00

Issue 7 (benchmarks and scale): the supervisor's "breached in my city" list must cost the
same at 10⁷ complaints as at 10⁵. Open complaints are a few per cent of all of them, so the
lists walk indexes that hold only open complaints, in due order:

- ``ix_complaints_open_due`` (reply_due_at, id): the page, in due order, stops after 50;
- ``ix_complaints_open_region_due`` (region_id, reply_due_at): the capped total and the
  region-filtered counts, without visiting closed complaints;
- on PostgreSQL, ``ix_org_units_path_prefix`` (path varchar_pattern_ops): subtree lookups on
  the materialised path (``LIKE '/1/2/8/%'``) by index whatever the collation.

The predicate is spelled exactly as ``services.queries.open_term`` renders it: SQLite uses a
partial index only when the query repeats its WHERE term.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('accepted', 'in_progress', 'pending_customer', 'replied')")


def upgrade() -> None:
    op.create_index(
        "ix_complaints_open_due",
        "complaints",
        ["reply_due_at", "id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        "ix_complaints_open_region_due",
        "complaints",
        ["region_id", "reply_due_at"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_org_units_path_prefix",
            "org_units",
            ["path"],
            postgresql_ops={"path": "varchar_pattern_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_org_units_path_prefix", table_name="org_units")
    op.drop_index("ix_complaints_open_region_due", table_name="complaints")
    op.drop_index("ix_complaints_open_due", table_name="complaints")
