"""What the network-quality weekly report counts as network complaints, and its hot spots."""

from __future__ import annotations

from careloop.domain.indicators.network import HotSpot, hot_spots, is_network


def test_network_quality_and_broadband_faults_are_network_categories() -> None:
    assert is_network("network") and is_network("network.coverage")
    assert is_network("broadband.outage")
    # the regulator's class also holds spam and personal data: not the network's to repair
    assert not is_network("spam.sms") and not is_network("privacy") and not is_network("billing")


def test_hot_spots_are_the_areas_with_most_network_complaints_this_week() -> None:
    this_week = {"K1": 5, "K2": 9, "K3": 5, "K4": 0}
    last_week = {"K1": 1, "K3": 5, "K4": 7}
    spots = hot_spots(this_week, last_week, limit=3)
    # K2 first; K1 and K3 tie at 5, K1 rose more (+4 against 0)
    assert spots == [HotSpot("K2", 9, 0), HotSpot("K1", 5, 1), HotSpot("K3", 5, 5)]
    assert all(s.area != "K4" for s in hot_spots(this_week, last_week))  # none this week
