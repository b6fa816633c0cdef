"""The holiday notice's text form (domain.sla.notice): what an administrator types or pastes
from a spreadsheet, and the line-numbered errors that let one pass fix a file."""

from __future__ import annotations

from datetime import date

import pytest

from careloop.domain.sla.calendar import DayOverride
from careloop.domain.sla.notice import NoticeFormatError, notice_text, parse_notice

NOTICE = """\ufeff# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
2027-01-01..2027-01-03 rest 元旦

2027-02-05..2027-02-11,rest,春节
2027-02-14\twork\t春节调休
2027-02-20 上班 春节调休
"""


def _errors(text: str, year: int = 2027) -> list[tuple[int, str]]:
    with pytest.raises(NoticeFormatError) as caught:
        parse_notice(year, text)
    return [(e.line, e.en) for e in caught.value.errors]


def test_ranges_single_days_comments_and_csv_lines_are_read() -> None:
    days = parse_notice(2027, NOTICE)

    assert len(days) == 3 + 7 + 2
    assert days[0] == DayOverride(date(2027, 1, 1), "holiday", "元旦")
    assert days[3] == DayOverride(date(2027, 2, 5), "holiday", "春节")
    assert days[-2:] == [
        DayOverride(date(2027, 2, 14), "workday", "春节调休"),
        DayOverride(date(2027, 2, 20), "workday", "春节调休"),
    ]


def test_the_text_form_reads_back_what_it_writes() -> None:
    days = parse_notice(2027, NOTICE)

    assert parse_notice(2027, notice_text(days)) == days


def test_every_bad_line_is_named_at_once() -> None:
    text = (
        "2027-01-01 rest 元旦\n"
        "2027-02-30 rest 春节\n"  # no such date
        "2027-02-05 nap 春节\n"  # unknown kind
        "2027-02-10..2027-02-05 rest 春节\n"  # backwards
        "2026-11-30 rest 元旦\n"  # before the December of the year before
        "2027-01-01 rest 元旦\n"  # listed twice
        "2027-02-15 work 调休\n"  # Monday: a make-up day falls on a weekend
        "2027-03-01\n"  # no kind, no name
    )

    errors = _errors(text)

    assert [line for line, _ in errors] == [2, 3, 4, 5, 6, 7, 8]
    assert "YYYY-MM-DD" in errors[0][1]
    assert "rest or work" in errors[1][1]
    assert "must run forwards" in errors[2][1]
    assert "does not lie in 2027 (or the December before)" in errors[3][1]
    assert "already listed" in errors[4][1]
    assert "falls on a weekend" in errors[5][1]
    assert "expected" in errors[6][1]


def test_errors_read_in_chinese_first_then_english() -> None:
    with pytest.raises(NoticeFormatError) as caught:
        parse_notice(2027, "2027-02-15 work 调休")

    assert str(caught.value).startswith("第 1 行：2027-02-15 是工作日")
    assert "/ line 1: 2027-02-15 is a weekday" in str(caught.value)


def test_an_empty_file_and_a_month_long_range_are_refused() -> None:
    assert _errors("# only a comment\n") == [(1, "the file lists no day")]
    assert _errors("2027-01-01..2027-03-01 rest 假期")[0][0] == 1


def test_a_new_year_holiday_may_start_in_the_december_before() -> None:
    # The 2019 notice: rest 2018-12-30 to 2019-01-01, work Saturday 2018-12-29.
    days = parse_notice(2019, "2018-12-30..2019-01-01 rest 元旦\n2018-12-29 work 元旦调休\n")

    assert [(o.day, o.kind) for o in days] == [
        (date(2018, 12, 29), "workday"),
        (date(2018, 12, 30), "holiday"),
        (date(2018, 12, 31), "holiday"),
        (date(2019, 1, 1), "holiday"),
    ]
