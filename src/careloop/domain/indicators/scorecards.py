"""KPI scorecards (考核) of units and staff: weighted indicator scores with a one-vote veto.

DOMAIN.md §4: staff and unit KPIs weight the indicators (up to 75 % of pay in the field), with
a one-vote veto (一票否决) for severe failures. Weights and veto rules are data an operator
configures; ``DEFAULT_SCHEMES`` are the seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.catalogue import (
    CATALOGUE,
    Indicator,
    ObjectiveStatus,
    better_or_equal,
    evaluate,
)
from careloop.domain.indicators.formulas import IndicatorValue

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
    if better_or_equal(indicator.direction, value, indicator.target):
        return 100.0
    if not better_or_equal(indicator.direction, value, indicator.threshold):
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


@dataclass(frozen=True)
class Scheme:
    """A KPI scheme: the weight of each indicator and the veto rules, for units or for staff."""

    code: str
    name: str
    weights: dict[str, float]
    veto_rules: tuple[VetoRule, ...]


DEFAULT_SCHEMES: Final[dict[str, Scheme]] = {
    "unit": Scheme(
        "unit",
        "责任单位 KPI / unit scorecard",
        {
            "on_time_rate": 25,
            "first_contact_resolution": 20,
            "callback_satisfaction": 20,
            "repeat_rate": 15,
            "escalated_rate": 10,
            "complaints_per_10k": 10,
            "inspection_compliance_rate": 10,
            "dial_test_answer_rate": 5,
        },
        (
            VetoRule(
                "appeals_per_million",
                ">",
                50.0,
                "百万用户申诉率超过管局红线 50 / appeals per million users above 50",
            ),
        ),
    ),
    "staff": Scheme(
        "staff",
        "员工 KPI / staff scorecard",
        {
            "on_time_rate": 35,
            "first_contact_resolution": 25,
            "callback_satisfaction": 25,
            "repeat_rate": 15,
        },
        (VetoRule("on_time_rate", "<", 60.0, "及时率低于 60% / on-time rate below 60 %"),),
    ),
}
"""The seeds; an operator's edited schemes are stored (``kpi_schemes``) and win."""
