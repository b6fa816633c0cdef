"""The port burst rule: distinct reporters today against the port's own same-hours baseline,
the early warning's test and false-discovery control, an absolute floor for new ports."""

from __future__ import annotations

import numpy as np
import pytest

from careloop.domain import early_warning as ew
from careloop.domain.spam.bursts import BurstRule, PortToday, find_bursts, is_tested

QUIET = [1, 0, 2, 1, 1, 0, 1, 2, 1, 0, 1, 1, 2, 1]
"""Two weeks of mornings: about one reporter by 11:00."""


def port(name: str, reporters: int, baseline: list[int] = QUIET, reports: int | None = None):  # type: ignore[no-untyped-def]
    return PortToday(name, reporters if reports is None else reports, reporters, baseline)


def test_a_port_reported_by_many_people_today_is_a_burst_against_its_own_mornings():
    run = find_bursts([port("10657001", 12), port("10659002", 2)], weekday=2)
    assert [b.port_number for b in run.bursts] == ["10657001"]
    burst = run.bursts[0]
    assert burst.basis == "test" and burst.reporters == 12
    assert 0.9 < burst.expected < 1.5 and burst.baseline_days == len(QUIET)
    assert burst.p_value is not None and burst.p_value < 0.01
    assert burst.critical_count <= 12
    assert run.tested == 2 and run.floored == 0


def test_one_angry_customer_reporting_twenty_times_is_not_a_burst():
    run = find_bursts([port("10657001", 1, reports=20)], weekday=2)
    assert run.bursts == []


def test_a_busy_port_at_its_usual_level_is_not_a_burst():
    busy = [40, 38, 45, 41, 39, 44, 42, 40, 37, 43, 41, 40, 42, 39]
    assert find_bursts([port("10657001", 44, busy)], weekday=2).bursts == []
    assert find_bursts([port("10657001", 90, busy)], weekday=2).bursts


def test_a_port_never_reported_before_needs_the_absolute_floor():
    rule = BurstRule(new_port_floor=20)
    never = [0] * 14
    assert not is_tested(port("p", 19, never)) and not is_tested(port("p", 19, QUIET[:5]))
    assert find_bursts([port("10657009", 19, never)], 2, rule).bursts == []
    run = find_bursts([port("10657009", 20, never), port("10657010", 25, [])], 2, rule)
    assert [(b.port_number, b.basis) for b in run.bursts] == [
        ("10657010", "floor"),
        ("10657009", "floor"),
    ]
    assert run.floored == 2 and run.tested == 0
    assert all(b.p_value is None and b.critical_count == 20 for b in run.bursts)


def test_the_floor_never_undercuts_the_minimum_of_reporters():
    rule = BurstRule(new_port_floor=2, min_reporters=5)
    assert find_bursts([port("p", 4, [])], 2, rule).bursts == []
    assert find_bursts([port("p", 5, [])], 2, rule).bursts


def test_bursts_are_the_early_warnings_test_on_the_ports_series():
    ports = [port("a", 9), port("b", 3), port("c", 7, [2] * 14)]
    run = find_bursts(ports, weekday=4)
    flags = ew.detect_rises(
        {p.port_number: [*p.baseline, p.reporters] for p in ports},
        last_weekday=4,
        windows=("day",),
    )
    assert [(b.port_number, b.p_value) for b in run.bursts] == [(f.cell, f.p_value) for f in flags]


def test_quiet_days_rarely_flag_anything_at_the_stated_rate():
    """Over-dispersed quiet ports (no burst anywhere): a run shows any flag at all at most
    about as often as the stated false-discovery rate says."""
    rng = np.random.default_rng(17)
    runs, with_flag = 200, 0
    for _ in range(runs):
        ports = []
        for i in range(30):
            mean = rng.uniform(0.5, 6.0)
            days = rng.negative_binomial(4, 4 / (4 + mean), size=15)
            ports.append(port(f"p{i}", int(days[-1]), [int(d) for d in days[:-1]]))
        with_flag += bool(find_bursts(ports, weekday=2).bursts)
    assert with_flag / runs <= 0.08


def test_rule_parameters_are_checked_by_the_test():
    with pytest.raises(ValueError):
        find_bursts([port("a", 9)], 2, BurstRule(fdr=1.5))
