"""Hot spots: Chinese complaint texts grouped into topics, and the topics that grow fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

from careloop.analytics.hotspots import find_hotspots, group_topics, segment

BROADBAND = ["家里宽带经常断网，网速很慢", "宽带断网三天了没人上门维修", "宽带网速慢还经常掉线"]
BILLING = ["话费出现不明扣费，要求退费", "本月不明扣费二十元，开通了增值业务不知情", "话费扣费不明"]
PORTING = [
    "申请携号转网被营业厅拒绝",
    "携号转网受阻，营业厅不给办理携号转网",
    "携号转网申请失败，被限制转出",
    "办理携号转网被无理限制",
]


def texts(prefix: str, items: list[str]) -> list[tuple[str, str]]:
    return [(f"{prefix}{i}", text) for i, text in enumerate(items)]


def test_segment_drops_stopwords_numbers_and_punctuation_and_keeps_telecom_words() -> None:
    terms = segment("用户反映家里宽带经常断网，要求尽快处理！电话13812345678")
    assert "宽带" in terms
    assert "断网" in terms
    assert "携号转网" in segment("我要携号转网")
    for noise in ("用户", "反映", "要求", "处理", "，", "13812345678", "！"):
        assert noise not in terms


def test_texts_on_three_issues_fall_into_three_topics_named_by_their_terms() -> None:
    corpus = texts("b", BROADBAND) + texts("f", BILLING) + texts("p", PORTING)
    topics = group_topics(corpus, n_topics=3)
    assert len(topics) == 3
    groups = {frozenset(t.complaint_ids) for t in topics}
    assert groups == {
        frozenset({"b0", "b1", "b2"}),
        frozenset({"f0", "f1", "f2"}),
        frozenset({"p0", "p1", "p2", "p3"}),
    }
    largest = topics[0]  # largest first
    assert largest.size == 4
    assert "携号转网" in largest.key_terms
    assert "携号转网" in largest.name


def test_topics_are_deterministic() -> None:
    corpus = texts("b", BROADBAND) + texts("f", BILLING) + texts("p", PORTING)
    assert group_topics(corpus, n_topics=3) == group_topics(corpus, n_topics=3)


def test_empty_input_and_texts_without_terms_give_no_topics() -> None:
    assert group_topics([]) == []
    assert group_topics([(1, "的了是吗"), (2, "12345，。！")]) == []
    assert find_hotspots([], texts("b", BROADBAND)) == []


def test_fewer_texts_than_topics_is_fine() -> None:
    topics = group_topics([(1, "宽带断网"), (2, "宽带断网")], n_topics=8)
    assert len(topics) == 1
    assert topics[0].complaint_ids == (1, 2)


def test_new_issue_is_a_hot_spot_with_its_growth_ratio() -> None:
    # previous window: 6 broadband, 6 billing (12); recent: 4 porting, 1 broadband, 1 billing (6)
    # three topics, add-one smoothed shares:
    #   porting:   recent (4 + 1) ÷ (6 + 3) = 5/9,  previous (0 + 1) ÷ (12 + 3) = 1/15
    #              growth = (5/9) ÷ (1/15) = 75/9 = 8.33 → hot
    #   broadband: recent (1 + 1) ÷ 9 = 2/9, previous (6 + 1) ÷ 15 = 7/15 → 0.48 → not hot
    previous = texts("pb", BROADBAND * 2) + texts("pf", BILLING * 2)
    recent = [*texts("rp", PORTING), ("rb", BROADBAND[0]), ("rf", BILLING[0])]
    spots = find_hotspots(recent, previous, n_topics=3)
    assert len(spots) == 1
    spot = spots[0]
    assert "携号转网" in spot.topic.key_terms
    assert set(spot.recent_ids) == {"rp0", "rp1", "rp2", "rp3"}
    assert (spot.recent_count, spot.previous_count) == (4, 0)
    assert spot.recent_share == pytest.approx(4 / 6)
    assert spot.previous_share == 0.0
    assert spot.growth == pytest.approx(75 / 9)


def test_steady_topics_are_not_hot_spots() -> None:
    previous = texts("pb", BROADBAND) + texts("pf", BILLING)
    recent = texts("rb", BROADBAND) + texts("rf", BILLING)
    assert find_hotspots(recent, previous, n_topics=2) == []


def test_a_rise_too_small_is_not_a_hot_spot() -> None:
    previous = texts("pb", BROADBAND * 2)
    recent = texts("rp", PORTING[:2])  # only 2 recent complaints, min_recent is 3
    assert find_hotspots(recent, previous, n_topics=2) == []


def test_empty_previous_window_makes_sizeable_recent_topics_candidates() -> None:
    spots = find_hotspots(texts("rp", PORTING), [], n_topics=1, min_growth=1.0)
    assert len(spots) == 1
    assert set(spots[0].recent_ids) == {"rp0", "rp1", "rp2", "rp3"}


def test_jieba_prints_nothing_on_stderr() -> None:
    code = "from careloop.analytics.hotspots import segment; segment('宽带断网')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stderr == ""
