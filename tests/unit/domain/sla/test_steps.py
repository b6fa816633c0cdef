"""The work-step rules: which steps a dispatch opens, from when, how a step is judged, and
which seeded commitment holds which complaint (domain.sla.steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.lifecycle.tickets import WORK_ORDER_LIFECYCLE
from careloop.domain.sla.clocks import SlaLimit
from careloop.domain.sla.policies import STAGES, Criteria, best_policy, check_policy_terms, limit_of
from careloop.domain.sla.steps import (
    COMMITMENTS,
    STEP_KINDS,
    STEP_TRANSITIONS,
    check_done_at,
    check_given_times,
    judge,
    plan_steps,
)

DISPATCH = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
ALL = {kind: SlaLimit(60, "calendar") for kind in STEP_KINDS}


def test_a_dispatch_opens_one_step_per_step_the_policy_limits_in_order():
    planned = plan_steps(
        {"installation": ALL["installation"], "feasibility": ALL["feasibility"]}, DISPATCH
    )
    assert [(p.kind, p.anchor, p.started_at) for p in planned] == [
        ("feasibility", "dispatch", DISPATCH),
        ("installation", "dispatch", DISPATCH),
    ]


def test_no_appointment_means_no_arrival_step_and_an_appointment_starts_it():
    assert [p.kind for p in plan_steps(ALL, DISPATCH)] == ["feasibility", "restore", "installation"]
    visit = DISPATCH + timedelta(hours=3)
    arrival = next(
        p for p in plan_steps(ALL, DISPATCH, appointment_at=visit) if p.kind == "arrival"
    )
    assert (arrival.anchor, arrival.started_at) == ("appointment", visit)


def test_restore_and_installation_count_from_the_payment_when_one_is_given():
    paid = DISPATCH - timedelta(days=1)
    planned = {p.kind: p for p in plan_steps(ALL, DISPATCH, paid_at=paid)}
    assert planned["restore"].started_at == paid and planned["restore"].anchor == "payment"
    assert planned["installation"].started_at == paid
    assert planned["feasibility"].started_at == DISPATCH


@pytest.mark.parametrize(
    ("done", "now", "expected"),
    [
        (None, DISPATCH, "open"),
        (None, DISPATCH + timedelta(minutes=30), "open"),  # due instant itself: not yet late
        (None, DISPATCH + timedelta(minutes=30, seconds=1), "overdue"),
        (DISPATCH + timedelta(minutes=30), DISPATCH + timedelta(days=1), "on_time"),
        (DISPATCH + timedelta(minutes=30, seconds=1), DISPATCH + timedelta(days=1), "late"),
    ],
)
def test_a_step_is_on_time_up_to_its_due_instant_and_late_a_second_after(done, now, expected):
    assert judge(DISPATCH + timedelta(minutes=30), done, now) == expected


def test_a_cancelled_step_stays_cancelled_whatever_the_time():
    assert judge(DISPATCH, None, DISPATCH + timedelta(days=9), cancelled=True) == "cancelled"


def test_times_a_dispatcher_gives_must_be_plausible():
    check_given_times(DISPATCH, DISPATCH - timedelta(hours=2), DISPATCH - timedelta(days=59))
    with pytest.raises(DomainError) as stale:
        check_given_times(DISPATCH, DISPATCH - timedelta(days=2), None)
    assert stale.value.field == "appointment_at"
    with pytest.raises(DomainError) as future:
        check_given_times(DISPATCH, None, DISPATCH + timedelta(minutes=1))
    assert future.value.field == "paid_at"


def test_a_step_cannot_be_done_in_the_future_or_before_the_dispatch():
    now = DISPATCH + timedelta(hours=1)
    assert check_done_at("arrived_at", now, DISPATCH, now) == now
    for when in (now + timedelta(seconds=1), DISPATCH - timedelta(seconds=1)):
        with pytest.raises(DomainError):
            check_done_at("arrived_at", when, DISPATCH, now)


def test_every_step_is_a_policy_stage_and_has_a_work_order_transition_or_completion():
    assert set(STEP_KINDS) <= set(STAGES)
    recorded = set(STEP_TRANSITIONS.values()) | {"installation"}
    assert recorded == set(STEP_KINDS)
    for name in STEP_TRANSITIONS:
        transition = WORK_ORDER_LIFECYCLE.get(name)
        assert transition.target is None  # a step keeps the order's status


@dataclass
class _Policy:
    id: int
    code: str
    rank: int
    limits: dict
    match_category: str | None = None
    match_tier: str | None = None
    match_area: str | None = None
    match_channel: str | None = None
    match_region: str | None = None
    match_escalated: bool | None = None
    match_priority: str | None = None
    match_repeat: bool | None = None
    warn_share: float = 0.8
    timezone: str = "Asia/Shanghai"
    hours: dict | None = None
    escalation: tuple = ()
    reminder_channel: str = "sms"


POLICIES = [
    _Policy(0, "default", 0, {"reply": {"minutes": 21600, "basis": "calendar"}}),
    _Policy(1, "escalated", 100, {"reply": {"minutes": 2880}}, match_escalated=True),
    *(
        _Policy(
            i + 10,
            c.code,
            c.rank,
            dict(c.limits),
            match_category=c.match_category,
            match_tier=c.match_tier,
            match_area=c.match_area,
        )
        for i, c in enumerate(COMMITMENTS)
    ),
]


def _held(category: str, tier: str = "standard", area: str | None = None, escalated=False):
    criteria = Criteria(category, "hotline", tier, "/1/2/3/", escalated, "normal", area=area)
    return best_policy(POLICIES, criteria, {})


@pytest.mark.parametrize(
    ("category", "tier", "area", "code", "restore_hours"),
    [
        ("broadband.outage", "standard", "urban", "repair_urban", 48),
        ("broadband.outage", "standard", "rural", "repair_rural", 72),
        ("broadband.speed", "gold", None, "repair", 48),
        ("broadband.outage", "enterprise", "rural", "enterprise_repair", 48),
        ("billing.dispute", "standard", None, "restore_after_payment", 48),
    ],
)
def test_the_seeded_commitments_pick_the_restore_limit_by_area_and_tier(
    category, tier, area, code, restore_hours
):
    policy = _held(category, tier, area)
    assert policy is not None and policy.code == code
    assert limit_of(policy, "restore") == SlaLimit(restore_hours * 60, "calendar")


def test_installation_business_and_escalated_complaints_get_their_own_commitment():
    install = _held("installation.new_line")
    assert install.code == "installation"
    assert limit_of(install, "feasibility") == SlaLimit(24 * 60, "calendar")
    assert limit_of(install, "installation") == SlaLimit.in_days(15, "calendar")
    assert limit_of(install, "reply") == SlaLimit.in_days(15, "calendar")
    business = _held("marketing.misleading", "enterprise")
    assert business.code == "enterprise_first_response"
    assert limit_of(business, "first_contact") == SlaLimit(180, "calendar")
    assert limit_of(_held("broadband.outage", "enterprise"), "arrival") == SlaLimit(30, "calendar")
    # An escalation's short limits win over any commitment.
    assert _held("broadband.outage", area="rural", escalated=True).code == "escalated"


def test_every_seeded_commitment_passes_the_policy_checks():
    for policy in POLICIES[2:]:
        check_policy_terms(policy)
