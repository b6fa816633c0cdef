"""reference versions: one change counter per table intake and the clocks cache

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 11:20:00

Issue 7 (intake throughput): every intake asked whether its cached SLA policies and working
calendar were still current with nine aggregates (count, max, sum over sla_policies,
calendar_days, calendar_years): ~0.5 ms of PostgreSQL per intake, a seq scan of the
calendar each time. A trigger on each of those tables now bumps a counter in
``reference_versions`` on any insert, update or delete (and truncate on PostgreSQL), made
by CareLoop or by hand in SQL; the stamp is those three counters, one tiny read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("sla_policies", "calendar_days", "calendar_years")


def upgrade() -> None:
    op.create_table(
        "reference_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reference_versions")),
    )
    versions = sa.table("reference_versions", sa.column("name"), sa.column("version"))
    op.bulk_insert(versions, [{"name": name, "version": 0} for name in TABLES])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION careloop_bump_reference_version() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE reference_versions SET version = version + 1 WHERE name = TG_TABLE_NAME;
                RETURN NULL;
            END
            $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_reference_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION careloop_bump_reference_version()"
            )
    else:
        for table in TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_reference_version_{action.lower()} "
                    f"AFTER {action} ON {table} FOR EACH ROW BEGIN "
                    f"UPDATE reference_versions SET version = version + 1 "
                    f"WHERE name = '{table}'; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_reference_version ON {table}")
        op.execute("DROP FUNCTION careloop_bump_reference_version()")
    else:
        for table in TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_reference_version_{action}")
    op.drop_table("reference_versions")
