"""Port numbers, their networks, attribution by longest registered prefix, and the words a
report's rules read (sender, quoted message, serious violation)."""

from __future__ import annotations

import pytest

from careloop.domain.spam import ports
from careloop.domain.spam import reports as rules


@pytest.mark.parametrize(
    ("raw", "number", "kind", "operator"),
    [
        ("10657 5551 234", "106575551234", "service_port", "cmcc"),
        ("1065512345678", "1065512345678", "service_port", "cucc"),
        ("１０６５９８８８０００", "10659888000", "service_port", "ctcc"),
        ("106901234567", "106901234567", "service_port", "all"),
        ("+86 138-1234-5678", "13812345678", "point_to_point", "cmcc"),
        ("8613012345678", "13012345678", "point_to_point", "cucc"),
        ("(010) 12345678", "01012345678", "point_to_point", "fixed"),
    ],
)
def test_numbers_are_normalised_and_named_by_kind_and_network(raw, number, kind, operator):
    assert ports.parse_number(raw) == ports.PortNumber(number, kind, operator)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "号码为空"),
        ("10651234567", "不以 10657、10655、10659 或 1069 开头"),
        ("1065712", "应为 8–21 位数字"),
        ("12012345678", "号段 120 不存在"),
        ("10657abc", "数字以外的字符"),
        ("95588", "既不是 106 端口"),
    ],
)
def test_numbers_that_are_no_sender_are_refused_in_words(raw, words):
    with pytest.raises(ports.PortNumberError) as caught:
        ports.parse_number(raw)
    assert words in caught.value.words("zh")
    assert caught.value.words("en") and caught.value.words("en") != caught.value.words("zh")


def test_attribution_takes_the_exact_number_else_the_longest_registered_prefix():
    registered = ["106575551234", "1065755512", "13812345678"]
    assert ports.attribute("106575551234", registered) == "106575551234"
    assert ports.attribute("10657555123499", registered) == "106575551234"
    assert ports.attribute("1065755512777", registered) == "1065755512"
    assert ports.attribute("10657666", registered) is None
    assert ports.attribute("13812345678", registered) == "13812345678"
    # A mobile is never the "extension" of another registered number.
    assert ports.attribute("138123456789", ["13812345678"]) is None


def test_a_complaint_names_its_sender_and_quotes_the_message():
    text = "我收到10657555123401发来的短信，内容为“低息贷款当天放款，详询 t.cn/x”，回复TD退订无效。"
    assert rules.sender_in_text(text) == "10657555123401"
    assert rules.message_in_text(text) == "低息贷款当天放款，详询 t.cn/x"
    assert rules.serious_reason(text) == "after_unsubscribe"
    assert rules.serious_reason("本人从未同意接收此类广告") == "no_consent"
    assert rules.serious_reason("普通广告") is None
    assert rules.serious_reason("普通广告", stated="no_consent") == "no_consent"


def test_reporter_and_row_keys_are_stable_and_hide_the_number():
    assert rules.reporter_hash("+86 13812345678") == rules.reporter_hash("13812345678")
    assert "13812345678" not in rules.reporter_hash("13812345678")
    assert rules.row_key("transfer_12321", "A1") != rules.row_key("interception", "A1")
