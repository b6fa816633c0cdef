"""callback and appeal outcomes: the call centre's callback loop and the regulator's answer

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-27 22:45:00

- ``complaints.callback_outcome``: how the last callback ended (``satisfied``,
  ``dissatisfied``, ``unreachable``, ``declined``); NULL until one has. ``callback_satisfied``
  stays (True/False for satisfied/dissatisfied, NULL otherwise) so older figures hold.
- ``complaints.callback_attempts``: unreachable callback attempts since the last reply.
- ``complaints.callback_next_at``: when to call again after an unreachable attempt
  (``domain.callbacks`` schedules it); indexed for the agents' callback queue.
- ``complaints.appeal_outcome``: for complaints the regulator transferred, what the customer
  made of the answer (``settled``, ``not_accepted``, ``informed``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("callback_outcome", sa.String(length=20), nullable=True))
    op.add_column(
        "complaints",
        sa.Column("callback_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "complaints",
        sa.Column(
            "callback_next_at", careloop.store.types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column("complaints", sa.Column("appeal_outcome", sa.String(length=20), nullable=True))
    op.create_index("ix_complaints_callback_next_at", "complaints", ["callback_next_at"])
    # The outcome of callbacks recorded before this revision, from the flag they left.
    op.execute(
        "UPDATE complaints SET callback_outcome = CASE WHEN callback_satisfied "
        "THEN 'satisfied' ELSE 'dissatisfied' END WHERE callback_satisfied IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_complaints_callback_next_at", table_name="complaints")
    op.drop_column("complaints", "appeal_outcome")
    op.drop_column("complaints", "callback_next_at")
    op.drop_column("complaints", "callback_attempts")
    op.drop_column("complaints", "callback_outcome")
