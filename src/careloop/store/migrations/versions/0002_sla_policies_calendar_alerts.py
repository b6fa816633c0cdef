"""SLA policies as data, working calendar days, alerts, notifications, SLA state on tickets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00

Also seeds the two commitments the code used to hard-wire (15 days to answer, MIIT order 35;
48 h for escalated complaints), the Chinese holiday notices that ``chinese-calendar`` knows,
and, on PostgreSQL only, the Procrastinate job-queue schema (see docs/sla.md).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import careloop.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("careloop.migrations")

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC_DT = careloop.store.types.UTCDateTime(timezone=True)

SEED_YEARS = range(2004, 2031)
"""chinese-calendar 1.11 knows 2004–2026; later years are logged and stay on the fallback."""

DEFAULT_ESCALATION = [
    {"level": 1, "to": "owner", "after_minutes": 0, "channel": "email"},
    {"level": 2, "to": "unit_lead", "after_minutes": 0, "channel": "email"},
    {"level": 3, "to": "city", "after_minutes": 1440, "channel": "email"},
    {"level": 4, "to": "province", "after_minutes": 4320, "channel": "email"},
]


def _cal(minutes: int) -> dict[str, object]:
    return {"minutes": minutes, "basis": "calendar"}


def _work(minutes: int) -> dict[str, object]:
    return {"minutes": minutes, "basis": "working"}


SEED_POLICIES = [
    {
        "code": "default",
        "name": "一般投诉 / ordinary complaint (MIIT order 35: answer within 15 days)",
        "rank": 0,
        "match_escalated": None,
        "limits": {
            "first_contact": _cal(24 * 60),
            "reply": _cal(15 * 24 * 60),
            "acceptance": _work(540),
            "work_order": _cal(48 * 60),
            "callback": _cal(3 * 24 * 60),
        },
        "escalation": DEFAULT_ESCALATION,
    },
    {
        "code": "escalated",
        "name": "越级投诉 / escalated complaint (internal limit 48 h)",
        "rank": 100,
        "match_escalated": True,
        "limits": {
            "first_contact": _cal(2 * 60),
            "reply": _cal(48 * 60),
            "acceptance": _cal(60),
            "work_order": _cal(24 * 60),
            "callback": _cal(24 * 60),
        },
        "escalation": [
            {"level": 1, "to": "owner", "after_minutes": 0, "channel": "email"},
            {"level": 2, "to": "unit_lead", "after_minutes": 0, "channel": "email"},
            {"level": 3, "to": "city", "after_minutes": 0, "channel": "email"},
            {"level": 4, "to": "province", "after_minutes": 240, "channel": "email"},
        ],
    },
]


def upgrade() -> None:
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("match_category", sa.String(length=60), nullable=True),
        sa.Column("match_channel", sa.String(length=30), nullable=True),
        sa.Column("match_tier", sa.String(length=20), nullable=True),
        sa.Column("match_region", sa.String(length=64), nullable=True),
        sa.Column("match_escalated", sa.Boolean(), nullable=True),
        sa.Column("match_priority", sa.String(length=10), nullable=True),
        sa.Column("limits", JSON, nullable=False),
        sa.Column("warn_share", sa.Float(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("hours", JSON, nullable=True),
        sa.Column("escalation", JSON, nullable=False),
        sa.Column("reminder_channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
        sa.UniqueConstraint("code", "version", name="uq_sla_policies_code_version"),
    )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_policies_code"), ["code"], unique=False)

    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("imported_at", UTC_DT, nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )

    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("sla_warn_at", UTC_DT, nullable=True))
        batch_op.add_column(
            sa.Column("sla_overrun_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("sla_warned_at", UTC_DT, nullable=True))
        batch_op.add_column(sa.Column("sla_breached_at", UTC_DT, nullable=True))
        batch_op.add_column(sa.Column("sla_evaluated_at", UTC_DT, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_complaints_sla_policy_id_sla_policies"),
            "sla_policies",
            ["sla_policy_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_complaints_sla_state"), ["sla_state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaints_sla_warn_at"), ["sla_warn_at"], unique=False
        )

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_started_at", UTC_DT, nullable=True))
        batch_op.add_column(sa.Column("sla_limit_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_basis", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("sla_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("sla_warn_at", UTC_DT, nullable=True))
        batch_op.add_column(
            sa.Column("sla_overrun_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("sla_warned_at", UTC_DT, nullable=True))
        batch_op.add_column(sa.Column("sla_breached_at", UTC_DT, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_work_orders_sla_policy_id_sla_policies"),
            "sla_policies",
            ["sla_policy_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_work_orders_sla_state"), ["sla_state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_work_orders_sla_warn_at"), ["sla_warn_at"], unique=False
        )

    op.create_table(
        "sla_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("due_at", UTC_DT, nullable=False),
        sa.Column("overrun_minutes", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_sla_alerts_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policies.id"], name=op.f("fk_sla_alerts_policy_id_sla_policies")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_sla_alerts_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_alerts")),
        sa.UniqueConstraint("subject", "kind", name="uq_sla_alerts_subject_kind"),
    )
    with op.batch_alter_table("sla_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_alerts_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sla_alerts_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("adapter", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("send_after", UTC_DT, nullable=False),
        sa.Column("sent_at", UTC_DT, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["sla_alerts.id"], name=op.f("fk_notifications_alert_id_sla_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_notifications_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_notifications_dedup_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_send_after"), ["send_after"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_status"), ["status"], unique=False)

    _seed_policies()
    _seed_calendar()
    if op.get_bind().dialect.name == "postgresql":
        _apply_procrastinate_schema()


def _seed_policies() -> None:
    now = datetime.now(UTC)
    table = sa.table(
        "sla_policies",
        *(
            sa.column(name)
            for name in (
                "code",
                "version",
                "name",
                "active",
                "rank",
                "match_escalated",
                "warn_share",
                "timezone",
                "reminder_channel",
                "created_at",
                "created_by",
            )
        ),
        sa.column("limits", JSON),
        sa.column("escalation", JSON),
        sa.column("created_at", UTC_DT),
    )
    op.bulk_insert(
        table,
        [
            {
                **policy,
                "version": 1,
                "active": True,
                "warn_share": 0.8,
                "timezone": "Asia/Shanghai",
                "reminder_channel": "sms",
                "created_at": now,
                "created_by": "migration 0002",
            }
            for policy in SEED_POLICIES
        ],
    )
    # Complaints accepted before policies existed get the policy they were in fact held to.
    bind = op.get_bind()
    for code, escalated in (("default", False), ("escalated", True)):
        policy_id = bind.execute(
            sa.text("SELECT id FROM sla_policies WHERE code = :code"), {"code": code}
        ).scalar_one()
        bind.execute(
            sa.text(
                "UPDATE complaints SET sla_policy_id = :pid, sla_state = 'running' "
                "WHERE escalated = :esc AND sla_policy_id IS NULL"
            ),
            {"pid": policy_id, "esc": escalated},
        )


def _seed_calendar() -> None:
    from careloop.services.sla.calendar_seed import chinese_calendar_seed

    seed = chinese_calendar_seed(SEED_YEARS)
    if seed.missing_years:
        log.warning(
            "chinese-calendar does not know %s: those years rest on their statutory holidays "
            "and assume bridge and make-up days until an administrator imports the State "
            "Council notice (careloop sla calendar import-notice, docs/calendar.md)",
            sorted(seed.missing_years),
        )
    now = datetime.now(UTC)
    days = sa.table(
        "calendar_days",
        sa.column("day", sa.Date()),
        sa.column("kind"),
        sa.column("name"),
        sa.column("source"),
        sa.column("updated_at", UTC_DT),
        sa.column("updated_by"),
    )
    op.bulk_insert(
        days,
        [
            {
                "day": o.day,
                "kind": o.kind,
                "name": o.name[:100],
                "source": "chinese-calendar",
                "updated_at": now,
                "updated_by": "migration 0002",
            }
            for o in seed.overrides
        ],
    )
    years = sa.table(
        "calendar_years",
        sa.column("year"),
        sa.column("source"),
        sa.column("imported_at", UTC_DT),
        sa.column("imported_by"),
    )
    op.bulk_insert(
        years,
        [
            {
                "year": year,
                "source": "chinese-calendar",
                "imported_at": now,
                "imported_by": "migration 0002",
            }
            for year in sorted(seed.covered_years)
        ],
    )


def _apply_procrastinate_schema() -> None:
    """The job queue's own tables, pinned with the package version (docs/sla.md)."""
    from procrastinate.schema import SchemaManager

    cursor = op.get_bind().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    # No parameters: psycopg sends the script as-is (it contains % and $$ bodies).
    cursor.execute(SchemaManager.get_schema())


