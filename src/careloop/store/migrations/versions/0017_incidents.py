"""incidents: outages and mass billing errors, their regions, linked complaints and audit

Revision ID: 0017
Revises: 0012
Create Date: 2026-11-27 23:00:00

- ``incidents``: one 突发服务事件 with its kind, prepared answer (统一答复口径), the
  categories and products it concerns and its time window.
- ``incident_regions``: the org-tree regions it affects (their paths copied for matching).
- ``incident_links``: a complaint linked to one incident at most, and its customer notice.
- ``incident_events``: the incident's own audit trail, append-only like ``events``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0017"
down_revision = "0012"
branch_labels = None
depends_on = None

_MESSAGE = "incident events are append-only (audit trail)"
_PG_TRIGGER = f"""
CREATE OR REPLACE FUNCTION careloop_incident_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION careloop_incident_events_append_only();
"""


def upgrade() -> None:
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    utc = careloop.store.types.UTCDateTime()
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("prepared_answer", sa.Text(), nullable=False),
        sa.Column("categories", json_type, nullable=False),
        sa.Column("products", json_type, nullable=False),
        sa.Column("starts_at", utc, nullable=False),
        sa.Column("expected_end_at", utc, nullable=True),
        sa.Column("ended_at", utc, nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff.id"], name=op.f("fk_incidents_opened_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["owner_unit_id"], ["org_units.id"], name=op.f("fk_incidents_owner_unit_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
    )
    op.create_index(op.f("ix_incidents_status"), "incidents", ["status"])
    op.create_index(op.f("ix_incidents_starts_at"), "incidents", ["starts_at"])
    op.create_table(
        "incident_regions",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_regions_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name=op.f("fk_incident_regions_unit_id_org_units")
        ),
        sa.PrimaryKeyConstraint("incident_id", "unit_id", name=op.f("pk_incident_regions")),
    )
    op.create_table(
        "incident_links",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", utc, nullable=False),
        sa.Column("linked_by", sa.String(length=20), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_incident_links_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_links_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notifications.id"],
            name=op.f("fk_incident_links_notice_id_notifications"),
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_incident_links")),
    )
    op.create_index(op.f("ix_incident_links_incident_id"), "incident_links", ["incident_id"])
    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("before", json_type, nullable=True),
        sa.Column("after", json_type, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_events_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_incident_events_actor_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    op.create_index(op.f("ix_incident_events_incident_id"), "incident_events", ["incident_id"])
    _protect_audit_trail()


def _protect_audit_trail() -> None:
    """The incident's audit trail, like the complaints': the database refuses rewrites."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGER)
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER incident_events_no_{verb.lower()} BEFORE {verb} ON incident_events "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incident_events_no_update ON incident_events")
        op.execute("DROP FUNCTION IF EXISTS careloop_incident_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS incident_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS incident_events_no_delete")
    op.drop_index(op.f("ix_incident_events_incident_id"), table_name="incident_events")
    op.drop_table("incident_events")
    op.drop_index(op.f("ix_incident_links_incident_id"), table_name="incident_links")
    op.drop_table("incident_links")
    op.drop_table("incident_regions")
    op.drop_index(op.f("ix_incidents_starts_at"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_status"), table_name="incidents")
    op.drop_table("incidents")
