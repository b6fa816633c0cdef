"""accounts: lock-out columns, login sessions (api_tokens), security events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import careloop.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DT = careloop.store.types.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", UTC_DT, nullable=True))

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("expires_at", UTC_DT, nullable=False),
        sa.Column("revoked_at", UTC_DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_api_tokens_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_tokens_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.Column("detail", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_security_events_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_events_kind"), ["kind"], unique=False)
    _protect_security_trail()


_PG_TRIGGER = """
CREATE OR REPLACE FUNCTION careloop_security_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'security events are append-only (audit trail)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER security_events_no_update BEFORE UPDATE OR DELETE ON security_events
    FOR EACH ROW EXECUTE FUNCTION careloop_security_events_append_only();
"""


def _protect_security_trail() -> None:
    """Logins, lock-outs and exports are evidence: the database refuses to rewrite them."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGER)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER security_events_no_{verb.lower()} BEFORE {verb} "
                "ON security_events BEGIN SELECT RAISE(ABORT, "
                "'security events are append-only (audit trail)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS security_events_no_update ON security_events")
        op.execute("DROP FUNCTION IF EXISTS careloop_security_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS security_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS security_events_no_delete")
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_events_kind"))
        batch_op.drop_index(batch_op.f("ix_security_events_at"))
    op.drop_table("security_events")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_expires_at"))
        batch_op.drop_index(batch_op.f("ix_api_tokens_staff_id"))
    op.drop_table("api_tokens")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
