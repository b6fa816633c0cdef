"""Rectification rules without a database: the lifecycle table, evidence, deadlines on the
business calendar and escalation, with time given, never read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.sla.calendar import DayOverride, WorkingCalendar
from careloop.domain.supervision import rectification as rules

MONDAY = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def calendar() -> WorkingCalendar:
    """National Day 2026: 10-01 to 10-07 off, Saturday 10-10 worked (调休)."""
    days = [DayOverride(date(2026, 10, d), "holiday", "国庆节") for d in range(1, 8)]
    days.append(DayOverride(date(2026, 10, 10), "workday", "国庆节调休"))
    return WorkingCalendar.from_overrides(days, covered_years=[2026])


def test_a_store_finding_is_due_at_the_end_of_the_fifth_working_day():
    due = rules.deadline(MONDAY, rules.DEFAULT_POLICIES["inspection"], calendar())
    assert due == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)  # 10-10 24:00 Beijing


def test_a_failed_dial_test_gets_two_working_days():
    due = rules.deadline(MONDAY, rules.DEFAULT_POLICIES["dial_test"], calendar())
    assert due == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)


def test_a_policy_is_read_in_the_sla_engines_terms():
    policy = rules.policy_from_terms("complaint", {"count": "working_days", "days": 1})
    assert rules.deadline(MONDAY, policy, calendar()) == datetime(2026, 9, 29, 16, 0, tzinfo=UTC)
    with pytest.raises(DomainError) as bad:
        rules.policy_from_terms("complaint", {"count": "fortnights", "days": 1})
    assert bad.value.status == 422
    with pytest.raises(DomainError) as unknown:
        rules.policy_from_terms("horoscope", {"count": "working_days", "days": 1})
    assert "检查发现问题" in unknown.value.message("zh")


def test_evidence_is_a_reference_or_a_written_account():
    rules.check_evidence(rules.Evidence(ref="photo://1.jpg"))
    rules.check_evidence(rules.Evidence(text="已整改"))
    with pytest.raises(DomainError) as refused:
        rules.check_evidence(rules.Evidence(ref=" ", text="\n"))
    assert refused.value.code == "rectification_evidence_required"
    assert "没有整改佐证材料" in refused.value.message("zh")
    assert "without evidence" in refused.value.message("en")


def test_only_the_quality_centre_re_inspects():
    rules.check_transition("confirm", "submitted", "supervisor")
    with pytest.raises(DomainError) as own:
        rules.check_transition("confirm", "submitted", "unit_lead")
    assert own.value.code == "role_not_allowed"


def test_a_closed_task_cannot_be_submitted_again_and_says_so_in_words():
    with pytest.raises(DomainError) as closed:
        rules.check_transition("submit", "closed", "handler")
    assert closed.value.status == 409
    assert closed.value.message("zh") == "整改任务当前状态为「已销号」，不能执行「提交复查」"


def test_a_failed_re_inspection_leads_back_to_the_unit():
    lifecycle = rules.RECTIFICATION_LIFECYCLE
    assert lifecycle.apply("submitted", "fail", "supervisor") == "reopened"
    assert [t.name for t in lifecycle.allowed("reopened", "handler")] == ["start", "submit", "note"]


def test_escalation_is_due_only_once_the_deadline_has_passed():
    policy = rules.DEFAULT_POLICIES["dial_test"]
    cal = calendar()
    due = rules.deadline(MONDAY, policy, cal)
    steps = list(policy.escalation)
    before = rules.clock(MONDAY, policy.limit, cal, due)
    after = rules.clock(MONDAY, policy.limit, cal, due + timedelta(minutes=1))
    assert rules.escalations_due(before, frozenset(), steps) == []
    assert rules.escalations_due(after, frozenset(), steps) == ["escalation:1"]
    assert rules.escalations_due(after, frozenset({"escalation:1"}), steps) == []


def test_a_submitted_task_stops_its_clock():
    policy = rules.DEFAULT_POLICIES["dial_test"]
    state = rules.clock(
        MONDAY, policy.limit, calendar(), MONDAY + timedelta(days=9),
        submitted_at=MONDAY + timedelta(hours=2),
    )  # fmt: skip
    assert state.state == "met"
    assert rules.escalations_due(state, frozenset(), list(policy.escalation)) == []


def test_time_left_and_overdue_read_as_words():
    due = MONDAY + timedelta(days=2, hours=3)
    assert rules.remaining_words(due, MONDAY, "zh") == "剩余 2天3小时"
    assert rules.remaining_words(MONDAY, due, "zh") == "超时 2天3小时"
    assert rules.remaining_words(due, MONDAY, "en") == "2 d 3 h left"
    assert rules.remaining_words(due, MONDAY, "zh", submitted_late=True) == "超时提交"


def test_the_permission_table_says_what_the_lifecycle_enforces():
    from careloop.domain.permissions import PERMISSIONS
    from careloop.domain.supervision import social_supervisors

    lifecycle = rules.RECTIFICATION_LIFECYCLE
    assert PERMISSIONS["rectification.open"] == rules.OPENER_ROLES - {"system"}
    assert PERMISSIONS["rectification.reinspect"] == lifecycle.get("confirm").roles
    assert PERMISSIONS["rectification.reinspect"] == lifecycle.get("fail").roles
    assert PERMISSIONS["social_supervisor.manage"] == social_supervisors.REGISTRY_ROLES
    assert PERMISSIONS["social_supervision.record"] == social_supervisors.RECORD_ROLES
