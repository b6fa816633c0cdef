"""domain.sla.policies: which service commitment holds a complaint, and its limits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from careloop.domain.errors import InvalidInput
from careloop.domain.sla.clocks import SlaLimit
from careloop.domain.sla.policies import (
    Criteria,
    best_policy,
    check_policy_terms,
    fits,
    limit_of,
    specificity,
)

REGIONS = {"GD": "/CN/GD/", "GZ": "/CN/GD/GZ/"}
BILL_DISPUTE_IN_GUANGZHOU = Criteria(
    category="billing.dispute",
    channel="hotline",
    tier="standard",
    region_path="/CN/GD/GZ/TH/",
    escalated=False,
    priority="normal",
)


@dataclass(frozen=True)
class Policy:
    id: int
    rank: int = 0
    match_category: str | None = None
    match_channel: str | None = None
    match_tier: str | None = None
    match_region: str | None = None
    match_escalated: bool | None = None
    match_priority: str | None = None
    match_repeat: bool | None = None
    match_area: str | None = None
    limits: dict[str, Any] | None = None


def test_a_policy_naming_nothing_holds_every_complaint() -> None:
    assert fits(Policy(1), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)


def test_a_first_level_category_matches_every_complaint_filed_under_it() -> None:
    assert fits(Policy(1, match_category="billing"), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert fits(Policy(1, match_category="billing.dispute"), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert not fits(Policy(1, match_category="network"), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)


def test_a_region_matches_its_whole_subtree_and_an_unknown_region_nothing() -> None:
    assert fits(Policy(1, match_region="GD"), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert not fits(Policy(1, match_region="SZ"), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)


def test_every_criterion_a_policy_names_must_agree() -> None:
    escalated_only = Policy(1, match_channel="hotline", match_escalated=True)

    assert not fits(escalated_only, BILL_DISPUTE_IN_GUANGZHOU, REGIONS)


def test_repeat_and_area_terms_hold_only_the_complaints_they_name() -> None:
    repeats = Policy(1, match_repeat=True)
    rural = Policy(2, match_area="rural")
    rural_repeat = replace(BILL_DISPUTE_IN_GUANGZHOU, repeat=True, area="rural")

    assert not fits(repeats, BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert fits(repeats, rural_repeat, REGIONS)
    assert fits(Policy(3, match_repeat=False), BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert not fits(rural, BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert fits(rural, rural_repeat, REGIONS)
    assert specificity(Policy(4, match_repeat=True, match_area="urban")) == 2


def test_highest_rank_wins_then_the_most_specific_then_the_oldest() -> None:
    broad_high = Policy(5, rank=2)
    specific = Policy(3, match_category="billing", match_region="GZ")
    older_specific = Policy(2, match_channel="hotline", match_tier="standard")

    assert best_policy([specific, broad_high], BILL_DISPUTE_IN_GUANGZHOU, REGIONS) is broad_high
    assert best_policy([Policy(1), specific], BILL_DISPUTE_IN_GUANGZHOU, REGIONS) is specific
    assert specificity(specific) == specificity(older_specific) == 2
    chosen = best_policy([specific, older_specific], BILL_DISPUTE_IN_GUANGZHOU, REGIONS)
    assert chosen is older_specific


def test_no_fitting_policy_holds_the_complaint_to_none() -> None:
    assert best_policy([Policy(1, match_tier="vip")], BILL_DISPUTE_IN_GUANGZHOU, REGIONS) is None


def test_a_stage_limit_defaults_to_working_time() -> None:
    policy = Policy(
        1, limits={"reply": {"minutes": 480}, "callback": {"minutes": 60, "basis": "calendar"}}
    )

    assert limit_of(policy, "reply") == SlaLimit(480, "working")
    assert limit_of(policy, "callback") == SlaLimit(60, "calendar")


def test_a_stage_without_a_limit_and_no_policy_have_no_limit() -> None:
    assert limit_of(Policy(1, limits={"reply": {"minutes": 480}}), "acceptance") is None
    assert limit_of(Policy(1), "reply") is None
    assert limit_of(None, "reply") is None


@dataclass(frozen=True)
class Terms:
    limits: dict[str, Any] = field(default_factory=lambda: {"reply": {"minutes": 480}})
    match_category: str | None = None
    match_channel: str | None = None
    match_tier: str | None = None
    match_priority: str | None = None
    match_area: str | None = None
    warn_share: float = 0.8
    timezone: str = "Asia/Shanghai"
    hours: dict[str, list[list[str]]] | None = None
    escalation: list[dict[str, Any]] = field(default_factory=list)
    reminder_channel: str = "sms"


def refused_field(terms: Terms) -> str | None:
    try:
        check_policy_terms(terms)
    except InvalidInput as exc:
        return exc.field
    return None


def test_a_commitment_with_a_limit_known_values_and_an_escalation_path_is_accepted() -> None:
    terms = Terms(
        match_category="billing",
        match_channel="hotline",
        escalation=[{"to": "unit_lead", "level": 1, "after_minutes": 0, "channel": "sms"}],
        hours={"0": [["08:30", "17:30"]]},
    )

    assert refused_field(terms) is None


def test_a_commitment_the_clocks_could_not_keep_is_refused_naming_the_field() -> None:
    assert refused_field(Terms(limits={})) == "limits"
    assert refused_field(Terms(limits={"lunch": {"minutes": 30}})) == "limits"
    assert refused_field(Terms(limits={"reply": {"minutes": 0}})) == "limits.reply"
    assert refused_field(Terms(limits={"reply": {"minutes": 9, "basis": "lunar"}})) == (
        "limits.reply"
    )
    assert refused_field(Terms(warn_share=1.5)) == "warn_share"
    assert refused_field(Terms(timezone="Mars/Olympus")) == "timezone"
    assert refused_field(Terms(hours={"7": [["08:30", "17:30"]]})) == "hours"
    assert refused_field(Terms(escalation=[{"to": "ceo", "level": 1}])) == "escalation"
    assert refused_field(Terms(reminder_channel="fax")) == "reminder_channel"
    assert refused_field(Terms(match_tier="platinum")) == "match_tier"
    assert refused_field(Terms(match_category="weather")) == "match_category"
