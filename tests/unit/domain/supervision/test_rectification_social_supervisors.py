"""Social-supervisor rules without a database: verdicts, phones, terms."""

from __future__ import annotations

from datetime import date

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.supervision import social_supervisors as rules


def test_a_score_below_the_pass_mark_fails_unless_the_recorder_says_otherwise():
    assert rules.finding_of("observation", 79.5, None) == "fail"
    assert rules.finding_of("observation", 80, None) == "pass"
    assert rules.finding_of("observation", 60, "pass") == "pass"
    assert rules.finding_of("feedback", None, None) == "none"


def test_a_scored_observation_needs_a_score_between_0_and_100():
    with pytest.raises(DomainError) as missing:
        rules.finding_of("observation", None, None)
    assert missing.value.message("zh") == "服务体验打分需要填写评分（0–100）"
    with pytest.raises(DomainError) as high:
        rules.finding_of("feedback", 101, None)
    assert high.value.status == 422


def test_a_phone_is_kept_as_dialled_digits():
    assert rules.clean_phone("+86 138-1234-5678") == "13812345678"
    assert rules.clean_phone("(010) 8888 6666") == "01088886666"
    with pytest.raises(DomainError):
        rules.clean_phone("12345")


def test_a_supervisor_reports_only_while_appointed():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert rules.in_term(start, end, True, date(2026, 9, 28))
    assert not rules.in_term(start, end, True, date(2027, 1, 1))
    assert not rules.in_term(start, end, False, date(2026, 9, 28))
    with pytest.raises(DomainError):
        rules.check_term(end, start)


def test_an_unknown_choice_names_the_choices_in_chinese():
    with pytest.raises(DomainError) as bad:
        rules.choose(rules.TARGET_KINDS, "shop", ("监督对象类型", "Kind of place observed"))
    assert "营业厅（store）" in bad.value.message("zh")
