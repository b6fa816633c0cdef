from __future__ import annotations

import pytest

from careloop.domain import language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("", "zh"),
        (None, "zh"),
        ("fr-FR,en;q=0.5", "en"),
        ("fr-FR", "zh"),
        ("*", "zh"),
        ("EN", "en"),
    ],
)
def test_negotiate_gives_what_the_pages_and_problem_details_gave(
    header: str | None, expected: str
) -> None:
    assert language.negotiate(header) == expected


def test_negotiate_weighs_q_values() -> None:
    assert language.negotiate("en;q=0.2, zh-CN;q=0.9") == "zh"
    assert language.negotiate("zh;q=0.3, en-GB;q=0.7") == "en"
    assert language.negotiate("fr, zh;q=0.4, en;q=0.6") == "en"
    # A tag's best quality counts: en-US at 0.1 but en at 0.9 is English at 0.9.
    assert language.negotiate("zh;q=0.5, en-US;q=0.1, en;q=0.9") == "en"


def test_negotiate_breaks_ties_by_order() -> None:
    assert language.negotiate("en, zh") == "en"
    assert language.negotiate("zh, en") == "zh"
    assert language.negotiate("en;q=0.8, zh;q=0.8") == "en"


def test_q_zero_refuses_a_language() -> None:
    assert language.negotiate("zh;q=0, en;q=0.1") == "en"
    assert language.negotiate("en;q=0") == "zh"  # nothing of ours acceptable: the default
    assert language.negotiate("zh;q=0, *;q=0.5") == "en"  # * covers what is not named


def test_a_malformed_q_value_counts_as_one() -> None:
    assert language.negotiate("zh;q=abc, en;q=0.9") == "zh"
    assert language.negotiate("en;q=2") == "en"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "en"), ("en-US", "en"), ("EN", "en"), ("zh", "zh"), ("zh-CN", "zh"), ("", "zh"),
     (None, "zh"), ("fr", "zh")],
)  # fmt: skip
def test_normalise_is_english_only_when_asked_for(code: str | None, expected: str) -> None:
    assert language.normalise(code) == expected


def test_environment_value_unset_means_chinese() -> None:
    assert language.from_environment(None) == "zh"
    assert language.from_environment("en_US.UTF-8") == "en"
