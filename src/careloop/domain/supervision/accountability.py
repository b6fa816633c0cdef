"""Accountability (服务质量责任追究及经济处罚): responsibility cases, penalties and appeals.

A finding (an inspection's failed item, a breached or escalated complaint, a rectification
that failed) can open a case against the unit and the person responsible. A supervisor
decides the penalty: points off the unit's KPI score, an economic penalty in yuan, and for a
severe failure the one-vote veto (一票否决, DOMAIN.md §2). The person concerned, or their
unit's lead, may appeal within ``APPEAL_WORKING_DAYS`` working days; a supervisor decides
the appeal. Only a decided penalty moves a scorecard, so a case still open costs nothing.

Rules broken are data (``DEFAULT_RULES`` are the seeds; an operator's stored rules win),
each with its default penalty; a decided penalty may differ from the default, with a reason.
Pure: the services load cases and ask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

from careloop.domain.errors import InvalidInput, WordedError
from careloop.domain.indicators.scorecards import VETO_FLOOR, Scorecard
from careloop.domain.lifecycle.machine import InputField, Lifecycle, transition
from careloop.domain.sla.calendar import WorkingCalendar


class CaseStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    APPEALED = "appealed"
    FINAL = "final"
    DISMISSED = "dismissed"


STATUS_LABELS: Final[dict[CaseStatus, tuple[str, str]]] = {
    CaseStatus.OPEN: ("待认定", "Open"),
    CaseStatus.DECIDED: ("已认定", "Decided"),
    CaseStatus.APPEALED: ("申诉中", "Under appeal"),
    CaseStatus.FINAL: ("已生效", "Final"),
    CaseStatus.DISMISSED: ("不予追责", "Dismissed"),
}

DECIDER_ROLES: Final = frozenset({"supervisor", "admin"})
"""Quality supervisors decide penalties and appeals; they also open cases by hand."""
APPELLANT_ROLES: Final = frozenset({"agent", "handler", "unit_lead", "supervisor", "admin"})
"""Who may ever appeal; the service also checks that the appellant is the person concerned
or the lead of the unit concerned (a role alone is not enough)."""

APPEAL_WORKING_DAYS: Final = 5
"""申诉期: the person concerned appeals within five working days of the decision
(configurable per deployment; the operator's rules in the field use 3–7)."""

CASE_AT_ESCALATION_LEVEL: Final = 3
"""An ordinary complaint's breach opens a case once it has escalated this far up the org
tree (level 3: the city, a day after the breach by the seed policy); an escalated complaint
(越级) or a regulator's transfer opens one at its breach already."""

SUMMARY_MAX_CHARS: Final = 500
REASON_MAX_CHARS: Final = 1000
MAX_POINTS: Final = 100.0
MAX_AMOUNT: Final = Decimal("1000000.00")

LIFECYCLE: Final = Lifecycle(
    CaseStatus,
    STATUS_LABELS,
    CaseStatus.OPEN,
    [
        transition(
            "decide",
            {CaseStatus.OPEN},
            CaseStatus.DECIDED,
            DECIDER_ROLES,
            "认定处罚",
            "decide the penalty",
            (InputField("reason", "text", required=False, max_chars=REASON_MAX_CHARS),),
        ),
        transition(
            "dismiss",
            {CaseStatus.OPEN},
            CaseStatus.DISMISSED,
            DECIDER_ROLES,
            "不予追责",
            "dismiss the case",
            (InputField("reason", "text", max_chars=REASON_MAX_CHARS),),
        ),
        transition(
            "appeal",
            {CaseStatus.DECIDED},
            CaseStatus.APPEALED,
            APPELLANT_ROLES,
            "提出申诉",
            "appeal",
            (InputField("reason", "text", max_chars=REASON_MAX_CHARS),),
        ),
        transition(
            "decide_appeal",
            {CaseStatus.APPEALED},
            CaseStatus.FINAL,
            DECIDER_ROLES,
            "裁定申诉",
            "decide the appeal",
            (InputField("reason", "text", max_chars=REASON_MAX_CHARS),),
        ),
        transition(
            "finalise",
            {CaseStatus.DECIDED},
            CaseStatus.FINAL,
            DECIDER_ROLES | {"system"},
            "确认生效",
            "make final",
        ),
    ],
    subject="responsibility case transition",
    illegal_code="illegal_case_transition",
    audit_prefix="",
)

COUNTING: Final = frozenset({CaseStatus.DECIDED, CaseStatus.APPEALED, CaseStatus.FINAL})
"""A decided penalty counts while it is appealed (an appeal does not suspend it) and after;
an open case has no penalty yet and a dismissed one none at all."""


class AppealOutcome(StrEnum):
    UPHELD = "upheld"
    """申诉成立: the penalty is withdrawn, the score restored."""
    REDUCED = "reduced"
    """部分成立: a lighter penalty replaces it."""
    DISMISSED = "dismissed"
    """申诉不成立: the penalty stands."""


APPEAL_OUTCOME_LABELS: Final[dict[AppealOutcome, tuple[str, str]]] = {
    AppealOutcome.UPHELD: ("申诉成立，撤销处罚", "Appeal upheld: penalty withdrawn"),
    AppealOutcome.REDUCED: ("部分成立，减轻处罚", "Partly upheld: penalty reduced"),
    AppealOutcome.DISMISSED: ("申诉不成立，维持处罚", "Appeal dismissed: penalty stands"),
}

SOURCE_KINDS: Final[dict[str, tuple[str, str]]] = {
    "inspection": ("检查发现", "Inspection finding"),
    "dial_test": ("拨测发现", "Dial-test finding"),
    "social_supervision": ("社会监督员反映", "Social supervisor's report"),
    "complaint": ("投诉", "Complaint"),
    "rectification": ("整改未完成", "Failed rectification"),
    "manual": ("人工立案", "Opened by hand"),
}


@dataclass(frozen=True, slots=True)
class Penalty:
    """What a case costs: KPI points off the unit's score, yuan fined, the one-vote veto."""

    points: float = 0.0
    amount: Decimal = Decimal("0.00")
    veto: bool = False

    @property
    def is_none(self) -> bool:
        return self.points == 0 and self.amount == 0 and not self.veto

    def as_dict(self) -> dict[str, Any]:
        return {"points": self.points, "amount": str(self.amount), "veto": self.veto}


NO_PENALTY: Final = Penalty()


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule a unit or a person can break, with its default penalty (configurable)."""

    code: str
    name_zh: str
    name_en: str
    default: Penalty
    active: bool = True

    def label(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


DEFAULT_RULES: Final[Mapping[str, Rule]] = {
    r.code: r
    for r in (
        Rule("reply_overdue", "超时未答复", "Complaint not answered in time",
             Penalty(2.0, Decimal("200.00"))),
        Rule("escalated_complaint", "越级申诉", "Customer escalated to the regulator",
             Penalty(5.0, Decimal("1000.00"))),
        Rule("escalated_overdue", "越级投诉超时未办结", "Escalated complaint not settled in time",
             Penalty(10.0, Decimal("2000.00"), veto=True)),
        Rule("first_question", "首问负责制未落实", "First-question responsibility not kept",
             Penalty(3.0, Decimal("500.00"))),
        Rule("service_attitude", "服务态度", "Service attitude",
             Penalty(2.0, Decimal("300.00"))),
        Rule("inspection_failure", "检查不达标", "Failed inspection item",
             Penalty(1.0, Decimal("100.00"))),
        Rule("rectification_overdue", "整改逾期未完成", "Rectification not completed in time",
             Penalty(3.0, Decimal("500.00"))),
    )
}  # fmt: skip
"""The seeds (extend, don't replace): an operator's stored rules of the same code win."""


class AccountabilityError(WordedError):
    """A refusal of this context, its wording kept here (zh first, en); ``not_found`` keeps
    the shared code so the scope probes read a case outside one's scope like any 404."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "missing": (
            "not_found", 404,
            "责任认定不存在：{ident}", "Responsibility case not found: {ident}",
        ),
        "unknown_rule": (
            "invalid_input", 422,
            "未知的责任条款「{rule}」，请从条款目录中选择",
            "Unknown rule '{rule}': choose one from the catalogue of rules",
        ),
        "not_concerned": (
            "not_concerned", 403,
            "只有被追责人本人或其单位负责人可以申诉",
            "Only the person concerned or the lead of the unit concerned may appeal",
        ),
        "appeal_late": (
            "appeal_late", 409,
            "申诉期已过（截止 {due}，北京时间），不能再申诉",
            "The appeal period ended at {due} (Beijing time); the case can no longer be appealed",
        ),
        "appeal_open": (
            "appeal_period_running", 409,
            "申诉期尚未结束（截止 {due}，北京时间），暂不能确认生效",
            "The appeal period runs until {due} (Beijing time); the case cannot be made final yet",
        ),
        "reason_required": (
            "invalid_input", 422,
            "处罚与条款默认值不同，请填写调整原因",
            "The penalty differs from the rule's default: give the reason",
        ),
        "reduce_not_lighter": (
            "invalid_input", 422,
            "“减轻处罚”的新处罚须轻于原处罚",
            "A reduced penalty must be lighter than the one appealed",
        ),
        "illegal": (
            "illegal_case_transition", 409,
            "责任认定当前状态为「{status_zh}」，不能执行「{action_zh}」",
            "Cannot {action_en}: the case is '{status_en}'",
        ),
        "unit_unknown": (
            "invalid_input", 422,
            "责任单位「{unit}」不存在或不在您的管辖范围内",
            "Unit '{unit}' does not exist or lies outside your scope",
        ),
        "staff_unknown": (
            "invalid_input", 422,
            "责任人「{staff}」不存在或不属于该责任单位",
            "Person '{staff}' does not exist or does not belong to that unit",
        ),
    }  # fmt: skip


