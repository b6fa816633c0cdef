"""access throttles: one-time codes, login back-off, shared rate limits

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 16:40:00

Three tables (store/access_throttles.py) so that limits hold across processes:

- ``otp_challenges``: a customer's one-time code as an Argon2 hash, with its tries and the
  time it was used, so a code is single-use and attempt-capped in every process (the code
  itself was in the SMS outbox, readable through the notifications list);
- ``login_throttles``: wrong passwords in a row per (username, client address) and that
  pair's back-off lock, replacing the per-account lock that anyone could trigger for anyone;
- ``rate_limit_buckets``: the shared token buckets of login, intake, bulk intake and codes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC_DT = careloop.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "otp_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("expires_at", UTC_DT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("used_at", UTC_DT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_challenges")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_otp_challenges_token_hash")),
    )
    op.create_index(
        op.f("ix_otp_challenges_expires_at"), "otp_challenges", ["expires_at"], unique=False
    )
    op.create_table(
        "login_throttles",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locks", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", UTC_DT, nullable=True),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("username", "client", name=op.f("pk_login_throttles")),
    )
    op.create_index(
        op.f("ix_login_throttles_updated_at"), "login_throttles", ["updated_at"], unique=False
    )
    op.create_table(
        "rate_limit_buckets",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_buckets")),
    )
    op.create_index(
        op.f("ix_rate_limit_buckets_updated"), "rate_limit_buckets", ["updated"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_buckets_updated"), table_name="rate_limit_buckets")
    op.drop_table("rate_limit_buckets")
    op.drop_index(op.f("ix_login_throttles_updated_at"), table_name="login_throttles")
    op.drop_table("login_throttles")
    op.drop_index(op.f("ix_otp_challenges_expires_at"), table_name="otp_challenges")
    op.drop_table("otp_challenges")
