"""merge: surveys, CSI studies, inspections, rectification and accountability grew side by side

Revision ID: 0022
Revises: 0021_accountability, 0021_csi_studies, 0021_inspections, 0021_rectification,
    0021_surveys
Create Date: 2026-11-28 06:25:00

The five branches add separate tables, so their order does not matter; this revision joins
them so that the schema has one head again.
"""

from __future__ import annotations

revision = "0022"
down_revision = (
    "0021_accountability",
    "0021_csi_studies",
    "0021_inspections",
    "0021_rectification",
    "0021_surveys",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
