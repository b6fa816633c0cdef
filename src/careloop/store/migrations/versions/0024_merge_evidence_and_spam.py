"""merge: evidence files, spam reports and spam enforcement grew side by side

Revision ID: 0024
Revises: 0023_evidence, 0023_spam_enforcement, 0023_spam_reports
Create Date: 2026-11-28 11:20:00

The three branches add separate tables (enforcement names ports by number, not by a key
into the registry), so their order does not matter; this revision joins them so that the
schema has one head again.
"""

from __future__ import annotations

revision = "0024"
down_revision = (
    "0023_evidence",
    "0023_spam_enforcement",
    "0023_spam_reports",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
