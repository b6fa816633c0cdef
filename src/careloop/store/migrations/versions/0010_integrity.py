"""integrity: idempotency keys scoped per caller

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 16:40:00

An idempotency key was unique across all complaints, so one caller's key answered another
caller's retry with 409, and two members of staff importing files of the same name (whose
rows' keys derive from the name) collided. A key now belongs to whoever accepted the
complaint: unique per (first_owner_id, idempotency_key). Existing rows stay valid (keys
unique overall are unique per caller).

SQLite cannot drop a table constraint without recreating the table, so there the table is
recreated by Alembic's batch mode, which carries over its partial indexes (checked by
tests/integration/api/test_idempotency_scope.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OPEN = "status IN ('accepted', 'in_progress', 'pending_customer', 'replied')"


def _recreate_partial_indexes() -> None:
    """Batch mode on SQLite rebuilds the table; its partial indexes are written again
    exactly as migration 0005 wrote them."""
    for name, columns in (
        ("ix_complaints_open_due", ["reply_due_at", "id"]),
        ("ix_complaints_open_region_due", ["region_id", "reply_due_at"]),
    ):
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.create_index(name, "complaints", columns, sqlite_where=sa.text(_OPEN))


def _swap_unique(drop: str, create: str, columns: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(drop, "complaints", type_="unique")
        op.create_unique_constraint(create, "complaints", columns)
        return
    # SQLite rebuilds the table, which needs foreign-key enforcement off while the old
    # table is dropped (work orders, events ... reference complaints): the pragma only
    # takes effect between transactions, and store.database begins every transaction
    # itself (BEGIN IMMEDIATE), so the switch is made on the driver's connection. The
    # rebuild is one transaction of its own; the keys are checked before enforcement
    # comes back on.
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        assert raw is not None
        raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("BEGIN IMMEDIATE")
        with op.batch_alter_table("complaints") as batch:
            batch.drop_constraint(drop, type_="unique")
            batch.create_unique_constraint(create, columns)
        _recreate_partial_indexes()
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raw.execute("ROLLBACK")
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
        raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("BEGIN IMMEDIATE")


def upgrade() -> None:
    _swap_unique(
        "uq_complaints_idempotency_key",
        "uq_complaints_owner_idempotency_key",
        ["first_owner_id", "idempotency_key"],
    )


def downgrade() -> None:
    # Keys reused by different callers since the upgrade would violate the global rule:
    # all but the first complaint with such a key lose it (they stay, only not replayable).
    op.execute(
        "UPDATE complaints SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL "
        "AND id NOT IN (SELECT MIN(id) FROM complaints WHERE idempotency_key IS NOT NULL "
        "GROUP BY idempotency_key)"
    )
    _swap_unique(
        "uq_complaints_owner_idempotency_key", "uq_complaints_idempotency_key", ["idempotency_key"]
    )
