"""job runs: the last run of each scheduled job, for /metrics

Revision ID: 0025_job_runs
Revises: 0024
Create Date: 2026-11-28 13:40:00

- ``job_runs``: one row per job name (``sla.sweep``, ``sla.sweep_chunk`` …), overwritten
  by every run, with its working instant, start, end, duration, outcome and the running
  counts of runs and failures. The API's ``/metrics`` reads the sweep's duration and lag and
  the job failures from here, so they add up over every worker and container.

Declared here as at this revision (not imported from the models).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0025_job_runs"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("moment", careloop.store.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", careloop.store.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", careloop.store.types.UTCDateTime(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job", name="pk_job_runs"),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
