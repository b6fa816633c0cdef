"""repeat and urban/rural matching: service commitments that differ by area and repeats

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 22:40:00

- ``sla_policies.match_repeat``: a policy may apply to repeat complaints only (or to first
  complaints only), so repeats get their own, shorter limits and escalation.
- ``sla_policies.match_area``: ``urban`` or ``rural``; the Telecommunications Regulations
  give rural fault repair 72 h where urban gets 48 h.
- ``org_units.area``: whether a region is urban or rural; a unit without one takes its
  nearest ancestor's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sla_policies", sa.Column("match_repeat", sa.Boolean(), nullable=True))
    op.add_column("sla_policies", sa.Column("match_area", sa.String(length=10), nullable=True))
    op.add_column("org_units", sa.Column("area", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("org_units", "area")
    op.drop_column("sla_policies", "match_area")
    op.drop_column("sla_policies", "match_repeat")
