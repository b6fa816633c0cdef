"""The working calendar as data the operator maintains (DOMAIN.md §3, Calendar caveat).

Days and covered years live in ``calendar_days`` / ``calendar_years``. ``chinese-calendar``
seeds the years it knows (migration 0002, or :func:`import_year` again); a year it does not
know (2027 with 1.11) is reported and logged, never a crash, and stays on the weekends-only
fallback until someone enters its notice day by day and marks it covered.

The clocks read it as :class:`CalendarData`, cached until the calendar stamp moves
(``reference_versions``: a counter kept by database triggers), and build one
``WorkingCalendar`` per policy (its time zone and business hours) from it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from careloop.domain import time_bounds
from careloop.domain.errors import InvalidInput, NotFound
from careloop.domain.sla.calendar import (
    DEFAULT_TIMEZONE,
    DayOverride,
    WorkingCalendar,
    parse_holiday_hours,
    parse_hours,
)
from careloop.domain.text import required_text
from careloop.services.access.actors import Actor
from careloop.services.sla import reference_versions
from careloop.services.sla.calendar_seed import chinese_calendar_seed, statutory_holidays
from careloop.services.sla.policies import check_policy_role
from careloop.services.sla.read_models import CalendarDayEntry, CoveredYear
from careloop.services.snapshots import snapshot
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import CalendarDay, CalendarYear, SlaPolicy

log = logging.getLogger("careloop.sla.calendar")


@dataclass(frozen=True)
class CalendarData:
    overrides: tuple[DayOverride, ...]
    covered_years: frozenset[int]


_calendar_cache: dict[tuple[Any, ...], CalendarData] = {}
_calendar_lock = threading.Lock()


def calendar_data(uow: UnitOfWork, stamp: tuple[Any, ...] | None = None) -> CalendarData:
    """The operator's days and covered years, cached until someone edits them."""
    session = uow.session
    key = stamp if stamp is not None else reference_versions.stamps(uow)[1]
    with _calendar_lock:
        cached = _calendar_cache.get(key)
    if cached is not None:
        return cached
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    years = frozenset(session.scalars(select(CalendarYear.year)))
    data = CalendarData(tuple(DayOverride(d, k, n) for d, k, n in rows), years)  # type: ignore[arg-type]
    with _calendar_lock:
        _calendar_cache.clear()
        _working_calendars.clear()
        _calendar_cache[key] = data
    return data


_working_calendars: dict[int | None, tuple[CalendarData, WorkingCalendar]] = {}


def shared_calendar(data: CalendarData, policy: SlaPolicy | None) -> WorkingCalendar:
    """`calendar_for`, built once per calendar data and policy version (both immutable:
    a policy change is a new row, a calendar edit new data)."""
    key = policy.id if policy else None
    with _calendar_lock:
        cached = _working_calendars.get(key)
    if cached is not None and cached[0] is data:
        return cached[1]
    calendar = calendar_for(data, policy)
    with _calendar_lock:
        if len(_working_calendars) > 256:
            _working_calendars.clear()
        _working_calendars[key] = (data, calendar)
    return calendar


def calendar_for(data: CalendarData, policy: SlaPolicy | None) -> WorkingCalendar:
    """The policy's desk (hours, holiday hours, time zone) over the operator's days, with
    the statutory holidays filling the years whose notice is not entered."""
    hours = policy.hours if policy else None
    return WorkingCalendar.from_overrides(
        data.overrides,
        covered_years=data.covered_years,
        hours=parse_hours(hours),
        holiday_hours=parse_holiday_hours(hours),
        timezone=policy.timezone if policy else DEFAULT_TIMEZONE,
        statutory=statutory_holidays(),
    )


class CalendarBook:
    """Calendars per policy (time zone and hours differ), built once per use case."""

    def __init__(self, data: CalendarData) -> None:
        self.data = data
        self._by_policy: dict[int | None, WorkingCalendar] = {}

    def __call__(self, policy: SlaPolicy | None) -> WorkingCalendar:
        key = policy.id if policy else None
        if key not in self._by_policy:
            self._by_policy[key] = calendar_for(self.data, policy)
        return self._by_policy[key]


def list_days(uow: UnitOfWork, year: int | None = None) -> list[CalendarDayEntry]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
        )
    return [snapshot(CalendarDayEntry, row) for row in uow.session.scalars(query)]


def list_years(uow: UnitOfWork) -> list[CoveredYear]:
    return [
        snapshot(CoveredYear, row)
        for row in uow.session.scalars(select(CalendarYear).order_by(CalendarYear.year))
    ]


def set_day(
    uow: UnitOfWork, day: date, kind: str, name: str, actor: Actor, now: datetime
) -> CalendarDayEntry:
    """Enter or correct one day (holiday or make-up working day)."""
    check_policy_role(actor)
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
    return snapshot(CalendarDayEntry, row)


def remove_day(uow: UnitOfWork, day: date, actor: Actor) -> None:
    check_policy_role(actor)
    row = uow.session.get(CalendarDay, day)
    if row is None:
        raise NotFound("calendar day", day.isoformat())
    uow.session.delete(row)
    uow.commit()


def mark_year_covered(uow: UnitOfWork, year: int, actor: Actor, now: datetime) -> CoveredYear:
    """The operator has entered the whole notice for ``year``: stop using the fallback."""
    check_policy_role(actor)
    row = uow.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        uow.session.add(row)
    row.source, row.imported_at, row.imported_by = "operator", now, actor.username
    uow.commit()
    return snapshot(CoveredYear, row)


@dataclass(frozen=True)
class ImportResult:
    year: int
    imported: bool
    days: int
    message: str


def import_year(uow: UnitOfWork, year: int, actor: Actor, now: datetime) -> ImportResult:
    """Re-seed ``year`` from chinese-calendar; an unknown year is reported, not raised."""
    check_policy_role(actor)
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
