"""board at scale: event actions per complaint, work orders by unit and by complaint

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:00:00

Issue 7 follow-up (the supervisor's board at 10⁶ complaints on PostgreSQL):

- ``ix_events_complaint_action`` (complaint_id, action, at): the at-risk filter
  (``services.queries.sla_candidates``, ``sla_certainly_breached``) asks, per open
  complaint, whether it has an event with one of a few actions (pause, reply, first contact,
  callback stops), some of them older than a limit. With only ``complaint_id`` indexed each
  probe read every event of the complaint from the heap; now it is answered from the index
  alone. ``at`` is in it because the callback probes compare it: measured at 10⁶, (complaint_id,
  action) alone did not shorten the at-risk query, this one did (~0.6–0.7 → ~0.45–0.5 s).
- ``ix_work_orders_unit_complaint`` (unit_id, complaint_id): the org-scope condition
  (``services.scope.visible_to``) lets PostgreSQL hash "every complaint with a work order in
  these units" when many rows are tested; it read all work orders for that (a city: a
  sequential scan of the table, ~0.2–0.3 s at 10⁶, in each of the board's scoped queries).
  Now it reads only the scope's entries of this index. The condition itself is unchanged.
- ``ix_work_orders_complaint_unit`` (complaint_id, unit_id): the same EXISTS probed per
  complaint, answered from the index. PostgreSQL orders a row's filters by their estimated
  cost and estimates the scope's EXISTS as this probe: without it, the cheaper event probes
  above made a city's ``?sla=breached`` list test every open complaint of the province for
  risk before its scope (10⁶: 283 → 563 ms); with it the scope is tested first again (270 ms).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_complaint_action", "events", ["complaint_id", "action", "at"])
    op.create_index("ix_work_orders_unit_complaint", "work_orders", ["unit_id", "complaint_id"])
    op.create_index("ix_work_orders_complaint_unit", "work_orders", ["complaint_id", "unit_id"])


def downgrade() -> None:
    op.drop_index("ix_work_orders_complaint_unit", table_name="work_orders")
    op.drop_index("ix_work_orders_unit_complaint", table_name="work_orders")
    op.drop_index("ix_events_complaint_action", table_name="events")