def not_found(ident: object) -> AccountabilityError:
    return AccountabilityError("missing", ident=ident)


def rules_in_force(stored: Iterable[Rule] = ()) -> dict[str, Rule]:
    """The seeds with the operator's stored rules over them, in catalogue order."""
    merged = dict(DEFAULT_RULES)
    for rule in stored:
        merged[rule.code] = rule
    return merged


def rule_for(rules: Mapping[str, Rule], code: str) -> Rule:
    rule = rules.get(code)
    if rule is None or not rule.active:
        raise AccountabilityError("unknown_rule", rule=code)
    return rule


def points(value: float | int | str | None, field: str = "points") -> float:
    """KPI points as a person may give them: 0–100, at most one decimal place."""
    try:
        number = float(value) if value is not None and str(value).strip() != "" else 0.0
    except (TypeError, ValueError):
        raise InvalidInput(
            field, "应为 0 到 100 之间的数字 / must be a number from 0 to 100"
        ) from None
    if number != number or not 0 <= number <= MAX_POINTS:  # NaN, negative, too many
        raise InvalidInput(field, "应为 0 到 100 之间的数字 / must be a number from 0 to 100")
    return round(number, 1)


def yuan(value: Decimal | float | int | str | None, field: str = "amount") -> Decimal:
    """An amount in yuan (元), to the fen: 0 to one million."""
    try:
        text = str(value).strip().replace(",", "").lstrip("¥") if value is not None else ""
        amount = Decimal(text or "0")
    except InvalidOperation:
        raise InvalidInput(
            field, "应为金额（元），例如 500 或 500.00 / must be an amount in yuan"
        ) from None
    if not amount.is_finite() or not Decimal(0) <= amount <= MAX_AMOUNT:
        raise InvalidInput(field, "金额应在 0 至 1,000,000 元之间 / must be 0 to 1,000,000 yuan")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_penalty(rule: Rule, decided: Penalty, reason: str | None) -> None:
    """A penalty other than the rule's default needs its reason written down (audit)."""
    if decided != rule.default and not (reason or "").strip():
        raise AccountabilityError("reason_required")