_PROCRASTINATE_DROP = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT tablename FROM pg_tables
                WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.sig);
    END LOOP;
    FOR item IN SELECT t.typname FROM pg_type t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END $$;
"""


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        cursor = op.get_bind().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(_PROCRASTINATE_DROP)
    op.drop_table("notifications")
    op.drop_table("sla_alerts")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_sla_warn_at"))
        batch_op.drop_index(batch_op.f("ix_work_orders_sla_state"))
        batch_op.drop_constraint(
            batch_op.f("fk_work_orders_sla_policy_id_sla_policies"), type_="foreignkey"
        )
        for name in (
            "sla_breached_at",
            "sla_warned_at",
            "sla_overrun_minutes",
            "sla_warn_at",
            "sla_state",
            "sla_basis",
            "sla_limit_minutes",
            "sla_started_at",
            "sla_policy_id",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_sla_warn_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_sla_state"))
        batch_op.drop_constraint(
            batch_op.f("fk_complaints_sla_policy_id_sla_policies"), type_="foreignkey"
        )
        for name in (
            "sla_evaluated_at",
            "sla_breached_at",
            "sla_warned_at",
            "sla_overrun_minutes",
            "sla_warn_at",
            "sla_state",
            "sla_policy_id",
        ):
            batch_op.drop_column(name)
    op.drop_table("calendar_years")
    op.drop_table("calendar_days")
    op.drop_table("sla_policies")
