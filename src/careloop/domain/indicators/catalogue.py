"""The indicator catalogue (质量指标, DOMAIN.md §4) and how a value is judged against its objective.

The targets below are seeds an operator edits (the services read the edited copy); the shape
of an objective and the rule that judges a value against it live here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.formulas import IndicatorValue

Direction = Literal["higher_better", "lower_better"]
ObjectiveStatus = Literal["met", "warning", "breached", "no_data"]


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
            formula=(
                "satisfied evaluations ÷ evaluations × 100; evaluations = callbacks done +"
                " surveys answered in the period (each the customer's own word)"
            ),
        ),
        Indicator(
            "survey_satisfaction",
            "调查满意率",
            "Survey satisfaction",
            "%",
            "higher_better",
            target=90.0,
            threshold=75.0,
            tolerance=0.0,
            formula="surveys answered satisfied ÷ surveys answered × 100 (by answer time)",
        ),
        Indicator(
            "survey_response_rate",
            "调查回复率",
            "Survey response rate",
            "%",
            "higher_better",
            target=40.0,
            threshold=20.0,
            tolerance=0.0,
            formula="surveys sent in the period and answered ÷ surveys sent in the period × 100",
        ),
        Indicator(
            "callback_unreachable_rate",
            "回访未接通率",
            "Callback unreachable rate",
            "%",
            "lower_better",
            target=5.0,
            threshold=15.0,
            tolerance=0.0,
            formula=(
                "callbacks closed as customer unreachable ÷ callbacks concluded (done,"
                " unreachable, declined) × 100"
            ),
        ),
        Indicator(
            "average_handle_time",
            "平均处理时长（工作小时）",
            "Average handle time (working hours)",
            "working hours",
            "lower_better",
            target=24.0,
            threshold=48.0,
            tolerance=0.0,
            formula=(
                "Σ working hours of the stages finished (replies: acceptance → reply net of"
                " customer waits; work orders: dispatch → finish) ÷ those stages; stages"
                " without working time on record are left out and counted"
            ),
        ),
        Indicator(
            "reply_handle_time",
            "平均答复时长（工作小时）",
            "Average time to reply (working hours)",
            "working hours",
            "lower_better",
            target=24.0,
            threshold=48.0,
            tolerance=0.0,
            formula="Σ working hours acceptance → reply, net of customer waits ÷ replies",
        ),
        Indicator(
            "work_order_handle_time",
            "平均工单处理时长（工作小时）",
            "Average work-order handle time (working hours)",
            "working hours",
            "lower_better",
            target=9.0,
            threshold=18.0,
            tolerance=0.0,
            formula=(
                "Σ working hours dispatch → finish ÷ work orders finished (a working day is"
                " 9 hours: the 24-hour repair commitment is about one working day)"
            ),
        ),
        Indicator(
            "inspection_compliance_rate",
            "暗访达标率",
            "Inspection compliance rate",
            "%",
            "higher_better",
            target=95.0,
            threshold=85.0,
            tolerance=0.0,
            formula="inspections compliant (at the pass mark, no mandatory item failed) ÷"
            " inspections submitted × 100",
        ),
        Indicator(
            "mean_inspection_score",
            "检查平均得分",
            "Mean inspection score",
            "points",
            "higher_better",
            target=90.0,
            threshold=80.0,
            tolerance=0.0,
            formula="Σ inspection scores (0–100) ÷ inspections submitted",
        ),
        Indicator(
            "dial_test_answer_rate",
            "拨测接通率",
            "Dial-test answer rate",
            "%",
            "higher_better",
            target=95.0,
            threshold=85.0,
            tolerance=0.0,
            formula=(
                "dial tests answered within 20 s (the service level) ÷ dial tests made"
                " in the period × 100"
            ),
        ),
        # Spam-SMS governance (DOMAIN.md §7): the regulator ranks regions by these. The
        # targets are seeds, not the regulator's: 200 reports per million users a year
        # (about 17 a month) met, 500 the limit; every case acted on, 95 % of them in time.
        Indicator(
            "spam_reports_per_million",
            "垃圾短信举报率",
            "Spam reports per million users",
            "per million users",
            "lower_better",
            target=200.0,
            threshold=500.0,
            tolerance=0.0,
            formula=(
                "spam reports by people (complaints, forwarded SMS, 12321 transfers; not"
                " interceptions) ÷ users × 1 000 000, judged per year"
            ),
        ),
        Indicator(
            "spam_handling_rate",
            "垃圾短信处置率",
            "Spam case handling rate",
            "%",
            "higher_better",
            target=100.0,
            threshold=90.0,
            tolerance=0.0,
            formula=(
                "enforcement cases acted on (first sanction) ÷ cases judged in the period"
                " (acted on, or past their deadline untouched) × 100"
            ),
        ),
        Indicator(
            "spam_on_time_rate",
            "垃圾短信及时处置率",
            "Spam case on-time rate",
            "%",
            "higher_better",
            target=95.0,
            threshold=85.0,
            tolerance=0.0,
            formula=(
                "enforcement cases whose first sanction came by the deadline ÷ cases acted on × 100"
            ),
        ),
    )
}
"""Default catalogue; targets are seeds an operator edits (the regulator's ≤ 50 appeals per
million users per year is the threshold of ``appeals_per_million``). Names, units, direction
and formula are the domain's: an edited objective changes only target, threshold and
tolerance (``services.indicators.objectives``)."""

PER_USER: Final = frozenset(
    {
        "appeals_per_million",
        "escalated_per_million",
        "complaints_per_10k",
        "spam_reports_per_million",
    }
)
"""Indicators over users: their objectives are per year, so a shorter period's value is
annualised before it is judged (the regulator's ≤ 50 is per year; ``periods.judged_value``).

The spam report rate is one of them: reports accrue with the days like appeals, and the
same report runs for a day, a ten-day period and a month, so one yearly objective judges
every period alike (a monthly target would wrongly pass a bad day and fail a fair quarter).
The value printed stays the period's own; only the judged value is annualised."""


def better_or_equal(direction: Direction, value: float, reference: float) -> bool:
    """Whether ``value`` is at least as good as ``reference`` in the indicator's direction."""
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
    if better_or_equal(indicator.direction, value, indicator.target):
        return "met"
    sign = -1.0 if indicator.direction == "higher_better" else 1.0
    limit = indicator.threshold + sign * indicator.tolerance
    if better_or_equal(indicator.direction, value, limit):
        return "warning"
    return "breached"
