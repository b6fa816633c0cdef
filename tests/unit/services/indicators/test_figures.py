"""The figures the reports print are the domain's formulas over the counts the store gives.

No database: the counts per unit (what ``tallies`` reads with GROUP BY) are written by hand,
and each org node's figure is checked against ``domain.indicators.formulas`` over the sum of
the counts below it — the one formula, not a second copy in the services.
"""

from __future__ import annotations

import pytest

from careloop.domain.indicators import formulas
from careloop.domain.indicators.formulas import IndicatorCounts
from careloop.domain.indicators.users import UserBase
from careloop.services.indicators.figures import node_values
from careloop.services.indicators.org_tree import Node, OrgTree

# P (province, id 1) → C1 (city, id 2) → C1-K1 (county, id 4); P → C2 (city, id 3)
TREE = OrgTree(
    {
        1: Node(1, "P", "省", "Province", "province", "/1/", None),
        2: Node(2, "C1", "市一", "City 1", "city", "/1/2/", 1),
        3: Node(3, "C2", "市二", "City 2", "city", "/1/3/", 1),
        4: Node(4, "C1-K1", "县一", "County 1", "county", "/1/2/4/", 2),
    }
)
LEAVES = {
    # a complaint's region may be a city as well as a county: C1 has counts of its own
    2: IndicatorCounts(complaints=2, escalated=1, stages=2, stages_on_time=2, closed=1,
                       resolved_first_time=1, callbacks=1, callbacks_satisfied=1),
    4: IndicatorCounts(complaints=5, escalated=0, appeals=1, repeats=1, stages=8, stages_on_time=5,
                       handled=3, handle_hours=7.5, closed=4, resolved_first_time=2),
    3: IndicatorCounts(complaints=3, escalated=2, appeals=1, stages=0, callbacks=2,
                       callbacks_satisfied=0),
}  # fmt: skip
USERS = UserBase(500_000, "phone + broadband users")


def test_a_node_s_figures_are_the_formulas_over_the_counts_below_it() -> None:
    total, values = node_values(TREE, TREE.nodes[1], LEAVES, USERS)
    assert total.complaints == 10 and total.stages == 10 and total.stages_on_time == 7
    assert values == formulas.indicator_values(total, USERS)
    assert values["on_time_rate"] == formulas.on_time_rate(on_time=7, finished=10)
    assert values["escalated_rate"] == formulas.escalated_rate(escalated=3, complaints=10)
    assert values["appeals_per_million"] == formulas.appeals_per_million(2, USERS)


def test_a_city_counts_its_own_complaints_and_its_counties_but_not_its_neighbours() -> None:
    total, values = node_values(TREE, TREE.nodes[2], LEAVES, USERS)
    assert total.complaints == 7  # C1's own 2 + C1-K1's 5; C2's 3 are not below C1
    assert values["first_contact_resolution"] == formulas.first_contact_resolution(
        resolved=3, closed=5
    )
    assert values["average_handle_time"] == formulas.average_handle_time(hours=7.5, stages=3)


def test_a_node_with_nothing_finished_reports_no_data_rather_than_zero() -> None:
    _, values = node_values(TREE, TREE.nodes[3], LEAVES, USERS)
    assert values["on_time_rate"].value is None
    assert values["callback_satisfaction"].value == pytest.approx(0.0)  # a real zero


def test_pooling_is_sum_over_sum_not_the_average_of_the_units_rates() -> None:
    _, values = node_values(TREE, TREE.nodes[1], LEAVES, USERS)
    # C1 100 %, C1-K1 62.5 %: the mean of rates would be 81.25 %; pooled 7 of 10 is 70 %
    assert values["on_time_rate"].value == pytest.approx(70.0)
