"""Hot spots (热点难点问题, DOMAIN.md §5): topics many customers raise at once, and rising.

Pipeline, all offline and deterministic (same input → same topics, same order):

1. **Segmentation** with jieba, in a private ``jieba.Tokenizer`` (so the telecom words added
   here do not leak into other users of jieba), dropping a small stopword list, punctuation,
   numbers (phone and ticket numbers are not topics) and single characters.
2. **TF-IDF** (scikit-learn ``TfidfVectorizer`` with that tokenizer, sublinear tf, L2 norm).
3. **Topics by k-means** on the L2-normalised TF-IDF rows (so Euclidean distance ranks like
   cosine similarity), seeded k-means++ with 10 restarts (``seed``, default 0). K-means rather
   than NMF or LDA because a hot-spot count must add up: a short complaint is about one issue,
   and k-means puts *every* complaint with a usable term in exactly one topic, whereas NMF
   leaves texts whose terms no component captured with zero weight everywhere — exactly the
   texts of a new, emerging issue when the topic budget is tight. A topic is named by the
   heaviest terms of its centroid (mean TF-IDF of its members). A complaint of only stopwords
   or numbers joins no topic.

A **hot spot** is a topic whose share of complaints grows fast from the previous window to the
recent one. Topics are fitted on both windows together so that they are the same topics in
both; the growth ratio is

    growth = share_recent / share_previous,   share = (count + 1) / (window size + topics)

(add-one smoothing, so a topic absent before gets a finite, large ratio instead of a division
by zero). A topic is hot when growth ≥ ``min_growth`` (default 2) and it has at least
``min_recent`` (default 3) complaints in the recent window.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import jieba  # type: ignore[import-untyped]
import numpy as np
from sklearn.cluster import KMeans  # type: ignore[import-untyped]
from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict…" goes to stderr otherwise

ComplaintId = int | str

_STOPWORD_TEXT: Final = """
    的 了 是 我 你 他 她 它 们 我们 你们 他们 在 有 和 与 及 或 也 都 就 还 又 再 很 太 非常 特别
    一个 一直 一下 这个 那个 这样 那样 这里 那里 什么 怎么 为什么 为何 如何 哪里 多少 没有 不是
    没 不 无 被 把 给 让 对 向 从 到 于 为 以 之 而 但 但是 可是 因为 所以 如果 虽然 然后 已经
    现在 今天 昨天 明天 之前 之后 以后 时候 时间 每次 多次 几次 一次 两次 次 天 月 年 号 日
    上 下 中 里 后 前 要求 希望 请 请求 麻烦 帮忙 帮 处理 解决 问题 情况 反映 投诉 用户 客户
    本人 自己 家里 说 讲 问 告诉 表示 称 认为 觉得 知道 可以 能 能够 会 应该 需要 想 要 得
    着 过 吗 呢 吧 啊 呀 哦 嗯 么 等 等等 及其 其他 其它 相关 进行 通过 导致 造成 出现 发现
    一 二 三 几 个 些 该 此 其 这 那 已 未 仍 仍然 还是 依然 始终 一直都 目前 近期 最近
    工作人员 客服 营业员 人员 电话 联系 回复 答复 至今 迟迟 多日 办理 经常 尽快 不给 总是 老是
"""
STOPWORDS: Final[frozenset[str]] = frozenset(_STOPWORD_TEXT.split())
"""Function words and complaint boilerplate ("用户反映…要求尽快处理") that every text shares."""

TELECOM_WORDS: Final[tuple[str, ...]] = (
    "携号转网",
    "不明扣费",
    "乱扣费",
    "增值业务",
    "宽带",
    "断网",
    "掉线",
    "网速",
    "信号差",
    "没信号",
    "无信号",
    "套餐",
    "资费",
    "话费",
    "流量",
    "垃圾短信",
    "骚扰电话",
    "装机",
    "移机",
    "拆机",
    "光猫",
    "路由器",
    "营业厅",
    "销户",
    "停机",
    "复机",
    "欠费",
    "退费",
    "5G",
    "4G",
    "合约机",
    "副卡",
    "彩铃",
    "积分",
    "实名",
    "个人信息",
    "掉话",
    "通话质量",
    "上门",
    "维修",
)
"""Words jieba's general dictionary would split or miss in complaint texts."""

_NOT_A_TERM: Final = re.compile(r"^[\W\d_]+$")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    for word in TELECOM_WORDS:
        tokenizer.add_word(word, freq=20000)
    return tokenizer


def segment(text: str) -> list[str]:
    """Terms of one complaint text: jieba words minus stopwords, punctuation, numbers, 1-char."""
    return list(_segment(text))


@lru_cache(maxsize=20_000)
def _segment(text: str) -> tuple[str, ...]:
    """Remembered per text: each morning's hot spots read the same 28 days of texts again,
    and jieba was half the daily report's time (docs/reports.md)."""
    terms = []
    for raw in _tokenizer().lcut(text or ""):
        word = raw.strip().lower()
        if len(word) < 2 or word in STOPWORDS or _NOT_A_TERM.match(word):
            continue
        terms.append(word)
    return tuple(terms)


