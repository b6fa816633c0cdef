"""legal periods and stored clocks: the regulatory outer limit and working handle times

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 22:45:00

- ``complaints.outer_due_at`` / ``outer_state``: the regulatory outer limit that no pause
  stops (the 15-day answer to a complaint; for a regulator appeal the 30-day answer), kept
  on the ticket so lists and reports read it without judging clocks.
- ``complaints.reply_work_minutes``: working minutes from acceptance to the reply, net of
  pauses waiting on the customer (average handle time in working hours, DOMAIN.md §4).
- ``work_orders.work_minutes``: working minutes from dispatch to finish.

All are derived state, written by ``services.sla.refresh`` at every transition and by the
sweep; NULL until known.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "complaints",
        sa.Column("outer_due_at", careloop.store.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("complaints", sa.Column("outer_state", sa.String(length=20), nullable=True))
    op.add_column("complaints", sa.Column("reply_work_minutes", sa.Integer(), nullable=True))
    op.add_column("work_orders", sa.Column("work_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("work_orders", "work_minutes")
    op.drop_column("complaints", "reply_work_minutes")
    op.drop_column("complaints", "outer_state")
    op.drop_column("complaints", "outer_due_at")
