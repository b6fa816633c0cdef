"""Enforcement rules: thresholds, severity, the case lifecycle and the port's state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.spam import enforcement as rules
from careloop.domain.spam.enforcement import CaseStatus, PortState, Severity
from careloop.domain.spam.reports import PortDayCounts

DAY = date(2026, 9, 28)


def _counts(
    reports: int, reporters: int, share: float | None = 0.9, serious: int = 0
) -> PortDayCounts:
    return PortDayCounts("10657001", DAY, reports, reporters, share, serious)


def test_a_quiet_day_opens_no_case() -> None:
    assert rules.assess(_counts(19, 19)) == rules.Verdict(False, None, ())
    assert not rules.assess(_counts(200, 9)).open  # many reports from few people


def test_a_day_over_the_thresholds_opens_a_moderate_case() -> None:
    verdict = rules.assess(_counts(20, 10))
    assert verdict == rules.Verdict(True, Severity.MODERATE, ("volume",))


def test_a_day_the_classifier_calls_mostly_ham_opens_no_case() -> None:
    assert not rules.assess(_counts(80, 40, share=0.59)).open
    assert rules.assess(_counts(80, 40, share=None)).open  # nothing classified: volume rules


def test_volume_raises_severity_to_major_and_serious() -> None:
    assert rules.assess(_counts(100, 10)).severity is Severity.MAJOR
    assert rules.assess(_counts(30, 50)).severity is Severity.MAJOR
    assert rules.assess(_counts(500, 300)).severity is Severity.SERIOUS


def test_reports_after_an_unsubscribe_raise_severity_and_alone_open_a_case() -> None:
    assert rules.assess(_counts(20, 10, serious=1)).severity is Severity.MAJOR
    alone = rules.assess(_counts(3, 3, serious=3))
    assert alone == rules.Verdict(True, Severity.MAJOR, ("serious",))
    assert rules.assess(_counts(600, 400, serious=5)).severity is Severity.SERIOUS


def test_region_thresholds_override_the_defaults_from_the_nearest_region_up() -> None:
    province = rules.thresholds_from_terms({"min_reports": 50})
    city = rules.thresholds_from_terms({"min_reporters": 2})
    by_path = {"/1/2/": province, "/1/2/4/": city}
    assert rules.thresholds_for("/1/2/4/9/", by_path) is city
    assert rules.thresholds_for("/1/2/5/", by_path) is province
    assert rules.thresholds_for("/1/3/", by_path) is rules.DEFAULT_THRESHOLDS
    assert not rules.assess(_counts(30, 20), province).open


@pytest.mark.parametrize(
    "terms",
    [
        {"min_reports": 0},
        {"min_spam_share": 1.5},
        {"min_reports": "20"},
        {"bogus": 1},
        {"min_reports": 200},  # above major_reports
    ],
)
def test_thresholds_that_cannot_be_right_are_refused_in_words(terms: dict[str, object]) -> None:
    with pytest.raises(rules.EnforcementError) as raised:
        rules.thresholds_from_terms(terms)
    assert raised.value.status == 422
    assert "阈值" in raised.value.message("zh")


def test_sanctions_need_the_right_role_and_state() -> None:
    assert rules.LIFECYCLE.apply(CaseStatus.OPEN, "warn", "handler") is CaseStatus.WARNED
    with pytest.raises(DomainError) as raised:
        rules.check_transition("suspend", CaseStatus.OPEN, "handler")
    assert raised.value.status == 403
    with pytest.raises(rules.EnforcementError) as illegal:
        rules.check_transition("warn", CaseStatus.PORT_CLOSED, "supervisor")
    assert illegal.value.status == 409
    assert "已关停端口" in illegal.value.message("zh")


def test_closed_and_resolved_cases_are_final() -> None:
    for status in rules.FINAL_STATUSES:
        assert rules.LIFECYCLE.allowed(status, "admin") == []


def test_an_appeal_is_recorded_by_staff_never_by_a_subscriber_account() -> None:
    assert rules.LIFECYCLE.apply(CaseStatus.SUSPENDED, "appeal", "agent") is CaseStatus.APPEALED
    with pytest.raises(DomainError):
        rules.LIFECYCLE.check_role("appeal", "customer")
    with pytest.raises(DomainError):
        rules.LIFECYCLE.check_role("uphold", "unit_lead")
    assert rules.LIFECYCLE.apply(CaseStatus.APPEALED, "uphold", "supervisor") is (
        CaseStatus.SUSPENDED
    )
    assert rules.LIFECYCLE.apply(CaseStatus.APPEALED, "lift", "supervisor") is CaseStatus.RESOLVED


def test_a_suspended_port_is_reinstated_after_rectification_never_resolved_away() -> None:
    """恢复端口: from suspended only, by whoever may suspend, on evidence; the port sends
    again. Resolving a suspended case would strand the port, so it is refused in words."""
    reinstate = rules.LIFECYCLE.get("reinstate")
    assert reinstate.sources == {CaseStatus.SUSPENDED}
    assert reinstate.target is CaseStatus.RESOLVED
    assert reinstate.roles == rules.SANCTION_ROLES == rules.LIFECYCLE.get("suspend").roles
    with pytest.raises(DomainError) as handler:
        rules.check_transition("reinstate", CaseStatus.SUSPENDED, "handler")
    assert handler.value.status == 403
    for status in (CaseStatus.APPEALED, CaseStatus.PORT_CLOSED, CaseStatus.WARNED):
        with pytest.raises(rules.EnforcementError) as illegal:
            rules.check_transition("reinstate", status, "admin")
        assert illegal.value.status == 409
    with pytest.raises(rules.EnforcementError):
        rules.check_evidence("reinstate", rules.Evidence(" ", ""))
    rules.check_evidence("reinstate", rules.Evidence(None, "整改报告已审核"))
    assert rules.next_port_state(PortState.SUSPENDED, "reinstate") is PortState.ACTIVE
    assert CaseStatus.SUSPENDED not in rules.LIFECYCLE.get("resolve").sources
    with pytest.raises(rules.EnforcementError) as stranded:
        rules.check_transition("resolve", CaseStatus.SUSPENDED, "handler")
    assert stranded.value.code == "illegal_enforcement_transition"
    assert "恢复端口" in stranded.value.message("zh")
    assert "reinstate" in stranded.value.message("en")
    assert rules.EVENTS["reinstate"] == rules.PORT_SANCTIONED


def test_one_appeal_per_case_and_not_judged_by_whoever_suspended() -> None:
    rules.check_appeal(0)
    with pytest.raises(rules.EnforcementError):
        rules.check_appeal(1)
    rules.check_decider("super2", "super1")
    with pytest.raises(rules.EnforcementError) as raised:
        rules.check_decider("super1", "super1")
    assert raised.value.status == 403


def test_a_closed_port_stays_closed_whatever_follows() -> None:
    assert rules.next_port_state(PortState.ACTIVE, "suspend") is PortState.SUSPENDED
    assert rules.next_port_state(PortState.SUSPENDED, "lift") is PortState.ACTIVE
    assert rules.next_port_state(PortState.WARNED, "note") is PortState.WARNED
    assert rules.next_port_state(PortState.SUSPENDED, "warn") is PortState.SUSPENDED
    closed = rules.next_port_state(PortState.SUSPENDED, "close_port")
    assert rules.is_blocked(closed)
    for action in ("warn", "lift", "reinstate", "throttle", "suspend", "close_port"):
        with pytest.raises(rules.EnforcementError) as raised:
            rules.next_port_state(closed, action)
        assert raised.value.code == "port_closed"


def test_a_sanction_without_evidence_is_refused() -> None:
    with pytest.raises(rules.EnforcementError) as raised:
        rules.check_evidence("suspend", rules.Evidence(" ", None))
    assert raised.value.code == "enforcement_evidence_required"
    rules.check_evidence("suspend", rules.Evidence("file://shot.png"))
    rules.check_evidence("note", rules.Evidence())


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("106 5700-1234", "10657001234"), ("+8613800000000", "13800000000"), ("1069", "1069")],
)
def test_port_numbers_are_normalised(raw: str, stored: str) -> None:
    assert rules.normalise_port(raw) == stored


@pytest.mark.parametrize("raw", ["", "12", "abc123", "１０６５７", "1" * 33])
def test_what_is_not_a_port_number_is_refused(raw: str) -> None:
    with pytest.raises(rules.EnforcementError):
        rules.normalise_port(raw)


def test_the_owner_is_the_regions_network_department_else_quality_else_the_region() -> None:
    city = rules.UnitRef(4, "city", "/1/2/4/")
    net = rules.UnitRef(9, "department", "/1/2/4/9/", "network")
    qa = rules.UnitRef(8, "department", "/1/2/4/8/", "quality")
    county_net = rules.UnitRef(12, "department", "/1/2/4/11/12/", "network")
    assert rules.owner_unit(city, [city, qa, net, county_net]) == net
    assert rules.owner_unit(city, [city, qa, county_net]) == qa
    assert rules.owner_unit(city, [city, county_net]) == city


def test_a_serious_case_has_24_hours_a_moderate_one_three_working_days() -> None:
    assert rules.limit_for(Severity.SERIOUS).minutes == 24 * 60
    assert rules.limit_for(Severity.MODERATE).days == 3
    assert rules.worse("major", "moderate") is Severity.MAJOR


def test_every_action_on_the_trail_has_words_in_both_languages() -> None:
    names = [*rules.LIFECYCLE.names, *rules.ACTION_LABELS]
    for name in names:
        assert rules.action_label(name, "zh") != name
        assert rules.action_label(name, "en")


def test_the_clock_stops_at_the_first_sanction() -> None:
    from careloop.domain.sla.calendar import WorkingCalendar

    opened = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
    handled = datetime(2026, 9, 28, 20, 0, tzinfo=UTC)
    state = rules.clock(
        opened,
        rules.limit_for(Severity.SERIOUS),
        WorkingCalendar(),
        datetime(2026, 10, 5, tzinfo=UTC),
        handled_at=handled,
    )
    assert state.state == "met"


def test_a_port_reported_from_two_counties_is_their_citys() -> None:
    assert rules.common_region(["/1/2/4/7/", "/1/2/4/9/"]) == "/1/2/4/"
    assert rules.common_region(["/1/2/4/7/", "/1/2/5/"]) == "/1/2/"
    assert rules.common_region(["/1/2/4/7/"]) == "/1/2/4/7/"
    assert rules.common_region([]) is None