@dataclass(frozen=True)
class Topic:
    """A group of complaints about one issue, named by its top terms."""

    key_terms: tuple[str, ...]
    complaint_ids: tuple[ComplaintId, ...]

    @property
    def name(self) -> str:
        return " / ".join(self.key_terms)

    @property
    def size(self) -> int:
        return len(self.complaint_ids)


@dataclass(frozen=True)
class HotSpot:
    topic: Topic
    """The topic over both windows; ``recent_ids`` are its complaints in the recent window."""
    recent_ids: tuple[ComplaintId, ...]
    recent_count: int
    previous_count: int
    recent_share: float
    """Unsmoothed share of the recent window (recent_count ÷ recent window size)."""
    previous_share: float
    growth: float
    """Smoothed share ratio, see the module docstring."""


def _fit_topics(texts: Sequence[str], n_topics: int, top_terms: int, seed: int) -> list[_RawTopic]:
    """Topics as (key terms, member row indices), largest first; rows with no term join none."""
    if not texts:
        return []
    vectorizer = TfidfVectorizer(
        tokenizer=segment, token_pattern=None, lowercase=False, sublinear_tf=True
    )
    try:
        matrix = vectorizer.fit_transform(list(texts))
    except ValueError:  # empty vocabulary: every text was stopwords or numbers
        return []
    terms = vectorizer.get_feature_names_out()
    k = max(1, min(n_topics, matrix.shape[0], matrix.shape[1]))
    model = KMeans(n_clusters=k, n_init=10, random_state=seed)
    with warnings.catch_warnings():
        # fewer distinct texts than clusters: k-means says so and leaves clusters empty
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = model.fit_predict(matrix)
    members: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        if matrix[row].nnz:
            members.setdefault(int(label), []).append(row)
    topics = []
    for rows in members.values():
        centroid = np.asarray(matrix[rows].mean(axis=0)).ravel()
        order = np.argsort(-centroid, kind="stable")[:top_terms]
        names = tuple(str(terms[i]) for i in order if centroid[i] > 0)
        topics.append(_RawTopic(names, tuple(rows)))
    topics.sort(key=lambda t: (-len(t.rows), " / ".join(t.key_terms)))
    return topics


@dataclass(frozen=True)
class _RawTopic:
    key_terms: tuple[str, ...]
    rows: tuple[int, ...]


def group_topics(
    texts: Sequence[tuple[ComplaintId, str]],
    *,
    n_topics: int = 8,
    top_terms: int = 4,
    seed: int = 0,
) -> list[Topic]:
    """Group complaint texts into at most ``n_topics`` topics, largest first.

    Fewer texts (or distinct terms) than topics gives at most that many topics; an empty
    input, or texts with no usable term, give an empty list. Complaints whose text has no
    usable term belong to no topic.
    """
    raw = _fit_topics([text for _, text in texts], n_topics, top_terms, seed)
    return [Topic(t.key_terms, tuple(texts[row][0] for row in t.rows)) for t in raw]


def find_hotspots(
    recent: Sequence[tuple[ComplaintId, str]],
    previous: Sequence[tuple[ComplaintId, str]],
    *,
    n_topics: int = 8,
    top_terms: int = 4,
    min_growth: float = 2.0,
    min_recent: int = 3,
    seed: int = 0,
) -> list[HotSpot]:
    """Topics whose share grows at least ``min_growth``-fold from ``previous`` to ``recent``.

    Sorted by growth, then recent size. An empty recent window has no hot spots; an empty
    previous window makes every sizeable recent topic a candidate (its previous share is the
    smoothed 1 ÷ topics).
    """
    if not recent:
        return []
    combined = [*recent, *previous]
    raw_topics = _fit_topics([text for _, text in combined], n_topics, top_terms, seed)
    k = max(1, len(raw_topics))
    spots = []
    for raw in raw_topics:
        in_recent = tuple(combined[row][0] for row in raw.rows if row < len(recent))
        n_recent = len(in_recent)
        n_previous = len(raw.rows) - n_recent
        smoothed_recent = (n_recent + 1) / (len(recent) + k)
        smoothed_previous = (n_previous + 1) / (len(previous) + k)
        growth = smoothed_recent / smoothed_previous
        if n_recent >= min_recent and growth >= min_growth:
            topic = Topic(raw.key_terms, tuple(combined[row][0] for row in raw.rows))
            spots.append(
                HotSpot(
                    topic,
                    in_recent,
                    n_recent,
                    n_previous,
                    n_recent / len(recent),
                    n_previous / len(previous) if previous else 0.0,
                    growth,
                )
            )
    spots.sort(key=lambda s: (-s.growth, -s.recent_count, s.topic.name))
    return spots
