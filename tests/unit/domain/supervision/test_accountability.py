"""Accountability rules: the case lifecycle, penalties, appeals and the scorecard effect."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.indicators.scorecards import Scorecard
from careloop.domain.sla.calendar import DayOverride, WorkingCalendar
from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import (
    AppealOutcome,
    CountedPenalty,
    Penalty,
)

DECIDED = Penalty(10.0, Decimal("2000.00"), veto=False)


def test_only_a_supervisor_decides_and_only_an_open_case() -> None:
    assert rules.LIFECYCLE.apply("open", "decide", "supervisor") == "decided"
    with pytest.raises(DomainError) as handler:
        rules.LIFECYCLE.check("open", "decide", "handler")
    with pytest.raises(DomainError) as twice:
        rules.LIFECYCLE.check("decided", "decide", "supervisor")
    assert handler.value.status == 403 and twice.value.code == "illegal_case_transition"


def test_the_appeal_runs_decided_then_appealed_then_final() -> None:
    status = rules.LIFECYCLE.apply("decided", "appeal", "agent")
    assert status == "appealed"
    assert rules.LIFECYCLE.apply(status, "decide_appeal", "supervisor") == "final"
    assert [t.name for t in rules.LIFECYCLE.allowed("final", "supervisor")] == []


def test_a_penalty_other_than_the_default_needs_a_reason() -> None:
    rule = rules.DEFAULT_RULES["reply_overdue"]
    rules.check_penalty(rule, rule.default, None)
    rules.check_penalty(rule, DECIDED, "屡次超时")
    with pytest.raises(DomainError) as refused:
        rules.check_penalty(rule, DECIDED, "  ")
    assert "调整原因" in refused.value.message("zh")


def test_amounts_are_read_as_yuan_to_the_fen_and_bounded() -> None:
    assert rules.yuan("¥1,000.005") == Decimal("1000.01")
    assert (rules.points("2.5"), rules.points(""), rules.points(None)) == (2.5, 0.0, 0.0)
    for bad in ("-1", "abc", "NaN", "2000000"):
        with pytest.raises(DomainError):
            rules.yuan(bad)
    with pytest.raises(DomainError):
        rules.points("101")


def test_an_upheld_appeal_withdraws_the_penalty_a_dismissed_one_keeps_it() -> None:
    assert rules.penalty_after_appeal(AppealOutcome.UPHELD, DECIDED, DECIDED) == rules.NO_PENALTY
    assert rules.penalty_after_appeal(AppealOutcome.DISMISSED, DECIDED, DECIDED) == DECIDED
    lighter = Penalty(5.0, Decimal("1000.00"))
    assert rules.penalty_after_appeal(AppealOutcome.REDUCED, DECIDED, lighter) == lighter


def test_a_reduced_penalty_must_be_lighter() -> None:
    heavier = Penalty(5.0, Decimal("1000.00"), veto=True)
    with pytest.raises(DomainError):
        rules.penalty_after_appeal(AppealOutcome.REDUCED, DECIDED, heavier)
    with pytest.raises(DomainError):
        rules.penalty_after_appeal(AppealOutcome.REDUCED, DECIDED, DECIDED)


def test_the_appeal_period_counts_working_days_over_a_holiday() -> None:
    # Decided on Monday 28 Sep 2026; 1–7 October is the National Day holiday.
    holidays = [DayOverride(date(2026, 10, d), "holiday", "国庆节") for d in range(1, 8)]
    calendar = WorkingCalendar.from_overrides(holidays)
    decided = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
    due = rules.appeal_due(decided, calendar, days=5)
    # 29, 30 Sep, then 8, 9 Oct (Thu, Fri) and Mon 12 Oct: due at the end of the 12th.
    assert due.astimezone(calendar.zone).date() == date(2026, 10, 13)
    assert (due.hour, due.minute) == (0, 0)


def test_deductions_take_points_off_but_never_below_zero() -> None:
    card = Scorecard(score=30.0, items=())
    assert rules.with_deductions(card, [CountedPenalty(10, False, "a")]).score == 20.0
    floored = rules.with_deductions(
        card, [CountedPenalty(20, False, "a"), CountedPenalty(15, False, "b")]
    )
    assert floored.score == 0.0 and not floored.vetoed


def test_a_veto_penalty_zeroes_the_score_and_says_why() -> None:
    card = Scorecard(score=92.0, items=(), vetoed=True, veto_reasons=("百万用户申诉率超标",))
    vetoed = rules.with_deductions(
        Scorecard(score=92.0, items=()), [CountedPenalty(0, True, "责任认定 ZR1 一票否决")]
    )
    assert (
        vetoed.vetoed and vetoed.score == 0.0 and vetoed.veto_reasons == ("责任认定 ZR1 一票否决",)
    )
    both = rules.with_deductions(card, [CountedPenalty(0, True, "ZR2")])
    assert both.veto_reasons == ("百万用户申诉率超标", "ZR2")


def test_a_rule_the_operator_stored_wins_over_the_seed() -> None:
    mine = rules.Rule("reply_overdue", "超时未答复", "Late", Penalty(4.0, Decimal("400.00")))
    catalogue = rules.rules_in_force([mine])
    assert catalogue["reply_overdue"].default.points == 4.0
    assert list(catalogue)[: len(rules.DEFAULT_RULES)] == list(rules.DEFAULT_RULES)
    retired = rules.Rule("service_attitude", "服务态度", "Attitude", Penalty(), active=False)
    with pytest.raises(DomainError):
        rules.rule_for(rules.rules_in_force([retired]), "service_attitude")
