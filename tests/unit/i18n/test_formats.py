"""Numbers and dates in each language's own way (CLDR through Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from careloop.i18n import Translator, format_date, format_datetime, format_number, format_percent


def test_numbers_group_digits_and_fix_decimals():
    assert format_number(1234567.891, "zh", 1) == "1,234,567.9"
    assert format_number(1234567, "en", 0) == "1,234,567"
    assert format_percent(0.9534, "zh") == "95.3%"
    assert format_percent(0.5, "en", 0) == "50%"


def test_dates_as_each_language_writes_them():
    day = date(2026, 11, 28)
    assert format_date(day, "zh") == "2026年11月28日"
    assert format_date(day, "en") == "November 28, 2026"
    assert format_date(day, "zh", "month") == "2026年11月"
    assert format_date(day, "en", "month") == "November 2026"


def test_a_moment_is_shown_in_the_readers_time_zone():
    moment = datetime(2026, 11, 28, 16, 5, tzinfo=UTC)
    assert format_datetime(moment, "zh", "Asia/Shanghai") == "2026年11月29日 00:05:00"
    assert "Nov 29, 2026" in format_datetime(moment, "en", "Asia/Shanghai")
    assert Translator("en").percent(0.25) == "25.0%"
