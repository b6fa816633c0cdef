"""The one rule for every time that comes from outside (docs/api.md, "Times").

API bodies and query parameters, web forms, CLI options and imports all pass their times
through here before a service stores or compares them, because a single far-future value
(a work order due 9999-12-31) used to overflow every clock computed from it, turning the
complaint's page, the queues, the lists and the SLA sweep itself into errors.

- An instant must carry its time-zone offset: a time without one is refused rather than
  guessed (whose local time would it be? the hotline's, the server's, the importer's?).
- Any instant lies between 2000-01-01 and 2100-01-01 (UTC): before CareLoop's data, and
  far enough ahead for a filter, yet well inside what both databases and Python can add
  a deadline's length to.
- A due time lies after `now` and at most `DUE_HORIZON` (366 days) ahead: no unit is
  given a year and more, and nobody a deadline already past.
- A day (reports, the working calendar, counts) lies in the same 2000–2099 range.

Each refusal is an InvalidValue: problem `invalid_input` (422) like every field error, its
message the rule's (time_needs_zone, time_out_of_range, due_out_of_range, time_unreadable),
naming the field in the reader's words.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from careloop.domain.errors import InvalidValue

EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 1, 1, tzinfo=UTC)
"""Instants are accepted in [EARLIEST, LATEST)."""

DUE_HORIZON: Final = timedelta(days=366)
"""The furthest a due time may lie ahead of now."""


def instant(field: str, value: datetime) -> datetime:
    """`value` in UTC if it has an offset and lies within the accepted range."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue("time_needs_zone", field)
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        moment = None  # 9999-12-31T23:59-01:00 is past year 9999 in UTC
    if moment is None or not EARLIEST <= moment < LATEST:
        raise InvalidValue(
            "time_out_of_range",
            field,
            earliest=EARLIEST.date().isoformat(),
            latest=LATEST.date().isoformat(),
        )
    return moment


def due_time(field: str, value: datetime, now: datetime) -> datetime:
    """A deadline someone sets: an accepted instant after `now`, within the horizon."""
    moment = instant(field, value)
    if not now < moment <= now + DUE_HORIZON:
        raise InvalidValue("due_out_of_range", field, days=DUE_HORIZON.days)
    return moment


def day(field: str, value: date) -> date:
    """A calendar day within the accepted range."""
    if not EARLIEST.date() <= value < LATEST.date():
        raise InvalidValue(
            "time_out_of_range",
            field,
            earliest=EARLIEST.date().isoformat(),
            latest=LATEST.date().isoformat(),
        )
    return value


def parse_instant(field: str, text: str) -> datetime:
    """An ISO 8601 instant typed by a person (CLI options, form fields), checked."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue("time_unreadable", field, example="2026-09-28T10:00+08:00") from None
    return instant(field, value)


def parse_day(field: str, text: str) -> date:
    """A YYYY-MM-DD day typed by a person, checked."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue("day_unreadable", field, text=text[:40]) from None
    return day(field, value)
