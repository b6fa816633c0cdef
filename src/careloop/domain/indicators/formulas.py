"""Quality indicators (质量指标, DOMAIN.md §4): catalogue, formulas, objectives, roll-up, KPIs, CSI.

Everything here is pure arithmetic over plain frozen records; the services layer turns database
rows into these records (``ComplaintFact`` …) and stores the ``IndicatorValue`` it gets back.

Conventions that hold for every formula in this module:

* **No data is not zero.** A rate whose denominator is zero (an empty period, a unit with no
  closed complaints, no subscribers on record) has ``value = None``; it never raises and never
  reports ``0``. "0 % on time" and "nothing finished" are different facts, and a report must be
  able to print "—" for the second. Status is then ``"no_data"`` and period-on-period changes
  are ``None``.
* **Pool, never average rates.** Every value keeps its numerator and denominator so that
  provinces, groups of operators and longer periods are computed as Σ numerators ÷ Σ
  denominators (§4: "pool operators (sum ÷ sum), never average their rates").
* **The denominator says what it counts.** The user base behind "per million users" changed
  over the years (phone users only, later broadband too), so each value carries a
  ``denominator_definition`` and values with different definitions refuse to pool.
* **Rates are in percent** (``95.0`` means 95 %); per-user rates are per million or per 10 000
  users as their names say; handle time is in hours.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal

from careloop.domain.errors import InvalidInput

Direction = Literal["higher_better", "lower_better"]
ObjectiveStatus = Literal["met", "warning", "breached", "no_data"]

PERCENT: Final = 100.0
PER_10K: Final = 10_000.0
PER_MILLION: Final = 1_000_000.0

DEFINITION_COMPLAINTS: Final = "complaints accepted in the period"
DEFINITION_CLOSED: Final = "complaints closed in the period"
DEFINITION_STAGES: Final = "stages finished in the period"
DEFINITION_CALLBACKS: Final = "callbacks done in the period"


# ---------------------------------------------------------------------------------------------
# Input records: what the services layer reads out of the store, nothing more.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintFact:
    """One complaint as the indicators see it."""

    id: int | str
    accepted_at: datetime
    region_code: str
    category_code: str
    escalated: bool = False
    """越级投诉: the customer went over the operator's head (§2)."""
    regulator_appeal: bool = False
    """An appeal the regulator accepted (申诉, counted in "appeals per million users")."""
    is_repeat: bool = False
    """重复投诉: same customer, same issue, within 30 days."""
    closed_at: datetime | None = None
    reopened: bool = False
    """A dissatisfied callback reopened it at least once."""
    reply_due_at: datetime | None = None
    replied_at: datetime | None = None


@dataclass(frozen=True)
class StageFact:
    """One stage (accept, handle, reply, callback, or an internal hand-off) with its limit."""

    finished_at: datetime | None
    due_at: datetime | None
    started_at: datetime | None = None
    stage: str = ""


@dataclass(frozen=True)
class CallbackFact:
    """A callback (回访); ``done_at`` is None while the customer has not been reached."""

    done_at: datetime | None
    satisfied: bool


@dataclass(frozen=True)
class SubscriberCount:
    """Users on record for one region and month, and what was counted (the definition)."""

    region_code: str
    month: date
    users: int
    definition: str
    """E.g. "mobile + fixed-line phone users" or "phone and broadband users"."""


@dataclass(frozen=True)
class UserBase:
    """A denominator of users, already reduced to one number and its definition."""

    users: float
    definition: str


