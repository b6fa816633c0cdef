"""Upserts that run on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(session_or_dialect: Session | str) -> Any:
    """The dialect's ``insert`` (with ``on_conflict_do_update``) for an upsert."""
    name = (
        session_or_dialect
        if isinstance(session_or_dialect, str)
        else session_or_dialect.get_bind().dialect.name
    )
    return postgresql.insert if name == "postgresql" else sqlite.insert
