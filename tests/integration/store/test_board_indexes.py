"""Migration 0008 creates the board's indexes exactly as the models declare them."""

from __future__ import annotations

from sqlalchemy import inspect

from careloop.store.database import make_engine
from careloop.store.models import Event, WorkOrder

BOARD_INDEXES = {
    "ix_events_complaint_action",
    "ix_work_orders_unit_complaint",
    "ix_work_orders_complaint_unit",
}


def test_board_indexes_match_the_models(database_url: str):
    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        found = {
            ix["name"]: ix["column_names"]
            for table in ("events", "work_orders")
            for ix in inspector.get_indexes(table)
        }
    finally:
        engine.dispose()
    declared = {
        ix.name: [c.name for c in ix.columns]
        for table in (Event.__table__, WorkOrder.__table__)
        for ix in table.indexes
        if ix.name in BOARD_INDEXES
    }
    assert set(declared) == BOARD_INDEXES
    assert {name: found.get(name) for name in BOARD_INDEXES} == declared
