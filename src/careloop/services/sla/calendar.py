"""The working calendar as data the operator maintains (DOMAIN.md §3, Calendar caveat).

Days and covered years live in ``calendar_days`` / ``calendar_years``. ``chinese-calendar``
seeds the years it knows (migration 0002, or :func:`import_year` again); a year it does not
know (2027 with 1.11) is reported and logged, never a crash, and stays on the weekends-only
fallback until someone enters its notice day by day and marks it covered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select

from careloop.domain import time_bounds
from careloop.domain.errors import InvalidInput, NotFound
from careloop.domain.sla.calendar import DayOverride
from careloop.domain.text import required_text
from careloop.services.access.actors import Actor
from careloop.services.sla.calendar_seed import chinese_calendar_seed
from careloop.services.sla.clocks import _check_policy_role
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import CalendarDay, CalendarYear

log = logging.getLogger("careloop.sla.calendar")


def list_days(uow: UnitOfWork, year: int | None = None) -> list[CalendarDay]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
        )
    return list(uow.session.scalars(query))


def list_years(uow: UnitOfWork) -> list[CalendarYear]:
    return list(uow.session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def set_day(
    uow: UnitOfWork, day: date, kind: str, name: str, actor: Actor, now: datetime
) -> CalendarDay:
    """Enter or correct one day (holiday or make-up working day)."""
    _check_policy_role(actor)
    day = time_bounds.day("day", day)
    try:
        DayOverride(day, kind, name)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidInput("kind", str(exc)) from None
    name = required_text(name, "name", 100, multiline=False)
    row = uow.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        uow.session.add(row)
    row.kind, row.name, row.source = kind, name, "operator"
    row.updated_at, row.updated_by = now, actor.username
    uow.commit()
    return row


def remove_day(uow: UnitOfWork, day: date, actor: Actor) -> None:
    _check_policy_role(actor)
    row = uow.session.get(CalendarDay, day)
    if row is None:
        raise NotFound("calendar day", day.isoformat())
    uow.session.delete(row)
    uow.commit()


def mark_year_covered(uow: UnitOfWork, year: int, actor: Actor, now: datetime) -> CalendarYear:
    """The operator has entered the whole notice for ``year``: stop using the fallback."""
    _check_policy_role(actor)
    row = uow.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        uow.session.add(row)
    row.source, row.imported_at, row.imported_by = "operator", now, actor.username
    uow.commit()
    return row


@dataclass(frozen=True)
class ImportResult:
    year: int
    imported: bool
    days: int
    message: str


def import_year(uow: UnitOfWork, year: int, actor: Actor, now: datetime) -> ImportResult:
    """Re-seed ``year`` from chinese-calendar; an unknown year is reported, not raised."""
    _check_policy_role(actor)
    seed = chinese_calendar_seed([year])
    if year in seed.missing_years:
        message = (
            f"chinese-calendar does not know {year}; it stays on the weekends-only fallback "
            "until its notice is entered day by day"
        )
        log.warning(message)
        return ImportResult(year, False, 0, message)
    uow.session.execute(
        delete(CalendarDay).where(
            CalendarDay.day >= date(year, 1, 1),
            CalendarDay.day <= date(year, 12, 31),
            CalendarDay.source == "chinese-calendar",
        )
    )
    operator_days = {
        d
        for d in uow.session.scalars(
            select(CalendarDay.day).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        )
    }
    count = 0
    for override in seed.overrides:
        if override.day in operator_days:
            continue  # an operator's correction wins over the package
        uow.session.add(
            CalendarDay(
                day=override.day,
                kind=override.kind,
                name=override.name[:100],
                source="chinese-calendar",
                updated_at=now,
                updated_by=actor.username,
            )
        )
        count += 1
    row = uow.session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source, row.imported_at, row.imported_by = "chinese-calendar", now, actor.username
    uow.session.add(row)
    uow.commit()
    return ImportResult(year, True, count, f"{count} days imported for {year}")