# ---------------------------------------------------------------------------------------------
# Catalogue and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """A catalogue entry: what is measured and the objective it is held to.

    The objective follows TMF657 service-level objectives (target, threshold, tolerance), read
    in this project as follows (``better``/``worse`` per ``direction``):

    * ``target`` — at target or better the objective is **met** and the KPI score is 100;
    * ``threshold`` — the hard limit on the worse side of the target (for appeals per million:
      the regulator's ≤ 50). Between target and threshold the status is **warning** and the
      score falls linearly from 100 to 0;
    * ``tolerance`` — slack (in the indicator's unit) allowed past the threshold before the
      objective counts as **breached**, for measurement noise and rounding in the source
      feeds. The score is 0 from the threshold on regardless.
    """

    id: str
    name_zh: str
    name_en: str
    unit: str
    direction: Direction
    target: float
    threshold: float
    tolerance: float
    formula: str

    def __post_init__(self) -> None:
        worse_or_equal = (
            self.threshold <= self.target
            if self.direction == "higher_better"
            else self.threshold >= self.target
        )
        if not worse_or_equal:
            raise InvalidInput("threshold", f"{self.id}: threshold must lie on the worse side")
        if self.tolerance < 0:
            raise InvalidInput("tolerance", f"{self.id}: tolerance must not be negative")


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


CATALOGUE: Final[dict[str, Indicator]] = {
    ind.id: ind
    for ind in (
        Indicator(
            "appeals_per_million",
            "百万用户申诉率",
            "Appeals per million users",
            "per million users",
            "lower_better",
            target=30.0,
            threshold=50.0,
            tolerance=0.0,
            formula="regulator-accepted appeals ÷ users × 1 000 000 (pooled; users as defined)",
        ),
        Indicator(
            "escalated_rate",
            "越级申诉率",
            "Escalated-complaint rate",
            "%",
            "lower_better",
            target=1.0,
            threshold=3.0,
            tolerance=0.0,
            formula="escalated complaints ÷ complaints × 100",
        ),
        Indicator(
            "escalated_per_million",
            "百万用户越级申诉率",
            "Escalated complaints per million users",
            "per million users",
            "lower_better",
            target=10.0,
            threshold=30.0,
            tolerance=0.0,
            formula="escalated complaints ÷ users × 1 000 000",
        ),
        Indicator(
            "complaints_per_10k",
            "万户投诉率",
            "Complaints per 10k users",
            "per 10 000 users",
            "lower_better",
            target=5.0,
            threshold=10.0,
            tolerance=0.0,
            formula="complaints ÷ users × 10 000",
        ),
        Indicator(
            "on_time_rate",
            "及时率",
            "On-time rate",
            "%",
            "higher_better",
            target=98.0,
            threshold=90.0,
            tolerance=0.0,
            formula="stages finished within limit ÷ stages finished × 100",
        ),
        Indicator(
            "first_contact_resolution",
            "一次性解决率",
            "First-contact resolution",
            "%",
            "higher_better",
            target=90.0,
            threshold=75.0,
            tolerance=0.0,
            formula="closed complaints neither reopened nor repeat ÷ closed complaints × 100",
        ),
        Indicator(
            "repeat_rate",
            "重复投诉率",
            "Repeat-complaint rate",
            "%",
            "lower_better",
            target=5.0,
            threshold=15.0,
            tolerance=0.0,
            formula="repeat complaints ÷ complaints × 100",
        ),
        Indicator(
            "callback_satisfaction",
            "回访满意率",
            "Callback satisfaction",
            "%",
            "higher_better",
            target=95.0,
            threshold=80.0,
            tolerance=0.0,
            formula="satisfied callbacks ÷ callbacks done × 100",
        ),
        Indicator(
            "average_handle_time",
            "平均处理时长",
            "Average handle time",
            "hours",
            "lower_better",
            target=24.0,
            threshold=48.0,
            tolerance=0.0,
            formula="Σ stage durations (working hours) ÷ stages finished",
        ),
    )
}
"""Default catalogue; targets are seeds an operator edits (the regulator's ≤ 50 appeals per
million users per year is the threshold of ``appeals_per_million``)."""


# ---------------------------------------------------------------------------------------------
# Denominators
# ---------------------------------------------------------------------------------------------


def user_base(counts: Iterable[SubscriberCount]) -> UserBase:
    """Reduce monthly subscriber counts to one user base for a period and a set of regions.

    Per region the months are averaged (a year's appeals ÷ the year's average users, not ÷ the
    sum of twelve month-ends); regions are then summed. Mixing definitions is refused: a rate
    over "phone users" in one region and "phone + broadband users" in another means nothing.
    """
    by_region: dict[str, list[int]] = defaultdict(list)
    definitions: set[str] = set()
    for count in counts:
        by_region[count.region_code].append(count.users)
        definitions.add(count.definition)
    if len(definitions) > 1:
        raise InvalidInput(
            "users.definition",
            f"cannot pool different user-base definitions: {sorted(definitions)}",
        )
    total = sum(sum(months) / len(months) for months in by_region.values())
    return UserBase(total, definitions.pop() if definitions else "")


def _as_user_base(users: float | UserBase | Iterable[SubscriberCount], definition: str) -> UserBase:
    if isinstance(users, UserBase):
        return users
    if isinstance(users, int | float):
        return UserBase(float(users), definition)
    return user_base(users)


def _count(items: int | Iterable[ComplaintFact], predicate: Callable[[ComplaintFact], bool]) -> int:
    if isinstance(items, int):
        return items
    return sum(1 for item in items if predicate(item))


# ---------------------------------------------------------------------------------------------
# Formulas (DOMAIN.md §4)
# ---------------------------------------------------------------------------------------------


def appeals_per_million(
    appeals: int | Iterable[ComplaintFact],
    users: float | UserBase | Iterable[SubscriberCount],
    *,
    denominator_definition: str = "users",
) -> IndicatorValue:
    """百万用户申诉率: regulator-accepted appeals ÷ users × 10⁶.

    ``appeals`` is a count or complaint facts (those with ``regulator_appeal`` count);
    ``users`` a number (then ``denominator_definition`` names it), a ``UserBase`` or subscriber
    counts (pooled by ``user_base``). Several operators or regions: pass all their appeals and
    all their counts — the result is Σ appeals ÷ Σ users, never the mean of their rates.
    """
    base = _as_user_base(users, denominator_definition)
    count = _count(appeals, lambda c: c.regulator_appeal)
    return make_value("appeals_per_million", count, base.users, base.definition, PER_MILLION)


def escalated_rate(complaints: Iterable[ComplaintFact]) -> IndicatorValue:
    """越级申诉率 (share): escalated complaints ÷ all complaints × 100."""
    facts = list(complaints)
    escalated = sum(1 for c in facts if c.escalated)
    return make_value("escalated_rate", escalated, len(facts), DEFINITION_COMPLAINTS, PERCENT)


def escalated_per_million(
    complaints: int | Iterable[ComplaintFact],
    users: float | UserBase | Iterable[SubscriberCount],
    *,
    denominator_definition: str = "users",
) -> IndicatorValue:
    """越级申诉率 (per user): escalated complaints ÷ users × 10⁶."""
    base = _as_user_base(users, denominator_definition)
    count = _count(complaints, lambda c: c.escalated)
    return make_value("escalated_per_million", count, base.users, base.definition, PER_MILLION)


def complaints_per_10k(
    complaints: int | Iterable[ComplaintFact],
    users: float | UserBase | Iterable[SubscriberCount],
    *,
    denominator_definition: str = "users",
) -> IndicatorValue:
    """万户投诉率: complaints ÷ users × 10 000."""
    base = _as_user_base(users, denominator_definition)
    count = _count(complaints, lambda c: True)
    return make_value("complaints_per_10k", count, base.users, base.definition, PER_10K)


def on_time_rate(stages: Iterable[StageFact]) -> IndicatorValue:
    """及时率: stages finished within their limit ÷ stages finished × 100.

    Unfinished stages are not in the denominator (they are watched by the SLA clock, not yet
    judged); a finished stage without a limit counts as on time (nothing to miss). Finishing
    exactly at the limit is on time.
    """
    finished = [s for s in stages if s.finished_at is not None]
    on_time = sum(
        1
        for s in finished
        if s.due_at is None or (s.finished_at is not None and s.finished_at <= s.due_at)
    )
    return make_value("on_time_rate", on_time, len(finished), DEFINITION_STAGES, PERCENT)


def reply_stages(complaints: Iterable[ComplaintFact]) -> list[StageFact]:
    """The reply stage of each complaint, for ``on_time_rate`` on replies (15-day rule, §3)."""
    return [
        StageFact(
            finished_at=c.replied_at, due_at=c.reply_due_at, started_at=c.accepted_at, stage="reply"
        )
        for c in complaints
    ]


def first_contact_resolution(complaints: Iterable[ComplaintFact]) -> IndicatorValue:
    """一次性解决率: closed complaints neither reopened nor repeats ÷ closed complaints × 100."""
    closed = [c for c in complaints if c.closed_at is not None]
    resolved = sum(1 for c in closed if not c.reopened and not c.is_repeat)
    return make_value("first_contact_resolution", resolved, len(closed), DEFINITION_CLOSED, PERCENT)


def repeat_rate(complaints: Iterable[ComplaintFact]) -> IndicatorValue:
    """重复投诉率: repeat complaints ÷ complaints × 100."""
    facts = list(complaints)
    repeats = sum(1 for c in facts if c.is_repeat)
    return make_value("repeat_rate", repeats, len(facts), DEFINITION_COMPLAINTS, PERCENT)


def callback_satisfaction(callbacks: Iterable[CallbackFact]) -> IndicatorValue:
    """回访满意率: satisfied callbacks ÷ callbacks done × 100 (unreached customers left out)."""
    done = [c for c in callbacks if c.done_at is not None]
    satisfied = sum(1 for c in done if c.satisfied)
    return make_value("callback_satisfaction", satisfied, len(done), DEFINITION_CALLBACKS, PERCENT)


def _wall_clock_hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


def average_handle_time(
    stages: Iterable[StageFact],
    hours_between: Callable[[datetime, datetime], float] | None = None,
) -> IndicatorValue:
    """Average handle time per stage, in hours: Σ durations ÷ stages with start and finish.

    §4 counts *working* hours; the business calendar lives in the SLA module, so it is passed
    in as ``hours_between(start, end)``. Without one, wall-clock hours are used.
    """
    measure = hours_between or _wall_clock_hours
    total = 0.0
    count = 0
    for s in stages:
        if s.started_at is not None and s.finished_at is not None:
            total += measure(s.started_at, s.finished_at)
            count += 1
    return make_value("average_handle_time", total, count, DEFINITION_STAGES)


# ---------------------------------------------------------------------------------------------
# Objectives and period-on-period comparison
# ---------------------------------------------------------------------------------------------


def _better_or_equal(direction: Direction, value: float, reference: float) -> bool:
    return value >= reference if direction == "higher_better" else value <= reference


def evaluate(value: float | IndicatorValue | None, indicator: Indicator) -> ObjectiveStatus:
    """Status of a value against its objective: met / warning / breached / no_data.

    met: at target or better; warning: worse than target but not past threshold + tolerance;
    breached: past threshold by more than the tolerance; no_data: the value is None.
    """
    if isinstance(value, IndicatorValue):
        value = value.value
    if value is None:
        return "no_data"
    if _better_or_equal(indicator.direction, value, indicator.target):
        return "met"
    sign = -1.0 if indicator.direction == "higher_better" else 1.0
    limit = indicator.threshold + sign * indicator.tolerance
    if _better_or_equal(indicator.direction, value, limit):
        return "warning"
    return "breached"


def relative_change(current: float | None, base: float | None) -> float | None:
    """(current − base) ÷ base as a fraction (0.25 = +25 %); None if either is None or base is 0.

    A change against a zero or missing base has no meaningful ratio; reports print "—".
    """
    if current is None or base is None or base == 0:
        return None
    return (current - base) / abs(base)


def year_on_year(current: float | None, same_period_last_year: float | None) -> float | None:
    """同比: change against the same period a year earlier."""
    return relative_change(current, same_period_last_year)


def period_on_period(current: float | None, previous_period: float | None) -> float | None:
    """环比: change against the immediately preceding period (month, ten-day period, week)."""
    return relative_change(current, previous_period)


# ---------------------------------------------------------------------------------------------
# Roll-up along the org tree
# ---------------------------------------------------------------------------------------------


def pool(values: Iterable[IndicatorValue]) -> IndicatorValue | None:
    """Σ numerators ÷ Σ denominators of values of one indicator; None if nothing to pool."""
    items = list(values)
    if not items:
        return None
    ids = {v.indicator_id for v in items}
    definitions = {v.denominator_definition for v in items}
    scales = {v.scale for v in items}
    if len(ids) > 1 or len(scales) > 1:
        raise InvalidInput("indicator", f"cannot pool different indicators: {sorted(ids)}")
    if len(definitions) > 1:
        raise InvalidInput(
            "denominator_definition",
            f"cannot pool different denominators: {sorted(definitions)}",
        )
    return make_value(
        items[0].indicator_id,
        sum(v.numerator for v in items),
        sum(v.denominator for v in items),
        items[0].denominator_definition,
        items[0].scale,
    )


def roll_up(
    leaf_values: Mapping[str, IndicatorValue],
    parent_of: Mapping[str, str | None],
) -> dict[str, IndicatorValue]:
    """Values for every leaf and every ancestor, each ancestor pooled from the leaves below it.

    ``parent_of`` maps a region code to its parent's code (None or absent at the root). A leaf
    counts once for each ancestor (no double counting through intermediate nodes, since
    numerators and denominators are summed straight from the leaves). Giving a value for a
    unit *and* for a unit below it is refused, as it would count the lower unit twice.
    """
    below: dict[str, list[IndicatorValue]] = defaultdict(list)
    for leaf, value in leaf_values.items():
        node: str | None = leaf
        seen: set[str] = set()
        while node is not None:
            if node in seen:
                raise InvalidInput("parent_of", f"cycle in the org tree at {node}")
            if node != leaf and node in leaf_values:
                raise InvalidInput("leaf_values", f"{node} is above {leaf}: give leaves only")
            seen.add(node)
            below[node].append(value)
            node = parent_of.get(node)
    result: dict[str, IndicatorValue] = {}
    for node, values in below.items():
        pooled = pool(values)
        if pooled is not None:
            result[node] = pooled
    return result


# ---------------------------------------------------------------------------------------------
# KPI scorecard with one-vote veto (一票否决)
# ---------------------------------------------------------------------------------------------

Comparator = Literal[">", ">=", "<", "<=", "=="]

_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
}


@dataclass(frozen=True)
class VetoRule:
    """A condition on one indicator that zeroes the whole score, e.g. "≥ 1 escalated complaint
    judged the unit's fault" or "appeals per million above 50". Stored as data so operators
    configure it; a value of None (no data) never triggers a veto."""

    indicator_id: str
    comparator: Comparator
    limit: float
    reason: str

    def holds(self, value: IndicatorValue | None) -> bool:
        if value is None or value.value is None:
            return False
        return _COMPARE[self.comparator](value.value, self.limit)


@dataclass(frozen=True)
class ScoredIndicator:
    indicator_id: str
    value: float | None
    status: ObjectiveStatus
    score: float | None
    weight: float
    """The normalised weight actually applied (0 when there was no data)."""


@dataclass(frozen=True)
class Scorecard:
    score: float
    items: tuple[ScoredIndicator, ...]
    vetoed: bool = False
    veto_reasons: tuple[str, ...] = field(default_factory=tuple)


VETO_FLOOR: Final = 0.0


def indicator_score(value: float | None, indicator: Indicator) -> float | None:
    """0–100 against the objective: 100 at target or better, 0 at threshold or worse, linear
    in between; None without data."""
    if value is None:
        return None
    if _better_or_equal(indicator.direction, value, indicator.target):
        return 100.0
    if not _better_or_equal(indicator.direction, value, indicator.threshold):
        return 0.0
    if indicator.target == indicator.threshold:
        return 0.0
    return 100.0 * (value - indicator.threshold) / (indicator.target - indicator.threshold)


def scorecard(
    values: Mapping[str, IndicatorValue | None],
    weights: Mapping[str, float],
    *,
    catalogue: Mapping[str, Indicator] = CATALOGUE,
    veto_rules: Iterable[VetoRule] = (),
    veto_events: Iterable[str] = (),
) -> Scorecard:
    """Weighted KPI score of a unit or a person (0–100).

    * each weighted indicator is scored by ``indicator_score``; weights need not sum to 1 —
      they are normalised over the indicators **that have data**, so a unit is neither
      rewarded nor punished for a period with nothing to measure (the no-data items are
      listed with weight 0);
    * one-vote veto (一票否决, §2): if any ``veto_rules`` holds or any ``veto_events`` (reasons
      from accountability records, e.g. a severe service failure) is given, the score is the
      floor (0) and every reason is listed. Item scores are still reported.
    """
    raw: list[tuple[str, float | None, float | None, ObjectiveStatus, float]] = []
    for indicator_id, weight in weights.items():
        if weight < 0:
            raise InvalidInput("weights", f"{indicator_id}: weight must not be negative")
        indicator = catalogue.get(indicator_id)
        if indicator is None:
            raise InvalidInput("weights", f"unknown indicator {indicator_id}")
        iv = values.get(indicator_id)
        value = iv.value if iv is not None else None
        raw.append(
            (
                indicator_id,
                value,
                indicator_score(value, indicator),
                evaluate(value, indicator),
                weight,
            )
        )
    total_weight = sum(w for _, _, score, _, w in raw if score is not None)
    items = tuple(
        ScoredIndicator(
            indicator_id,
            value,
            status,
            score,
            (w / total_weight) if (score is not None and total_weight > 0) else 0.0,
        )
        for indicator_id, value, score, status, w in raw
    )
    weighted = sum(item.score * item.weight for item in items if item.score is not None)
    reasons = [rule.reason for rule in veto_rules if rule.holds(values.get(rule.indicator_id))]
    reasons.extend(veto_events)
    if reasons:
        return Scorecard(VETO_FLOOR, items, True, tuple(reasons))
    return Scorecard(weighted, items)


# ---------------------------------------------------------------------------------------------
# Satisfaction index (用户满意度指数, DOMAIN.md §6)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """One band of the grading scale: from ``lower`` (inclusive) up to the next band."""

    lower: float
    code: str
    label_zh: str
    label_en: str


DEFAULT_CSI_SCALE: Final[tuple[Grade, ...]] = (
    Grade(90.0, "very_satisfied", "很满意", "very satisfied"),
    Grade(80.0, "satisfied", "满意", "satisfied"),
    Grade(70.0, "fairly_satisfied", "较满意", "fairly satisfied"),
    Grade(60.0, "average", "一般", "average"),
    Grade(50.0, "not_very_satisfied", "不太满意", "not very satisfied"),
    Grade(30.0, "dissatisfied", "不满意", "dissatisfied"),
    Grade(-math.inf, "very_dissatisfied", "很不满意", "very dissatisfied"),
)
"""The regulator's 满意级度 as the seeds quote it: 90–100, 80–89.99, …, below 30."""


def grade_csi(index: float, scale: Sequence[Grade] = DEFAULT_CSI_SCALE) -> Grade:
    """The band an index (0–100) falls in; band lower bounds are inclusive (90 → very satisfied,
    89.99 → satisfied). Scales are configurable and may be given in any order."""
    if math.isnan(index) or not 0.0 <= index <= 100.0:
        raise InvalidInput("index", f"satisfaction index must be within 0–100, got {index}")
    for grade in sorted(scale, key=lambda g: g.lower, reverse=True):
        if index >= grade.lower:
            return grade
    raise InvalidInput("scale", f"no grade covers {index}")


def acsi_index(
    item_means: Sequence[float],
    weights: Sequence[float] | None = None,
    *,
    scale_min: float = 1.0,
    scale_max: float = 10.0,
) -> float:
    """ACSI satisfaction index: Σ wᵢ (x̄ᵢ − 1) / 9 × 100 on 1–10 items (DOMAIN.md §6).

    ``weights`` (the PLS outer weights) are normalised to sum to 1 here; None means equal
    weights. Other item scales generalise as (x̄ − min) / (max − min).
    """
    if not item_means:
        raise InvalidInput("item_means", "at least one item is needed")
    ws = [1.0] * len(item_means) if weights is None else list(weights)
    if len(ws) != len(item_means):
        raise InvalidInput("weights", "one weight per item is needed")
    if any(w < 0 for w in ws) or sum(ws) <= 0:
        raise InvalidInput("weights", "weights must be non-negative with a positive sum")
    if any(not scale_min <= x <= scale_max for x in item_means):
        raise InvalidInput("item_means", f"item means must lie within {scale_min}–{scale_max}")
    total = sum(ws)
    span = scale_max - scale_min
    return sum(
        w / total * (x - scale_min) / span * 100.0 for w, x in zip(ws, item_means, strict=True)
    )
