"""A table's note in the PDF wraps by printed width, so Chinese notes stay on the page."""

from __future__ import annotations

from careloop.reports.render import _wrap


def test_a_chinese_note_wraps_at_half_the_characters_of_a_latin_one() -> None:
    lines = _wrap("及" * 100, 150, 3)
    assert [len(line) for line in lines] == [75, 25]  # a CJK character is two columns wide
    assert _wrap("a" * 100, 150, 3) == ["a" * 100]


def test_a_note_longer_than_its_lines_ends_with_an_ellipsis() -> None:
    lines = _wrap("时" * 400, 150, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")


def test_a_dollar_sign_is_printed_not_read_as_mathematics() -> None:
    assert _wrap("cost $5 and $6", 150, 3) == [r"cost \$5 and \$6"]
