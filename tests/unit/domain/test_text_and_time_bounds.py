"""The one text sanitiser and the one rule for times from outside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from careloop.domain import time_bounds
from careloop.domain.errors import InvalidValue
from careloop.domain.text import clean_text, required_text

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def test_control_zero_width_and_bidi_characters_are_removed():
    hostile = "宽带\x00断\x07网\u200b\u200c\u200d\u2060\ufeff\u202e\u2066了\x85\x9f，\u2069请修"
    assert clean_text(hostile, "description", 5000) == "宽带断网了\n，请修"


def test_line_breaks_and_tabs_survive_in_multiline_text_but_not_in_names():
    assert clean_text("第一行\r\n第二行\t完", "description", 100) == "第一行\n第二行\t完"
    assert clean_text("孙\n女士\t", "customer.name", 100, multiline=False) == "孙 女士"


def test_text_is_nfc_normalised():
    assert clean_text("Cafe\u0301", "text", 10) == "Café"


def test_lone_surrogate_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as caught:
        clean_text("坏\ud800字", "description", 100)
    assert caught.value.rule == "text_invalid" and caught.value.field == "description"
    assert caught.value.code == "invalid_input"
    assert "投诉内容" in caught.value.message("zh")


def test_too_long_text_is_refused_in_human_words_not_cut():
    with pytest.raises(InvalidValue) as caught:
        clean_text("长" * 100_000, "description", 5000)
    error = caught.value
    assert (error.rule, error.code, error.status) == ("text_too_long", "invalid_input", 422)
    assert error.field == "description"
    assert error.message("zh") == "投诉内容过长：最多 5000 字，收到 100000 字"
    assert error.message("en").startswith("The description is too long")
    # Invisible characters do not count against the limit.
    assert clean_text("a" * 10 + "\u200b" * 50, "text", 10) == "a" * 10


def test_empty_after_cleaning_is_none_or_refused_when_required():
    assert clean_text("\u200b \x00 ", "comment", 10) is None
    with pytest.raises(InvalidValue) as caught:
        required_text("\u202e\u200b", "reason", 10)
    assert caught.value.rule == "text_required"


def test_instants_need_an_offset_and_lie_between_2000_and_2100():
    assert time_bounds.instant(
        "created_from", datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    ) == datetime(2026, 1, 1, tzinfo=UTC)
    for bad, code in (
        (datetime(2026, 1, 1), "time_needs_zone"),
        (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), "time_out_of_range"),
        (datetime(2100, 1, 1, tzinfo=UTC), "time_out_of_range"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1))), "time_out_of_range"),
        (datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=1))), "time_out_of_range"),
    ):
        with pytest.raises(InvalidValue) as caught:
            time_bounds.instant("created_from", bad)
        assert caught.value.rule == code and caught.value.status == 422


def test_a_due_time_lies_after_now_and_within_a_year():
    assert time_bounds.due_time("due_at", NOW + timedelta(days=366), NOW)
    for bad in (NOW, NOW + timedelta(days=367), datetime(9999, 12, 31, tzinfo=UTC)):
        with pytest.raises(InvalidValue) as caught:
            time_bounds.due_time("due_at", bad, NOW)
        assert caught.value.field == "due_at"
        assert "工单期限" in caught.value.message("zh")
        assert "due_at" not in caught.value.message("en")


def test_typed_times_and_days_are_parsed_and_checked():
    assert time_bounds.parse_day("--date", "2026-09-28") == date(2026, 9, 28)
    for text in ("9999-12-31", "28/09/2026"):
        with pytest.raises(InvalidValue):
            time_bounds.parse_day("--date", text)
    assert time_bounds.parse_instant("--now", "2026-09-28T10:00+08:00") == NOW
    for text in ("2026-09-28T10:00", "soon", "9999-12-31T00:00+00:00"):
        with pytest.raises(InvalidValue):
            time_bounds.parse_instant("--now", text)
