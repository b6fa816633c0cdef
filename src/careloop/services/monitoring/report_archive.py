"""Reports of closed periods kept as rendered files (``stored_reports``).

A closed period's figures do not move (DOMAIN.md §5: the daily report is read the morning
after), so its report is rendered once per kind, period, org scope, language and format and
served from here. Only masked reports are kept: an unmasked one is a personal-data read and
is made, and audited, every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import StoredReport

Key = tuple[str, date, str, str, str]
"""kind, first day of the period, scope (org code), language, format."""


@dataclass(frozen=True)
class Kept:
    body: bytes
    media_type: str
    generated_at: datetime
    generated_by: str


def _where(key: Key) -> tuple[Any, ...]:
    kind, start, scope, language, fmt = key
    return (
        StoredReport.kind == kind,
        StoredReport.period_start == start,
        StoredReport.scope == scope,
        StoredReport.language == language,
        StoredReport.format == fmt,
    )


def find(uow: UnitOfWork, key: Key) -> Kept | None:
    row = uow.session.scalar(select(StoredReport).where(*_where(key)))
    if row is None:
        return None
    return Kept(row.body, row.media_type, row.generated_at, row.generated_by)


def keep(
    uow: UnitOfWork,
    key: Key,
    body: bytes,
    media_type: str,
    name: str,
    now: datetime,
    by: str,
) -> None:
    """Store (or replace, on regeneration) one rendered report; the caller commits."""
    row = uow.session.scalar(select(StoredReport).where(*_where(key)))
    if row is None:
        kind, start, scope, language, fmt = key
        row = StoredReport(
            kind=kind, period_start=start, scope=scope, language=language, format=fmt
        )
        uow.session.add(row)
    row.body = body
    row.media_type = media_type
    row.name = name
    row.generated_at = now
    row.generated_by = by
