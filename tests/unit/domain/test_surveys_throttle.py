"""The survey throttle (DOMAIN.md §6), with time moved by hand: opt-out, the quiet period
per number, the night window, the daily cap, and the link's expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from careloop.domain.surveys import (
    DEFAULT_RULE,
    SendingRule,
    decide,
    local_day_bounds,
    rule_for,
)
from careloop.notify.quiet_hours import QuietHours

# 2026-11-27 10:00 Beijing time = 02:00 UTC: daytime.
DAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
NIGHT = QuietHours()


def beijing(hour: int, minute: int = 0, day: int = 27) -> datetime:
    """An instant given in Beijing time (UTC+8)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def verdict(now: datetime = DAY, rule: SendingRule = DEFAULT_RULE, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"opted_out": False, "last_sent_at": None, "sent_today": 0}
    args.update(kw)
    return decide(now=now, rule=rule, quiet=NIGHT, **args)  # type: ignore[arg-type]


def test_a_survey_due_in_the_daytime_is_sent_with_a_link_open_seven_days() -> None:
    d = verdict()
    assert (d.outcome, d.reason, d.at) == ("send", "sent", DAY)
    assert d.expires_at == DAY + timedelta(days=7)
    assert "2026-12-04 10:00" in d.describe("zh")


def test_an_opted_out_number_is_never_surveyed() -> None:
    d = verdict(opted_out=True)
    assert (d.outcome, d.reason) == ("skip", "opted_out")
    assert d.describe("zh") == "跳过：客户已退订调查"


def test_survey_is_not_sent_twice_within_the_quiet_period() -> None:
    d = verdict(last_sent_at=DAY - timedelta(days=12))
    assert (d.outcome, d.reason) == ("skip", "recently_surveyed")
    assert d.describe("zh") == "跳过：12 天前已调查过"
    assert d.describe("en") == "Skipped: surveyed 12 day(s) ago"


def test_the_quiet_period_ends_exactly_n_days_after_the_last_survey() -> None:
    assert verdict(last_sent_at=DAY - timedelta(days=30)).outcome == "send"
    just_inside = verdict(last_sent_at=DAY - timedelta(days=30) + timedelta(seconds=1))
    assert (just_inside.outcome, just_inside.params["days"]) == ("skip", 29)


def test_a_quiet_period_of_zero_days_lets_every_survey_through() -> None:
    rule = SendingRule(quiet_days=0)
    assert verdict(rule=rule, last_sent_at=DAY).outcome == "send"


@pytest.mark.parametrize(
    ("now", "morning"),
    [
        (beijing(21, 0), beijing(8, 0, day=28)),  # the night starts at 21:00 sharp
        (beijing(23, 59), beijing(8, 0, day=28)),
        (beijing(0, 0, day=28), beijing(8, 0, day=28)),  # after midnight: the same morning
        (beijing(7, 59, day=28), beijing(8, 0, day=28)),
    ],
)
def test_a_survey_due_at_night_is_scheduled_for_the_morning_not_dropped(
    now: datetime, morning: datetime
) -> None:
    d = verdict(now=now)
    assert (d.outcome, d.reason, d.at) == ("schedule", "night", morning)
    assert d.describe("zh") == "夜间免打扰，改于 08:00（北京时间）发送"


@pytest.mark.parametrize("now", [beijing(8, 0), beijing(20, 59)])
def test_the_night_window_edges_08_00_and_20_59_are_daytime(now: datetime) -> None:
    assert verdict(now=now).outcome == "send"


def test_a_regions_own_night_window_is_used() -> None:
    """The sender hands the throttle the rule's window (services.surveys.sending)."""
    rule = SendingRule(night_start=time(20), night_end=time(9))
    window = QuietHours(rule.night_start, rule.night_end)
    d = decide(
        now=beijing(20, 30), rule=rule, opted_out=False, last_sent_at=None, sent_today=0,
        quiet=window,
    )  # fmt: skip
    assert (d.outcome, d.at) == ("schedule", beijing(9, 0, day=28))


def test_the_daily_cap_stops_sending_once_reached() -> None:
    rule = SendingRule(daily_cap=200)
    assert verdict(rule=rule, sent_today=199).outcome == "send"
    d = verdict(rule=rule, sent_today=200)
    assert (d.outcome, d.reason) == ("skip", "daily_cap")
    assert d.describe("zh") == "跳过：今日发送已达上限 200 条"


def test_a_night_survey_is_not_counted_against_the_cap_until_morning() -> None:
    rule = SendingRule(daily_cap=1)
    assert verdict(now=beijing(22, 0), rule=rule, sent_today=5).outcome == "schedule"


def test_opt_out_wins_over_every_other_reason() -> None:
    d = verdict(now=beijing(22, 0), opted_out=True, last_sent_at=DAY, sent_today=10**6)
    assert d.reason == "opted_out"


def test_a_switched_off_region_sends_nothing() -> None:
    assert verdict(rule=SendingRule(enabled=False)).reason == "disabled"


def test_the_link_expires_after_the_rules_days() -> None:
    d = verdict(rule=SendingRule(link_days=3))
    assert d.expires_at == DAY + timedelta(days=3)


def test_the_cap_counts_a_beijing_day_not_a_utc_day() -> None:
    start, end = local_day_bounds(beijing(0, 30))
    assert (start, end) == (beijing(0, 0), beijing(0, 0, day=28))


def test_the_nearest_regional_rule_wins_over_the_global_one() -> None:
    city, county, world = SendingRule(daily_cap=10), SendingRule(daily_cap=5), SendingRule()
    rules = {None: world, "/1/2/": city, "/1/2/3/": county}
    assert rule_for("/1/2/3/4/", rules) == ("/1/2/3/", county)
    assert rule_for("/1/2/9/", rules) == ("/1/2/", city)
    assert rule_for("/7/", rules) == (None, world)
    assert rule_for("/7/", {}) == (None, DEFAULT_RULE)
