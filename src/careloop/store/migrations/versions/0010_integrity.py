"""integrity: idempotency keys scoped per caller

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 16:40:00

Reserved in the chain so that work on separate tables can land in any order; its tables
are added as the work that needs them lands.
"""

from __future__ import annotations

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
