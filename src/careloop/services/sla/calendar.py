"""The working calendar as data the operator maintains (DOMAIN.md §3, Calendar caveat).

Days and covered years live in ``calendar_days`` / ``calendar_years``. ``chinese-calendar``
seeds the years it knows (migration 0002, or :func:`import_year` again); a year it does not
know (2027 with 1.11) is reported and logged, never a crash. Until its notice is entered
(:func:`import_notice` from a text file, or day by day and marked covered) such a year rests
on its statutory holidays (``calendar_seed.statutory_holidays``) and assumes the weekend rule
for the rest; :func:`notice_reminder` asks the administrator for next year's notice from
December on. Every change is audited (``security_events``) and moves the stored due dates of
open complaints at once (``services.sla.refresh``), so no figure waits for a sweep.

The clocks read it as :class:`CalendarData`, cached until the calendar stamp moves
(``reference_versions``: a counter kept by database triggers), and build one
``WorkingCalendar`` per policy (its time zone and business hours) from it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

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
from careloop.domain.sla.notice import NoticeFormatError, parse_notice
from careloop.domain.text import required_text
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
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


def _entered(uow: UnitOfWork, actor: Actor, now: datetime, **detail: Any) -> int:
    """Audit a calendar change and move the stored due dates of every open complaint now,
    in the same transaction (which this commits): lists, boards and the on-time rate read
    them, so they must not wait for a sweep. How many complaints' columns changed."""
    from careloop.services.sla.refresh import refresh_stored_clocks  # it imports this module

    record_security_event(
        uow, "calendar_changed", actor.username, now, actor.staff_id, detail=detail
    )
    uow.session.flush()
    moved = refresh_stored_clocks(uow, None, now)
    uow.commit()
    return moved


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
    entry = snapshot(CalendarDayEntry, row)
    _entered(uow, actor, now, action="set_day", day=day.isoformat(), kind=kind, name=name)
    return entry


def remove_day(uow: UnitOfWork, day: date, actor: Actor, now: datetime) -> None:
    """Take one day out again: it follows the statutory or weekend rule."""
    check_policy_role(actor)
    row = uow.session.get(CalendarDay, day)
    if row is None:
        raise NotFound("calendar day", day.isoformat())
    uow.session.delete(row)
    _entered(uow, actor, now, action="remove_day", day=day.isoformat())


def mark_year_covered(uow: UnitOfWork, year: int, actor: Actor, now: datetime) -> CoveredYear:
    """The operator has entered the whole notice for ``year``: stop using the fallback."""
    check_policy_role(actor)
    row = uow.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        uow.session.add(row)
    row.source, row.imported_at, row.imported_by = "operator", now, actor.username
    covered = snapshot(CoveredYear, row)
    _entered(uow, actor, now, action="cover_year", year=year)
    return covered


@dataclass(frozen=True)
class NoticeImport:
    """What importing a year's notice did."""

    year: int
    rest_days: int
    work_days: int
    replaced: int
    """Days of that year entered before (seed or by hand), replaced by the file's."""
    moved: int
    """Open complaints whose stored due dates changed."""


def import_notice(
    uow: UnitOfWork, year: int, text: str, actor: Actor, now: datetime
) -> NoticeImport:
    """Enter ``year``'s State Council notice from its text form (``domain.sla.notice``).

    The file is the whole notice: it replaces every day entered for that year (and the days
    it lists in the December before, where a New Year's holiday can start) and marks the
    year covered, so bridge and make-up days stop being assumed. A bad file changes nothing
    and every bad line is named.
    """
    check_policy_role(actor)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput("year", f"应在 {MIN_YEAR}–{MAX_YEAR} / must be {MIN_YEAR}–{MAX_YEAR}")
    try:
        days = parse_notice(year, text)
    except NoticeFormatError as exc:
        raise InvalidInput("file", str(exc)) from None
    first, last = date(year, 1, 1), date(year, 12, 31)
    december = [o.day for o in days if o.day < first]
    replaced = uow.session.execute(
        delete(CalendarDay).where(
            ((CalendarDay.day >= first) & (CalendarDay.day <= last)) | CalendarDay.day.in_(december)
        )
    ).rowcount
    for o in days:
        uow.session.add(
            CalendarDay(
                day=o.day,
                kind=o.kind,
                name=o.name,
                source="notice",
                updated_at=now,
                updated_by=actor.username,
            )
        )
    row = uow.session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source, row.imported_at, row.imported_by = "notice", now, actor.username
    uow.session.add(row)
    rest = sum(o.kind == "holiday" for o in days)
    moved = _entered(
        uow,
        actor,
        now,
        action="import_notice",
        year=year,
        rest_days=rest,
        work_days=len(days) - rest,
        replaced=replaced or 0,
    )
    return NoticeImport(year, rest, len(days) - rest, replaced or 0, moved)


MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2099
"""Years the calendar can answer (the statutory rule's range, calendar_seed)."""


@dataclass(frozen=True)
class SpecialDay:
    """A day of the year that is not an ordinary weekday or weekend."""

    day: date
    kind: Literal["rest", "work"]
    """rest: 放假 (a rest day even on a weekday); work: 调休上班 (a working weekend day)."""
    name: str
    source: Literal["notice", "statutory", "assumed"]
    """notice: the entered notice (or an operator's day); statutory: the holiday law, the
    year's notice not being entered. (``assumed`` days are the ordinary ones not listed.)"""


@dataclass(frozen=True)
class CalendarYearView:
    year: int
    notice_entered: bool
    """False: bridge days and make-up working days are assumed (weekend rule)."""
    days: list[SpecialDay]


def year_view(uow: UnitOfWork, year: int) -> CalendarYearView:
    """Every special day of ``year`` as the clocks see it (default desk), with its source."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput("year", f"应在 {MIN_YEAR}–{MAX_YEAR} / must be {MIN_YEAR}–{MAX_YEAR}")
    data = calendar_data(uow)
    calendar = calendar_for(data, None)
    days = [
        SpecialDay(o.day, "rest" if o.kind == "holiday" else "work", o.name, source)
        for o, source in calendar.special_days(year)
    ]
    return CalendarYearView(year, year in data.covered_years, days)


def assumed_years(
    covered: frozenset[int],
    start: datetime,
    due: datetime | None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[int]:
    """Years from ``start`` to ``due`` (local dates) whose notice is not entered: a due date
    counted over them assumes their bridge and make-up days (exports, lists)."""
    if due is None:
        return []
    zone = ZoneInfo(timezone)
    first, last = sorted((start.astimezone(zone).year, due.astimezone(zone).year))
    return [y for y in range(first, last + 1) if y not in covered]


REMINDER_MONTH: Final = 12
"""From 1 December the administrator is asked for next year's notice (published about
then); a year already begun without its notice is asked for too."""


@dataclass(frozen=True)
class NoticeReminder:
    years: list[int]
    """Years whose notice is due and not entered, oldest first."""

    def message(self, lang: str = "zh") -> str:
        years = "、".join(str(y) for y in self.years)
        if lang.startswith("en"):
            return (
                f"Enter the State Council's holiday notice for {', '.join(map(str, self.years))}:"
                " until then its bridge days and make-up working days are assumed (statutory "
                "holidays are already rest days)."
            )
        return (
            f"请录入国务院办公厅{years}年部分节假日安排的通知：录入前，调休和补班按周末规则推算"
            "（法定节假日已按放假计）。"
        )


def notice_reminder(
    uow: UnitOfWork, now: datetime, timezone: str = DEFAULT_TIMEZONE
) -> NoticeReminder | None:
    """The years the administrator should enter now, or None (DOMAIN.md §3 Calendar caveat)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    covered = calendar_data(uow).covered_years
    due = [today.year] + ([today.year + 1] if today.month >= REMINDER_MONTH else [])
    missing = [y for y in due if y not in covered]
    return NoticeReminder(missing) if missing else None


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
            f"chinese-calendar does not know {year}; its statutory holidays rest and its bridge "
            "and make-up days are assumed until its notice is entered (import-notice)"
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
    _entered(uow, actor, now, action="import_seed", year=year, days=count)
    return ImportResult(year, True, count, f"{count} days imported for {year}")
