"""work steps: the moments a service commitment times inside a unit's work

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-27 23:00:00

``work_order_steps``: one row per step a dispatch opens (``domain.sla.steps``): a
feasibility reply, a technician's arrival, service restored, a line installed. Each has
its own clock: where it started (the dispatch, an appointment or a payment), the limit the
policy set, its due instant, when it was done and by whom, and its judged state once done.
An open step's lateness is judged at read time from ``due_at``, never from a stored flag,
so no figure waits for a sweep; ``breached_at`` only records that the breach was announced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC_DT = careloop.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "work_order_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("anchor", sa.String(length=20), nullable=False),
        sa.Column("sla_policy_id", sa.Integer(), nullable=True),
        sa.Column("started_at", UTC_DT, nullable=False),
        sa.Column("limit_minutes", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("due_at", UTC_DT, nullable=False),
        sa.Column("done_at", UTC_DT, nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("breached_at", UTC_DT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_steps")),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_steps_work_order_id_work_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_work_order_steps_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["sla_policy_id"],
            ["sla_policies.id"],
            name=op.f("fk_work_order_steps_sla_policy_id_sla_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["staff.id"], name=op.f("fk_work_order_steps_done_by_id_staff")
        ),
        sa.UniqueConstraint(
            "work_order_id", "kind", name=op.f("uq_work_order_steps_work_order_id")
        ),
    )
    op.create_index(
        op.f("ix_work_order_steps_complaint_id"), "work_order_steps", ["complaint_id"], unique=False
    )
    op.create_index(
        op.f("ix_work_order_steps_state_due_at"),
        "work_order_steps",
        ["state", "due_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_work_order_steps_state_due_at"), table_name="work_order_steps")
    op.drop_index(op.f("ix_work_order_steps_complaint_id"), table_name="work_order_steps")
    op.drop_table("work_order_steps")
