"""services.sla: intake_terms and match_policy on reference data already loaded.

Intake loads the active policies and the calendar once per use case (``IntakeReference``);
from there, matching and the first reply deadline need no database: the unit of work here
fails the test if anything touches it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from careloop.domain.sla.clocks import SlaLimit
from careloop.domain.sla.policies import Criteria
from careloop.services.sla.calendar import CalendarData
from careloop.services.sla.calendar_seed import chinese_calendar_seed
from careloop.services.sla.clocks import IntakeReference, intake_terms
from careloop.services.sla.policies import ActivePolicies, match_policy
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import SlaPolicy

SH = ZoneInfo("Asia/Shanghai")
FIFTEEN_DAYS = SlaLimit.in_days(15, "calendar")
SEED = chinese_calendar_seed([2025])
CALENDAR = CalendarData(SEED.overrides, SEED.covered_years)
HOTLINE_BILL_DISPUTE = Criteria(
    category="billing.dispute",
    channel="hotline",
    tier="standard",
    region_path="/CN/GD/GZ/",
    escalated=False,
    priority="normal",
)


class NoDatabase:
    """A unit of work that must not be used."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the unit of work was used ({name})")


NO_DATABASE = cast(UnitOfWork, NoDatabase())


def policy(pid: int, reply_minutes: int, **match: Any) -> SlaPolicy:
    return SlaPolicy(
        id=pid,
        code=f"p{pid}",
        version=1,
        name="test",
        rank=0,
        limits={"reply": {"minutes": reply_minutes, "basis": "working"}},
        warn_share=0.8,
        timezone="Asia/Shanghai",
        hours=None,
        escalation=[],
        reminder_channel="sms",
        **match,
    )


def reference(*policies: SlaPolicy) -> IntakeReference:
    return IntakeReference(ActivePolicies(policies, {"GD": "/CN/GD/"}), CALENDAR)


def test_match_policy_picks_the_most_specific_active_policy_without_a_query() -> None:
    general, billing = policy(1, 480), policy(2, 240, match_category="billing")
    active = ActivePolicies((general, billing), {})

    assert match_policy(NO_DATABASE, HOTLINE_BILL_DISPUTE, active) is billing


def test_a_new_complaint_is_due_by_its_policy_reply_limit_in_working_time() -> None:
    # Tue Sept 30 2025 16:30 + 480 working min: 60 that evening, Oct 1–8 rest (National
    # Day), Thu Oct 9 08:30 + 420 → 15:30.
    now = datetime(2025, 9, 30, 16, 30, tzinfo=SH)
    terms = intake_terms(
        NO_DATABASE, HOTLINE_BILL_DISPUTE, now, FIFTEEN_DAYS, reference(policy(1, 480))
    )

    assert terms.policy is not None and terms.policy.id == 1
    assert terms.reply_due_at == datetime(2025, 10, 9, 15, 30, tzinfo=SH)
    assert terms.calendar is CALENDAR


def test_without_a_fitting_policy_the_fallback_days_are_counted_as_the_law_counts() -> None:
    now = datetime(2025, 9, 30, 16, 30, tzinfo=SH)
    vip_only = policy(1, 60, match_tier="vip")
    terms = intake_terms(NO_DATABASE, HOTLINE_BILL_DISPUTE, now, FIFTEEN_DAYS, reference(vip_only))

    # 15 days from the next day (10-01): the 15th, Wednesday 10-15, ends at its 24:00.
    assert terms.policy is None
    assert terms.reply_due_at == datetime(2025, 10, 16, 0, 0, tzinfo=SH)
