"""Whom intake tells of a repeat, and on which channel: no database needed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from careloop.domain.repeats import escalate
from careloop.services.complaints.intake import NewComplaint
from careloop.services.complaints.repeat_escalation import LeadBook, escalated_draft, plan

COUNTY, CITY, HOTLINE = "/1/2/4/17/", "/1/2/4/", "/1/2/4/9/"


def test_the_city_lead_answers_for_a_county_without_one_and_the_hotline_lead_is_told_too():
    book = LeadBook({4: ["lead_city"], 9: ["lead_hotline"]})
    assert book.recipients(COUNTY, HOTLINE, "C1-K1") == ("staff:lead_city", "staff:lead_hotline")


def test_one_lead_for_region_and_owner_unit_is_told_once():
    assert LeadBook({4: ["lead_city"]}).recipients(COUNTY, CITY, "C1-K1") == ("staff:lead_city",)


def test_without_any_lead_the_region_unit_itself_is_told():
    assert LeadBook({}).recipients(COUNTY, HOTLINE, "C1-K1") == ("unit:C1-K1",)


def test_the_plan_uses_the_policys_channel_to_the_unit_lead_and_its_zone():
    policy = SimpleNamespace(
        escalation=[{"level": 1, "to": "unit_lead", "channel": "sms"}], timezone="Asia/Urumqi"
    )
    chosen = plan(escalate("high"), ("staff:lead1",), cast(Any, policy))
    assert (chosen.channel, chosen.timezone) == ("sms", "Asia/Urumqi")
    default = plan(escalate("high"), ("staff:lead1",), None)
    assert (default.channel, default.timezone) == ("email", "Asia/Shanghai")


def test_the_escalated_draft_carries_the_raised_priority_and_nothing_else_changes():
    draft = NewComplaint("hotline", "13812345678", "broadband.speed", "网速慢", "C1-K1")
    raised, escalation = escalated_draft(draft)
    assert (raised.priority, escalation.priority_before) == ("high", "normal")
    assert raised.customer_phone == draft.customer_phone and raised.category == draft.category
