"""retention: anonymised personal data of archived complaints

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 16:40:00

The operator's duty under the PIPL (art. 19, 47): personal data is kept no longer than its
purpose needs. ``services.retention`` anonymises archived complaints once the retention
period has passed; this migration gives it what it needs:

- ``complaints.anonymised_at``: when the complaint's personal data was replaced by
  placeholders (NULL: never). The purge selects ``anonymised_at IS NULL``, so a second run
  finds nothing to do.
- the audit trail's append-only trigger learns one exception. Events are still never deleted
  and their structure (id, complaint, work order, time, actor id, role, action) never
  changes; only their content (``before``, ``after``, ``note``, and the ``actor`` label of
  someone who is not staff, e.g. ``customer:138****5678``) may be rewritten, and only for a
  complaint already marked anonymised. Anything else is refused by the database as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import careloop.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_MESSAGE = "events are append-only (audit trail)"

_PG_REDACTABLE = """
CREATE OR REPLACE FUNCTION careloop_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id
       AND NEW.complaint_id = OLD.complaint_id
       AND NEW.work_order_id IS NOT DISTINCT FROM OLD.work_order_id
       AND NEW.at = OLD.at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND (NEW.actor = OLD.actor OR OLD.actor_id IS NULL)
       AND NEW.role = OLD.role
       AND NEW.action = OLD.action
       AND EXISTS (SELECT 1 FROM complaints c
                   WHERE c.id = OLD.complaint_id AND c.anonymised_at IS NOT NULL)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only (audit trail)';
END;
$$ LANGUAGE plpgsql;
"""

_PG_STRICT = """
CREATE OR REPLACE FUNCTION careloop_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only (audit trail)';
END;
$$ LANGUAGE plpgsql;
"""

_SQLITE_REDACTABLE = f"""
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (
    NEW.id = OLD.id
    AND NEW.complaint_id = OLD.complaint_id
    AND NEW.work_order_id IS OLD.work_order_id
    AND NEW.at = OLD.at
    AND NEW.actor_id IS OLD.actor_id
    AND (NEW.actor = OLD.actor OR OLD.actor_id IS NULL)
    AND NEW.role = OLD.role
    AND NEW.action = OLD.action
    AND EXISTS (SELECT 1 FROM complaints c
                WHERE c.id = OLD.complaint_id AND c.anonymised_at IS NOT NULL)
)
BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
"""

_SQLITE_STRICT = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
)


def upgrade() -> None:
    op.add_column(
        "complaints",
        sa.Column("anonymised_at", careloop.store.types.UTCDateTime(timezone=True)),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The trigger (0001) calls this function for UPDATE and DELETE; DELETE still raises.
        op.execute(_PG_REDACTABLE)
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(_SQLITE_REDACTABLE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_STRICT)
        op.drop_column("complaints", "anonymised_at")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(_SQLITE_STRICT)
        # SQLite (3.35+) drops a plain column in place; a batch copy of the table would
        # have to carry its partial indexes and the foreign keys pointing at it.
        op.execute("ALTER TABLE complaints DROP COLUMN anonymised_at")
