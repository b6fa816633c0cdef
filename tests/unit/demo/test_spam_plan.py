"""The demo's spam month as planned (demo/spam.py), before any database: seeded, inside the
month, busier on weekdays, and shaped so near-duplicate grouping has campaigns to find."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from careloop.demo import spam
from careloop.demo.province import build_province
from careloop.domain.spam import fingerprints as fp
from careloop.domain.spam import ports as port_rules
from careloop.services.sla.clocks import LOCAL_TIME

END = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)


def _plan(seed: int) -> list[spam.PlannedReport]:
    today = END.astimezone(LOCAL_TIME).date()
    return spam.plan_month(build_province(), random.Random(seed), today, END)


def test_the_same_seed_plans_the_same_month_and_another_seed_another() -> None:
    assert _plan(5) == _plan(5)
    assert _plan(5) != _plan(6)


def test_every_planned_report_is_in_the_month_from_a_real_mobile_of_a_known_region() -> None:
    province = build_province()
    planned = _plan(5)
    assert 800 <= len(planned) <= 3000  # a few thousand at most: the demo loads in CI
    assert all(END - timedelta(days=spam.DAYS) <= r.at < END for r in planned)
    for report in planned:
        assert province.has(report.region) and province.city_of(report.region) is not None
        parsed = port_rules.parse_number(report.reporter)
        assert parsed.kind == port_rules.POINT_TO_POINT and parsed.operator != "fixed"
        port_rules.parse_number(report.sender)  # what a 12321 row must hold


def test_weekdays_bring_more_reports_than_weekends_besides_the_bursts() -> None:
    today = END.astimezone(LOCAL_TIME).date()
    bursts = {
        (plan.code, today + timedelta(days=offset)) for plan in spam.BIG for offset in plan.days
    }
    days = Counter(
        day
        for r in _plan(5)
        if (r.campaign, day := r.at.astimezone(LOCAL_TIME).date()) not in bursts
    )
    weekday = [n for d, n in days.items() if d.weekday() < 5]
    weekend = [n for d, n in days.items() if d.weekday() >= 5]
    assert sum(weekend) / len(weekend) < sum(weekday) / len(weekday)


def test_a_campaigns_varied_copies_stay_one_campaign_and_campaigns_stay_apart() -> None:
    planned = _plan(5)
    loan = [r.text for r in planned if r.campaign == "loan"]
    fraud = next(r.text for r in planned if r.campaign == "bank_fraud")
    assert len(set(loan)) > len(loan) // 2  # numbers, links and padding differ
    first = fp.signature(loan[0])
    assert all(fp.similarity(first, fp.signature(t)) >= fp.SAME_CAMPAIGN for t in loan[1:40])
    assert fp.similarity(first, fp.signature(fraud)) < fp.SAME_CAMPAIGN
