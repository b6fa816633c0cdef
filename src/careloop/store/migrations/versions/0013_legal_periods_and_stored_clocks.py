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

Data: the seeded ``default`` policy (0002) meant MIIT order 35's "answer within 15 days" but
stored it as 21 600 calendar minutes from the instant. Where that seed is still exactly as
seeded, its reply limit becomes ``{"count": "calendar_days", "days": 15}``: counted from the
next day, due at 24:00 of the last day, a last day on a holiday moved to the next working
day (Civil Code arts. 201–203). An operator's own edit (any other value) is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


SEEDED_REPLY = {"minutes": 15 * 24 * 60, "basis": "calendar"}
LEGAL_REPLY = {"count": "calendar_days", "days": 15}
_policies = sa.table(
    "sla_policies",
    sa.column("id", sa.Integer()),
    sa.column("code", sa.String()),
    sa.column("limits", sa.JSON()),
)


def _swap_reply(old: dict[str, object], new: dict[str, object]) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_policies.c.id, _policies.c.limits).where(_policies.c.code == "default")
    ).all()
    for policy_id, limits in rows:
        if isinstance(limits, dict) and limits.get("reply") == old:
            bind.execute(
                _policies.update()
                .where(_policies.c.id == policy_id)
                .values(limits={**limits, "reply": new})
            )


def upgrade() -> None:
    _swap_reply(SEEDED_REPLY, LEGAL_REPLY)
    op.add_column(
        "complaints",
        sa.Column("outer_due_at", careloop.store.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("complaints", sa.Column("outer_state", sa.String(length=20), nullable=True))
    op.add_column("complaints", sa.Column("reply_work_minutes", sa.Integer(), nullable=True))
    op.add_column("work_orders", sa.Column("work_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    _swap_reply(LEGAL_REPLY, SEEDED_REPLY)
    op.drop_column("work_orders", "work_minutes")
    op.drop_column("complaints", "reply_work_minutes")
    op.drop_column("complaints", "outer_state")
    op.drop_column("complaints", "outer_due_at")
