"""The spam figures on a small fixture, against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careloop.domain.spam import figures
from careloop.domain.spam.figures import CaseFact

T0 = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)

CASES = [
    # acted on in time, then closed
    CaseFact("10657001", T0, T0 + DAY, T0 + DAY / 2, ("warn", "close_port")),
    # acted on exactly at the deadline: in time
    CaseFact("10657002", T0, T0 + DAY, T0 + DAY, ("suspend",)),
    # acted on late
    CaseFact("10657003", T0, T0 + DAY, T0 + 3 * DAY, ("warn",)),
    # never acted on, deadline passed
    CaseFact("10657004", T0, T0 + DAY, None),
    # still within its time, untouched: not counted by the handling rate
    CaseFact("10657005", T0 + 9 * DAY, T0 + 12 * DAY, None),
    # the first port again, a second case warned again
    CaseFact("10657001", T0 + 2 * DAY, T0 + 3 * DAY, T0 + 2 * DAY, ("warn",)),
]
NOW = T0 + 10 * DAY


def test_reports_per_million_subscribers() -> None:
    assert figures.reports_per_million(37, 2_500_000) == pytest.approx(14.8)
    assert figures.reports_per_million(5, 0) is None
    with pytest.raises(ValueError):
        figures.reports_per_million(-1, 10)


def test_handling_rate_counts_the_cases_due_or_acted_on() -> None:
    # 5 counted (the untouched case within its time is not), 4 acted on
    assert figures.handling_rate(CASES, NOW) == pytest.approx(80.0)
    assert figures.handling_rate([CASES[4]], NOW) is None


def test_on_time_rate_counts_the_due_instant_as_in_time() -> None:
    # acted on: 4; in time: the first, the one at the deadline, the second case of port 1
    assert figures.on_time_rate(CASES) == pytest.approx(75.0)
    assert figures.on_time_rate([CASES[3]]) is None


def test_ports_sanctioned_counts_each_port_once_per_action() -> None:
    assert figures.ports_sanctioned(CASES) == {
        "warn": 2,
        "throttle": 0,
        "suspend": 1,
        "close_port": 1,
    }
