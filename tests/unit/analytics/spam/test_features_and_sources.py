"""What the classifier reads in a message, and the labelled rows it accepts to learn from."""

from __future__ import annotations

import pytest

from careloop.analytics.spam.features import LINK, NUMBER, feature_label, normalise
from careloop.analytics.spam.kinds import KINDS, NOT_SPAM, SPAM_KIND_CODES, kind
from careloop.analytics.spam.sources import (
    STAFF,
    TrainingDataError,
    careloop_examples,
    labelled_reports,
)


def test_links_and_phone_numbers_become_placeholders_and_other_digits_zero() -> None:
    text = "【ＸＸ银行】点击 https://bank-safe.xyz/a?b=1 或致电 138-1234-5678，领¥888"
    assert normalise(text) == f"【xx银行】点击 {LINK} 或致电 {NUMBER} ,领¥000"


def test_bare_domains_are_links_but_short_numbers_stay_numbers() -> None:
    assert normalise("戳 t.cn/A6x9kL 领取") == f"戳 {LINK} 领取"
    assert normalise("验证码 482913") == "验证码 000000"


def test_feature_labels_drop_the_block_prefix_and_padding() -> None:
    assert feature_label("chars__ 免费") == "免费"
    assert feature_label("words__call now") == "call now"


def test_every_kind_has_a_short_stable_code_and_names_in_both_languages() -> None:
    assert SPAM_KIND_CODES == (
        "fraud", "loan", "real_estate", "recruitment", "advertising", "gambling", "phishing",
        "other",
    )  # fmt: skip
    assert all(len(k.code) <= 30 and k.name_zh and k.name_en for k in KINDS)
    assert kind("loan").name("en") == "loans" and kind("loan").name("zh") == "贷款"


def test_staff_labels_are_accepted_and_empty_texts_left_out() -> None:
    source = labelled_reports(
        [("恭喜中奖", True, "other"), ("  ", True, None), ("好的", False, None)]
    )
    assert source.name == STAFF
    assert [(r.text, r.spam, r.kind) for r in source.rows] == [
        ("恭喜中奖", True, "other"),
        ("好的", False, NOT_SPAM),
    ]


def test_a_spam_label_without_a_kind_is_kept_for_spam_or_not_only() -> None:
    [row] = labelled_reports([("点击领取", True, None)]).rows
    assert row.spam and row.kind is None


@pytest.mark.parametrize(
    ("row", "english"),
    [
        (("text", True, "lottery"), "unknown spam kind 'lottery'"),
        (("text", False, "loan"), "labelled not spam but given the kind 'loan'"),
        (("text", True, "none"), "labelled spam but given the kind 'none'"),
    ],
)
def test_contradictory_staff_labels_are_refused_in_both_languages(
    row: tuple[str, bool, str], english: str
) -> None:
    with pytest.raises(TrainingDataError) as caught:
        labelled_reports([("fine", False, None), row])
    assert caught.value.message("en") == f"{STAFF} row 2: {english}"
    assert "第 2 行" in caught.value.message("zh")


def test_shipped_examples_cover_every_kind_in_chinese_with_normal_messages_beside() -> None:
    rows = careloop_examples().rows
    kinds = {r.kind for r in rows}
    assert kinds == {*SPAM_KIND_CODES, NOT_SPAM}
    assert sum(r.spam for r in rows) >= 200 and sum(not r.spam for r in rows) >= 100
    assert any("验证码" in r.text and not r.spam for r in rows)


def test_a_source_digest_changes_when_a_label_changes() -> None:
    before = labelled_reports([("你好", False, None)]).digest
    after = labelled_reports([("你好", True, "other")]).digest
    assert before != after == labelled_reports([("你好", True, "other")]).digest
