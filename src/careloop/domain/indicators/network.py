"""What the network-quality weekly report (网络质量周报, DOMAIN.md §5) counts as a network
complaint, and how its week-on-week change and hot spots are read.

Network complaints are those whose first-level category is a network one: network quality
(coverage, dropped calls, mobile data) and broadband faults (outage, speed, repair). The
regulator's class "network quality and information security" also holds spam and personal
information, which are not the network's to repair, so the regulator's class is not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from careloop.domain.categories import first_level

NETWORK_CATEGORIES: Final = ("network", "broadband")
"""First-level categories of the network-quality weekly report (网络质量, 宽带故障)."""

HOT_SPOT_COUNT: Final = 10
"""How many areas the weekly report lists as hot spots (most network complaints)."""


def is_network(category_code: str) -> bool:
    """Whether a complaint category (first or second level) is a network category."""
    return first_level(category_code) in NETWORK_CATEGORIES


@dataclass(frozen=True)
class HotSpot:
    """An area ranked by its network complaints of the week, with last week's count."""

    area: str
    complaints: int
    previous: int


def hot_spots(
    this_week: Mapping[str, int], last_week: Mapping[str, int], limit: int = HOT_SPOT_COUNT
) -> list[HotSpot]:
    """The ``limit`` areas with most network complaints this week (ties: the larger rise
    first, then the area's code, so the list is the same on every run); areas without a
    complaint this week are never hot spots."""
    ranked = sorted(
        (a for a, n in this_week.items() if n > 0),
        key=lambda a: (-this_week[a], -(this_week[a] - last_week.get(a, 0)), a),
    )
    return [HotSpot(a, this_week[a], last_week.get(a, 0)) for a in ranked[:limit]]
