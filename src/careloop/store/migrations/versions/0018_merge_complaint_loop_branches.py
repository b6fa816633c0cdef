"""merge: legal periods, callbacks, work steps and incidents grew side by side from 0012

Revision ID: 0018
Revises: 0013, 0014, 0016, 0017
Create Date: 2026-11-28 00:05:00

The four branches touch separate tables and columns, so their order does not matter; this
revision joins them so that the schema has one head again.
"""

from __future__ import annotations

revision = "0018"
down_revision = ("0013", "0014", "0016", "0017")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
