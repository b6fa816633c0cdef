"""The user base behind per-user indicators: months averaged, regions summed, one definition."""

from __future__ import annotations

from careloop.domain.indicators.users import user_base
from tests.unit.domain.indicators.hand_made import PHONE_USERS, SUBSCRIBERS


def test_user_base_averages_months_and_sums_regions() -> None:
    base = user_base(SUBSCRIBERS)
    assert base.users == 1_000_000
    assert base.definition == PHONE_USERS
