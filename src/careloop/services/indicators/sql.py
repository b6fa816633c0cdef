"""SQL expressions that differ between the two engines (SQLite, PostgreSQL), for counting.

Local days are Asia/Shanghai days (``domain.indicators.periods``); the offset is fixed, so a
day is computed in SQL and groups without a row per complaint.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement

from careloop.services.unit_of_work import UnitOfWork


def local_day(uow: UnitOfWork, column: Any) -> ColumnElement[Any]:
    """The Asia/Shanghai calendar day of a UTC timestamp column, as SQL."""
    if uow.session.get_bind().dialect.name == "sqlite":
        return func.date(column, "+8 hours")
    return func.date(func.timezone("Asia/Shanghai", column))


def hours_between(uow: UnitOfWork, start: Any, end: Any) -> ColumnElement[Any]:
    if uow.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def as_date(value: Any) -> date:
    """SQLite returns the day as text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def count_if(condition: ColumnElement[bool]) -> Any:
    """How many rows of the group meet ``condition`` (0, not NULL, for an empty group)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
