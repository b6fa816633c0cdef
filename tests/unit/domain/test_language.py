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


def test_negotiate_takes_the_first_of_our_tags_whatever_its_q_value() -> None:
    assert language.negotiate("en;q=0.2, zh-CN;q=0.9") == "en"
    assert language.negotiate("zh;q=0.3, en-GB;q=0.7") == "zh"
    assert language.negotiate("en, zh") == "en"
    assert language.negotiate("zh, en") == "zh"


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
