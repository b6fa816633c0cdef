"""merge: scheduled jobs' last runs and spam port bursts grew side by side

Revision ID: 0026
Revises: 0025_job_runs, 0025_spam_port_bursts
Create Date: 2026-11-28 14:20:00

Two separate new tables (``job_runs`` for the probes and metrics, ``spam_port_bursts`` for
the same-day early warning), so their order does not matter; this revision joins them so
that the schema has one head again.
"""

from __future__ import annotations

revision = "0026"
down_revision = ("0025_job_runs", "0025_spam_port_bursts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
