"""Pooling along the org tree: sum ÷ sum, never the average of rates."""

from __future__ import annotations

from datetime import date

import pytest

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.formulas import appeals_per_million, make_value
from careloop.domain.indicators.rollup import pool, roll_up
from careloop.domain.indicators.users import SubscriberCount, user_base
from tests.unit.domain.indicators.hand_made import PHONE_USERS


def test_pooled_appeals_rate_of_two_operators_is_not_the_average_of_their_rates() -> None:
    # operator X: 30 appeals, 1 000 000 users → 30 per million
    # operator Y:  5 appeals,   100 000 users → 50 per million
    # average of rates (30 + 50) ÷ 2 = 40 — wrong;
    # pooled (30 + 5) ÷ (1 000 000 + 100 000) × 10⁶ = 35 ÷ 1.1 = 31.8181…
    month = date(2025, 1, 1)
    x = appeals_per_million(30, [SubscriberCount("X", month, 1_000_000, PHONE_USERS)])
    y = appeals_per_million(5, [SubscriberCount("Y", month, 100_000, PHONE_USERS)])
    assert x.value == pytest.approx(30.0)
    assert y.value == pytest.approx(50.0)
    pooled = pool([x, y])
    assert pooled is not None
    assert pooled.value == pytest.approx(35 / 1.1)
    assert pooled.value != pytest.approx(40.0)
    both = appeals_per_million(
        35,
        [
            SubscriberCount("X", month, 1_000_000, PHONE_USERS),
            SubscriberCount("Y", month, 100_000, PHONE_USERS),
        ],
    )
    assert both.value == pytest.approx(35 / 1.1)


def test_different_user_base_definitions_refuse_to_pool() -> None:
    month = date(2025, 1, 1)
    with pytest.raises(InvalidInput):
        user_base(
            [
                SubscriberCount("X", month, 1_000, "phone users"),
                SubscriberCount("Y", month, 1_000, "phone + broadband users"),
            ]
        )
    a = appeals_per_million(1, 1_000, denominator_definition="phone users")
    b = appeals_per_million(1, 1_000, denominator_definition="phone + broadband users")
    with pytest.raises(InvalidInput):
        pool([a, b])


def test_roll_up_pools_leaves_into_every_ancestor() -> None:
    # gz 9 of 10 on time (90 %), sz 1 of 2 (50 %); province gd and group both pool
    # (9 + 1) ÷ (10 + 2) = 83.33 %, not (90 + 50) ÷ 2 = 70 %
    leaves = {
        "gz": make_value("on_time_rate", 9, 10, "stages finished", 100.0),
        "sz": make_value("on_time_rate", 1, 2, "stages finished", 100.0),
    }
    parents: dict[str, str | None] = {"gz": "gd", "sz": "gd", "gd": "group", "group": None}
    rolled = roll_up(leaves, parents)
    assert rolled["gz"].value == pytest.approx(90.0)
    assert rolled["gd"].value == pytest.approx(1000 / 12)
    assert (rolled["group"].numerator, rolled["group"].denominator) == (10, 12)


def test_roll_up_refuses_a_unit_and_a_unit_below_it() -> None:
    leaves = {
        "gz": make_value("on_time_rate", 9, 10, "stages finished", 100.0),
        "gd": make_value("on_time_rate", 1, 2, "stages finished", 100.0),
    }
    with pytest.raises(InvalidInput):
        roll_up(leaves, {"gz": "gd"})


def test_roll_up_of_a_leaf_with_no_data_keeps_no_data() -> None:
    rolled = roll_up({"gz": make_value("on_time_rate", 0, 0, "stages", 100.0)}, {"gz": "gd"})
    assert rolled["gd"].value is None
