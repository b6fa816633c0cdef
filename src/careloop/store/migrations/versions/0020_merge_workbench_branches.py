"""merge: reply templates, saved list views and stored reports grew side by side from 0018

Revision ID: 0020
Revises: 0019_reply_templates, 0019_saved_list_views, 0019_stored_reports
Create Date: 2026-11-28 03:30:00

The three branches add separate tables, so their order does not matter; this revision
joins them so that the schema has one head again.
"""

from __future__ import annotations

revision = "0020"
down_revision = ("0019_reply_templates", "0019_saved_list_views", "0019_stored_reports")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
