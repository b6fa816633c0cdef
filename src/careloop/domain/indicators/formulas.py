"""The indicator formulas (质量指标, DOMAIN.md §4): the only copy of each, over counts.

The services count in SQL (``IndicatorCounts`` per unit and period) and the tests count
hand-made facts (``facts``); both hand the counts to the functions below, so the figure a
report prints is the formula the tests check.

Conventions that hold for every formula:

* **No data is not zero.** A rate whose denominator is zero (an empty period, a unit with no
  closed complaints, no subscribers on record) has ``value = None``; it never raises and never
  reports ``0``. "0 % on time" and "nothing finished" are different facts, and a report must be
  able to print "—" for the second.
* **Pool, never average rates.** Every value keeps its numerator and denominator so that
  provinces, groups of operators and longer periods are computed as Σ numerators ÷ Σ
  denominators (§4: "pool operators (sum ÷ sum), never average their rates"; ``rollup``).
* **The denominator says what it counts** (``denominator_definition``): values with
  different definitions refuse to pool.
* **Rates are in percent** (``95.0`` means 95 %); per-user rates are per million or per 10 000
  users as their names say; handle time is in hours.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from careloop.domain.indicators.users import UserBase, Users, as_user_base

PERCENT: Final = 100.0
PER_10K: Final = 10_000.0
PER_MILLION: Final = 1_000_000.0

DEFINITION_COMPLAINTS: Final = "complaints accepted in the period"
DEFINITION_CLOSED: Final = "complaints closed in the period"
DEFINITION_STAGES: Final = "stages finished in the period"
DEFINITION_CALLBACKS: Final = "callbacks done in the period"


@dataclass(frozen=True)
class IndicatorValue:
    """A computed value with what it was computed from, so it can be pooled later.

    ``value = numerator ÷ denominator × scale``, or ``None`` when the denominator is zero.
    """

    indicator_id: str
    value: float | None
    numerator: float
    denominator: float
    denominator_definition: str
    scale: float = 1.0


def make_value(
    indicator_id: str,
    numerator: float,
    denominator: float,
    denominator_definition: str,
    scale: float = 1.0,
) -> IndicatorValue:
    """Build a value; a zero denominator (empty period) gives ``value=None``, not 0 or an error."""
    value = None if denominator == 0 else numerator / denominator * scale
    return IndicatorValue(
        indicator_id, value, numerator, denominator, denominator_definition, scale
    )


# ---------------------------------------------------------------------------------------------
# Shares of complaints, stages and callbacks (percent)
# ---------------------------------------------------------------------------------------------


def escalated_rate(escalated: int, complaints: int) -> IndicatorValue:
    """越级申诉率 (share): escalated complaints ÷ all complaints × 100."""
    return make_value("escalated_rate", escalated, complaints, DEFINITION_COMPLAINTS, PERCENT)


def repeat_rate(repeats: int, complaints: int) -> IndicatorValue:
    """重复投诉率: repeat complaints ÷ complaints × 100."""
    return make_value("repeat_rate", repeats, complaints, DEFINITION_COMPLAINTS, PERCENT)


def on_time_rate(on_time: int, finished: int) -> IndicatorValue:
    """及时率: stages finished within their limit ÷ stages finished × 100.

    Unfinished stages are not counted at all (the SLA clock watches them, they are not judged
    yet); a finished stage without a limit counts as on time, and so does finishing exactly at
    the limit (``facts.is_on_time``).
    """
    return make_value("on_time_rate", on_time, finished, DEFINITION_STAGES, PERCENT)


def first_contact_resolution(resolved: int, closed: int) -> IndicatorValue:
    """一次性解决率: closed complaints neither reopened nor repeats ÷ closed complaints × 100."""
    return make_value("first_contact_resolution", resolved, closed, DEFINITION_CLOSED, PERCENT)


def callback_satisfaction(satisfied: int, done: int) -> IndicatorValue:
    """回访满意率: satisfied callbacks ÷ callbacks done × 100 (unreached customers left out)."""
    return make_value("callback_satisfaction", satisfied, done, DEFINITION_CALLBACKS, PERCENT)


def average_handle_time(hours: float, stages: int) -> IndicatorValue:
    """Average handle time per stage, in hours: Σ durations ÷ stages with start and finish.

    §4 counts *working* hours; which hours are counted is the caller's measure (the business
    calendar lives in the SLA rules), this is only the mean.
    """
    return make_value("average_handle_time", hours, stages, DEFINITION_STAGES)


# ---------------------------------------------------------------------------------------------
# Per user (per million, per 10 000)
# ---------------------------------------------------------------------------------------------


def appeals_per_million(
    appeals: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """百万用户申诉率: regulator-accepted appeals ÷ users × 10⁶.

    ``users`` a number (then ``denominator_definition`` names it), a ``UserBase`` or subscriber
    counts (pooled by ``users.user_base``). Several operators or regions: pass all their
    appeals and all their counts — the result is Σ appeals ÷ Σ users, never the mean of their
    rates.
    """
    base = as_user_base(users, denominator_definition)
    return make_value("appeals_per_million", appeals, base.users, base.definition, PER_MILLION)


def escalated_per_million(
    escalated: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """越级申诉率 (per user): escalated complaints ÷ users × 10⁶."""
    base = as_user_base(users, denominator_definition)
    return make_value("escalated_per_million", escalated, base.users, base.definition, PER_MILLION)


def complaints_per_10k(
    complaints: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """万户投诉率: complaints ÷ users × 10 000."""
    base = as_user_base(users, denominator_definition)
    return make_value("complaints_per_10k", complaints, base.users, base.definition, PER_10K)


# ---------------------------------------------------------------------------------------------
# Every indicator of one unit and period
# ---------------------------------------------------------------------------------------------


@dataclass
class IndicatorCounts:
    """The numerators and denominators of every indicator, for one unit (or person) and period.

    Counts add up (``+=``): a region's counts are the sum of the counts of the units below it,
    which is what pooling (Σ ÷ Σ) means.
    """

    complaints: int = 0
    escalated: int = 0
    appeals: int = 0
    repeats: int = 0
    closed: int = 0
    resolved_first_time: int = 0
    stages: int = 0
    stages_on_time: int = 0
    handled: int = 0
    handle_hours: float = 0.0
    callbacks: int = 0
    callbacks_satisfied: int = 0

    def __iadd__(self, other: IndicatorCounts) -> IndicatorCounts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def indicator_values(
    counts: IndicatorCounts, users: UserBase | None = None
) -> dict[str, IndicatorValue]:
    """Every catalogue indicator from one unit's counts; the per-user ones only with ``users``
    (a person or a unit without subscribers on record has no per-user figures)."""
    values = {
        "escalated_rate": escalated_rate(counts.escalated, counts.complaints),
        "repeat_rate": repeat_rate(counts.repeats, counts.complaints),
        "on_time_rate": on_time_rate(counts.stages_on_time, counts.stages),
        "first_contact_resolution": first_contact_resolution(
            counts.resolved_first_time, counts.closed
        ),
        "callback_satisfaction": callback_satisfaction(
            counts.callbacks_satisfied, counts.callbacks
        ),
        "average_handle_time": average_handle_time(counts.handle_hours, counts.handled),
    }
    if users is not None:
        values["appeals_per_million"] = appeals_per_million(counts.appeals, users)
        values["escalated_per_million"] = escalated_per_million(counts.escalated, users)
        values["complaints_per_10k"] = complaints_per_10k(counts.complaints, users)
    return values
