"""The regulator's spam figures (垃圾短信治理指标), as pure functions over plain facts.

What a region is ranked by (DOMAIN.md §7): reports per million subscribers, how many
enforcement cases were acted on and how many in time, and how many ports were warned,
suspended and closed. The services gather the facts (reports counted per region, cases with
their first sanction, the sanctions of a period); the indicator catalogue, the daily early
warning and the monthly report read these same functions, so a figure has one definition.
The arithmetic of the three ranked rates is ``domain.indicators.formulas`` (its only copy);
this module says which report and which case counts. Pure: no I/O, no wall clock.

What counts, stated once:

* **reports** — reports by people: a complaint in a ``spam.*`` category, an SMS forwarded to
  the reporting number, a 12321 transfer row (``REPORT_SOURCES``). The SMS centre's
  interceptions are the operator's own filter, not a subscriber's report: they are counted
  apart, as items and as the messages they stand for (``message_count``), so an operator
  that intercepts more does not look worse in the report rate;
* **serious** — reports by people flagged serious (sent after an unsubscribe such as
  ``0000``, or without consent: ``domain.spam.reports.serious_reason``);
* **cases judged** in a period [start, end) — each case once, in the period in which it was
  decided: its first sanction or its deadline, whichever came first (``decided_at``). It is
  *acted on* if its first sanction came before the end of that period, *on time* if that
  sanction came by the deadline (at the due instant itself is in time, as the SLA clocks
  count it). A case still within its time and untouched is not judged yet, either way; a
  case acted on late, after the period it fell due in, stays not acted on there. So a
  period's figures do not change once it is over, and no case is judged twice or never;
* **ports sanctioned** — distinct ports warned, throttled, suspended or closed by sanctions
  taken in the period; a port warned twice counts once as warned.

A rate with nothing to count is None (shown as "—"), never 0: a region without a case has
not handled 0 % of them. Rates are in percent, like every rate of the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Final

from careloop.domain.indicators import formulas

PER_MILLION: Final = 1_000_000

REPORT_SOURCES: Final = ("complaint", "forwarded", "transfer_12321")
"""The sources of reports by people: what the report rate counts."""
INTERCEPTION_SOURCE: Final = "interception"
"""The SMS centre's interceptions: counted apart, as items and messages."""

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


@dataclass(slots=True)
class SpamCounts:
    """The additive counts behind one region's spam figures (a region's are the sum of the
    units' below it). Distinct reporters and ports are not additive: counted per region."""

    reports: int = 0
    """Reports by people received in the period."""
    serious: int = 0
    """Of those, flagged serious (after an unsubscribe, or without consent)."""
    interceptions: int = 0
    """Interception items received in the period."""
    messages_intercepted: int = 0
    """The messages they stand for (Σ ``message_count``)."""
    cases_opened: int = 0
    """Enforcement cases opened in the period."""
    cases_judged: int = 0
    """Cases decided in the period: acted on, or past their deadline untouched."""
    cases_handled: int = 0
    """Of those, acted on by the end of the period."""
    cases_on_time: int = 0
    """Of those acted on, by their deadline."""

    @property
    def cases_overdue(self) -> int:
        """Cases judged and not acted on: their deadline passed untouched."""
        return self.cases_judged - self.cases_handled

    def __iadd__(self, other: SpamCounts) -> SpamCounts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def decided_at(case: CaseFact) -> datetime:
    """When a case is judged: its first sanction, or its deadline if that came first."""
    if case.handled_at is not None and case.handled_at < case.due_at:
        return case.handled_at
    return case.due_at


def count_case(
    counts: SpamCounts, case: CaseFact, start: datetime | None, end: datetime | None
) -> None:
    """Add ``case`` to the counts of the period [start, end) (None: unbounded): opened in it,
    and judged in it if it was decided in it (see the module's docstring)."""
    if (start is None or case.opened_at >= start) and (end is None or case.opened_at < end):
        counts.cases_opened += 1
    decided = decided_at(case)
    if (start is not None and decided < start) or (end is not None and decided >= end):
        return
    counts.cases_judged += 1
    if case.handled_at is None or (end is not None and case.handled_at >= end):
        return
    counts.cases_handled += 1
    if case.handled_at <= case.due_at:
        counts.cases_on_time += 1


def count_cases(
    cases: Iterable[CaseFact], start: datetime | None = None, end: datetime | None = None
) -> SpamCounts:
    """The case counts of the period [start, end) (None: unbounded)."""
    counts = SpamCounts()
    for case in cases:
        count_case(counts, case, start, end)
    return counts


def reports_per_million(reports: int, subscribers: float) -> float | None:
    """举报率: spam reports per million subscribers of the region in the period; None
    without subscribers on record (a rate over nobody is no rate)."""
    if reports < 0 or subscribers < 0:
        raise ValueError("counts cannot be negative")
    return formulas.spam_reports_per_million(reports, subscribers).value


def handling_rate_of(counts: SpamCounts) -> float | None:
    """处置率 (%) of counted cases: acted on ÷ judged."""
    return formulas.spam_handling_rate(counts.cases_handled, counts.cases_judged).value


def on_time_rate_of(counts: SpamCounts) -> float | None:
    """及时处置率 (%) of counted cases: acted on by the deadline ÷ acted on."""
    return formulas.spam_on_time_rate(counts.cases_on_time, counts.cases_handled).value


def handling_rate(cases: Iterable[CaseFact], now: datetime) -> float | None:
    """处置率 (%) as of ``now``: of the cases decided before ``now`` (acted on, or past their
    deadline), the share acted on. A case still within its time and untouched is not
    counted either way."""
    return handling_rate_of(count_cases(cases, None, now))


def on_time_rate(cases: Iterable[CaseFact], now: datetime | None = None) -> float | None:
    """及时处置率 (%): of the cases acted on (before ``now``, if given), the share whose first
    sanction came by the deadline (at the due instant itself is in time, as the SLA clocks
    count it)."""
    acted = [c for c in cases if c.handled_at is not None]
    return on_time_rate_of(count_cases(acted, None, now))


def sanctioned_ports(sanctions: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Distinct ports per sanction from (port number, action) pairs: a port warned twice
    counts once as warned; a port warned then closed counts once under each. Other actions
    (a suspension lifted) are not sanctions and are left out."""
    ports: dict[str, set[str]] = {action: set() for action in SANCTION_FIGURES}
    for port_number, action in sanctions:
        if action in ports:
            ports[action].add(port_number)
    return {action: len(found) for action, found in ports.items()}


def ports_sanctioned(cases: Iterable[CaseFact]) -> dict[str, int]:
    """``sanctioned_ports`` over the sanctions taken in the cases given."""
    return sanctioned_ports((c.port_number, action) for c in cases for action in c.actions)
