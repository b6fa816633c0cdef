"""The regulator's spam figures (垃圾短信治理指标), as pure functions over plain facts.

What a region is ranked by (DOMAIN.md §7): reports per million subscribers, how many
enforcement cases were acted on and how many in time, and how many ports were warned,
suspended and closed. The services gather the facts (reports counted per region and day,
cases with their first sanction); the catalogue, the daily early warning and the monthly
report will read these same functions, so a figure has one definition. Pure: no I/O.

A rate with nothing to count is None (shown as "—"), never 0: a region without a case has
not handled 0 % of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

PER_MILLION: Final = 1_000_000

SANCTION_FIGURES: Final = ("warn", "throttle", "suspend", "close_port")
"""The actions counted as ports sanctioned, mildest first."""


@dataclass(frozen=True, slots=True)
class CaseFact:
    """One enforcement case as the figures need it."""

    port_number: str
    opened_at: datetime
    due_at: datetime
    handled_at: datetime | None
    """Its first sanction (None: not acted on yet)."""
    actions: tuple[str, ...] = ()
    """The sanctions taken in it, in order (warn, throttle, suspend, close_port)."""


def reports_per_million(reports: int, subscribers: int) -> float | None:
    """举报率: spam reports per million subscribers of the region in the period; None
    without subscribers on record (a rate over nobody is no rate)."""
    if reports < 0 or subscribers < 0:
        raise ValueError("counts cannot be negative")
    if subscribers == 0:
        return None
    return reports * PER_MILLION / subscribers


def handling_rate(cases: Iterable[CaseFact], now: datetime) -> float | None:
    """处置率: of the cases due by ``now`` (deadline passed) or already acted on, the share
    acted on. A case still within its time and untouched is not counted either way."""
    counted = acted = 0
    for case in cases:
        if case.handled_at is not None and case.handled_at <= now:
            counted += 1
            acted += 1
        elif case.due_at <= now:
            counted += 1
    return acted / counted if counted else None


def on_time_rate(cases: Iterable[CaseFact]) -> float | None:
    """及时处置率: of the cases acted on, the share whose first sanction came by the
    deadline (at the due instant itself is in time, as the SLA clocks count it)."""
    handled = [c for c in cases if c.handled_at is not None]
    if not handled:
        return None
    in_time = sum(1 for c in handled if c.handled_at is not None and c.handled_at <= c.due_at)
    return in_time / len(handled)


def ports_sanctioned(cases: Iterable[CaseFact]) -> dict[str, int]:
    """Distinct ports warned, throttled, suspended and closed: a port warned twice counts
    once as warned; a port warned then closed counts once under each."""
    ports: dict[str, set[str]] = {action: set() for action in SANCTION_FIGURES}
    for case in cases:
        for action in case.actions:
            if action in ports:
                ports[action].add(case.port_number)
    return {action: len(found) for action, found in ports.items()}
