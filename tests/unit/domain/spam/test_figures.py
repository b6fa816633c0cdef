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


# --- a period's counts: each case judged once, in the period it was decided ------------------

SEPT = (T0, T0 + 30 * DAY)
OCT = (T0 + 30 * DAY, T0 + 61 * DAY)


def test_a_case_is_decided_by_its_first_sanction_or_its_deadline_whichever_came_first() -> None:
    assert figures.decided_at(CASES[0]) == T0 + DAY / 2  # acted on in time
    assert figures.decided_at(CASES[1]) == T0 + DAY  # at the deadline: the same instant
    assert figures.decided_at(CASES[2]) == T0 + DAY  # late: the deadline came first
    assert figures.decided_at(CASES[3]) == T0 + DAY  # never


def test_a_case_acted_on_late_after_its_period_stays_not_acted_on_there() -> None:
    due_at_month_end = CaseFact("10657009", T0 + 29 * DAY, T0 + 30 * DAY - DAY / 24,
                                T0 + 31 * DAY, ("warn",))  # fmt: skip
    september = figures.count_cases([due_at_month_end], *SEPT)
    october = figures.count_cases([due_at_month_end], *OCT)
    assert (september.cases_opened, september.cases_judged, september.cases_handled) == (1, 1, 0)
    assert september.cases_overdue == 1
    assert (october.cases_opened, october.cases_judged, october.cases_handled) == (0, 0, 0)


def test_a_case_opened_in_one_period_and_acted_on_in_the_next_counts_in_the_next() -> None:
    across = CaseFact("10657010", T0 + 29 * DAY, T0 + 32 * DAY, T0 + 31 * DAY, ("warn",))
    september = figures.count_cases([across], *SEPT)
    october = figures.count_cases([across], *OCT)
    assert (september.cases_opened, september.cases_judged) == (1, 0)
    assert (october.cases_opened, october.cases_judged, october.cases_on_time) == (0, 1, 1)


def test_a_period_s_counts_add_up_to_the_whole() -> None:
    first = figures.count_cases(CASES, T0, T0 + 5 * DAY)
    second = figures.count_cases(CASES, T0 + 5 * DAY, T0 + 20 * DAY)
    first += second
    assert first == figures.count_cases(CASES, T0, T0 + 20 * DAY)
    assert (first.cases_judged, first.cases_handled, first.cases_on_time) == (6, 4, 3)
    assert figures.handling_rate_of(first) == pytest.approx(400 / 6)
    assert figures.on_time_rate_of(first) == pytest.approx(75.0)


def test_rates_with_nothing_to_count_are_none_not_zero() -> None:
    empty = figures.SpamCounts()
    assert figures.handling_rate_of(empty) is None
    assert figures.on_time_rate_of(empty) is None
    untouched = figures.count_cases([CASES[3]], *SEPT)
    assert figures.handling_rate_of(untouched) == 0.0  # one case, not acted on: a real 0 %
    assert figures.on_time_rate_of(untouched) is None


def test_sanctioned_ports_leave_out_what_is_not_a_sanction() -> None:
    pairs = [("A", "warn"), ("A", "warn"), ("B", "suspend"), ("B", "lift"), ("A", "close_port")]
    assert figures.sanctioned_ports(pairs) == {
        "warn": 1, "throttle": 0, "suspend": 1, "close_port": 1
    }  # fmt: skip


def test_the_spam_report_rate_is_judged_per_year_like_appeals() -> None:
    from careloop.domain.indicators import formulas, periods

    september = periods.period_of("month", T0.date())
    value = formulas.spam_reports_per_million(9, 2_500_000)
    assert value.value == pytest.approx(3.6)
    assert periods.judged_value(value, september) == pytest.approx(3.6 * 365 / 30)
    assert periods.judged_value(formulas.spam_handling_rate(3, 4), september) == 75.0
