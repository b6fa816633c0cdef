"""The daily trend in the reports prints the domain's on-time rate, not a copy of it."""

from __future__ import annotations

from datetime import date

from careloop.domain.indicators import formulas
from careloop.services.monitoring.reports import TrendDay


def test_the_daily_on_time_rate_is_the_domain_formula_over_the_day_s_counts() -> None:
    day = TrendDay(date(2026, 9, 28), complaints=5, stages=4, on_time=3)
    assert day.on_time_rate == formulas.on_time_rate(on_time=3, finished=4).value


def test_a_day_with_no_stage_finished_has_no_on_time_rate() -> None:
    assert TrendDay(date(2026, 9, 28), complaints=5).on_time_rate is None


def test_every_denominator_and_unit_is_worded_in_chinese() -> None:
    """The indicator table is read in Chinese: a formula's denominator or a catalogue unit
    without a Chinese wording would print its English in a Chinese report."""
    from careloop.domain.indicators import formulas
    from careloop.domain.indicators.catalogue import CATALOGUE
    from careloop.services.monitoring.reports import DEFINITION_ZH, UNIT_ZH

    definitions = {
        value
        for name, value in vars(formulas).items()
        if name.startswith("DEFINITION_") and isinstance(value, str)
    }
    assert definitions, "the formulas name no denominators"
    assert sorted(definitions - set(DEFINITION_ZH)) == []
    assert sorted({i.unit for i in CATALOGUE.values()} - set(UNIT_ZH)) == []