def lighter(new: Penalty, old: Penalty) -> bool:
    """Strictly lighter in some part and heavier in none."""
    not_heavier = new.points <= old.points and new.amount <= old.amount and new.veto <= old.veto
    return not_heavier and new != old


def penalty_after_appeal(outcome: AppealOutcome, decided: Penalty, reduced: Penalty) -> Penalty:
    """The penalty in force once the appeal is decided."""
    if outcome is AppealOutcome.UPHELD:
        return NO_PENALTY
    if outcome is AppealOutcome.DISMISSED:
        return decided
    if not lighter(reduced, decided):
        raise AccountabilityError("reduce_not_lighter")
    return reduced


def appeal_due(
    decided_at: datetime, calendar: WorkingCalendar, days: int = APPEAL_WORKING_DAYS
) -> datetime:
    """The end (local midnight) of the ``days``-th working day after the decision's day,
    by the operator's official calendar (holidays and make-up days included)."""
    zone = ZoneInfo(calendar.timezone)
    day: date = decided_at.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


@dataclass(frozen=True, slots=True)
class CountedPenalty:
    """One case's penalty as it counts for a unit's period."""

    points: float
    veto: bool
    reason: str


def with_deductions(card: Scorecard, penalties: Iterable[CountedPenalty]) -> Scorecard:
    """The scorecard after accountability: points off (never below the floor, 0) and any
    one-vote veto added to the veto reasons. ``scorecard()`` itself is left as it was, so
    a scheme's own veto rules and this adjustment read the same in every report."""
    listed = list(penalties)
    vetoes = tuple(p.reason for p in listed if p.veto)
    off = sum(p.points for p in listed)
    if vetoes or card.vetoed:
        return replace(
            card, score=VETO_FLOOR, vetoed=True, veto_reasons=(*card.veto_reasons, *vetoes)
        )
    return replace(card, score=max(VETO_FLOOR, card.score - off))
