"""Near-duplicate rules: a campaign survives changed numbers, links and padding; unrelated
messages stay apart."""

from __future__ import annotations

import random

from careloop.domain.spam import fingerprints as fp
from tests.unit.domain.spam.messages import UNRELATED, campaign_message


def test_normalise_folds_numbers_links_padding_and_full_width():
    one = fp.normalise("【工行】积分１２３４分，请登录 http://t.cn/Ab9 兑换！！😀 详询13812345678")
    other = fp.normalise("【工行】积分 98 分,请登录icbc-jf7.vip/x兑换~ 详询 159 0000 1111")
    assert one == other == "工行积分#分请登录@兑换详询#"


def test_campaign_messages_with_varied_parts_are_similar_enough_to_join():
    rng = random.Random(7)
    first = fp.signature(campaign_message(rng))
    scores = [fp.similarity(first, fp.signature(campaign_message(rng))) for _ in range(200)]
    assert min(scores) >= fp.SAME_CAMPAIGN


def test_unrelated_messages_are_far_below_the_threshold():
    signatures = [fp.signature(text) for text in UNRELATED]
    campaign = fp.signature(campaign_message(random.Random(1)))
    for i, one in enumerate(signatures):
        assert fp.similarity(one, campaign) < 0.3
        for other in signatures[i + 1 :]:
            assert fp.similarity(one, other) < 0.3


def test_signatures_and_band_digests_are_stable_values_not_process_hashes():
    sig = fp.signature("【招聘】日结工资300元")
    assert sig == fp.signature("【招聘】日结工资 999 元！")
    assert len(sig) == fp.NUM_PERM and all(0 <= v < 2**32 for v in sig)
    digests = fp.band_digests(sig)
    assert len(digests) == fp.BANDS == len(set(digests))
    assert digests == fp.band_digests(list(sig))


def test_near_duplicates_share_a_band_so_the_lookup_finds_them():
    rng = random.Random(3)
    bands = set(fp.band_digests(fp.signature(campaign_message(rng))))
    for _ in range(100):
        assert bands & set(fp.band_digests(fp.signature(campaign_message(rng))))


def test_best_match_takes_the_most_similar_candidate_above_the_threshold():
    rng = random.Random(5)
    campaign = fp.signature(campaign_message(rng))
    other = fp.signature(UNRELATED[0])
    candidates = [fp.Candidate(2, other), fp.Candidate(9, campaign)]
    assert fp.best_match(fp.signature(campaign_message(rng)), candidates) == 9
    assert fp.best_match(fp.signature(UNRELATED[3]), candidates) is None
    assert fp.best_match(campaign, [fp.Candidate(4, campaign), fp.Candidate(3, campaign)]) == 3


def test_an_empty_message_matches_nothing_but_itself():
    empty = fp.signature("!!! ~~~ 😀")
    assert fp.best_match(empty, [fp.Candidate(1, fp.signature(UNRELATED[1]))]) is None
