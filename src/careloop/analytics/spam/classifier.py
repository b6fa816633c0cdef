"""The spam classifier as the services use it: load the latest trained model, classify texts.

    classifier = load_latest(data_dir)
    [verdict] = classifier.classify(["【XX银行】您的账户已冻结，请点击 bank-safe.xyz 解冻"])
    verdict.spam, verdict.kind, verdict.score, verdict.features
    # True, 'phishing', 0.98, ('⟨网址⟩', '冻结', …)

``score`` is the probability that the message is spam (0–1), whatever the verdict; a message
is spam at 0.5 and above. ``kind`` is a code of kinds.py (``none`` for a message that is not
spam). ``features`` are the n-grams that weighed most towards the verdict (the largest
products of a feature's TF-IDF value and its weight in the linear model), so a person can see
why: placeholders ⟨网址⟩ and ⟨号码⟩ stand for a link and a phone number (features.py).

Models are versioned directories under ``<data dir>/spam-models`` (model_store.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careloop.analytics.spam.features import feature_label
from careloop.analytics.spam.kinds import NOT_SPAM

SPAM_THRESHOLD = 0.5
FEATURES_SHOWN = 5


@dataclass(frozen=True)
class Verdict:
    spam: bool
    kind: str
    score: float
    features: tuple[str, ...]


class SpamClassifier:
    """A trained pair of models (spam or not, and the kind) with the metadata it was saved
    with (version, sources, metrics)."""

    def __init__(self, spam_model: Any, kind_model: Any | None, metadata: dict[str, Any]):
        self._spam = spam_model
        self._kind = kind_model
        self.metadata = metadata

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", ""))

    def classify(self, texts: Sequence[str]) -> list[Verdict]:
        if not texts:
            return []
        texts = [t or "" for t in texts]
        scores = self._spam.predict_proba(texts)[:, 1]
        spam_reasons = _reasons(self._spam, texts, positive=[s >= SPAM_THRESHOLD for s in scores])
        kinds = [NOT_SPAM] * len(texts)
        spam_rows = [i for i, s in enumerate(scores) if s >= SPAM_THRESHOLD]
        if spam_rows:
            if self._kind is None:
                for i in spam_rows:
                    kinds[i] = "other"
            else:
                found = self._kind.predict([texts[i] for i in spam_rows])
                for i, code in zip(spam_rows, found, strict=True):
                    kinds[i] = str(code)
        return [
            Verdict(bool(s >= SPAM_THRESHOLD), kinds[i], round(float(s), 4), spam_reasons[i])
            for i, s in enumerate(scores)
        ]


def _reasons(
    pipeline: Any, texts: Sequence[str], positive: Sequence[bool]
) -> list[tuple[str, ...]]:
    """Per text, the features that pushed hardest towards its verdict (spam: the largest
    positive contributions; not spam: the most negative)."""
    import numpy as np

    vectoriser = pipeline.named_steps["features"]
    weights = pipeline.named_steps["model"].coef_[0]
    names = vectoriser.get_feature_names_out()
    matrix = vectoriser.transform(texts).tocsr()
    reasons: list[tuple[str, ...]] = []
    for row, is_spam in enumerate(positive):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[start:end]
        contributions = matrix.data[start:end] * weights[columns]
        if not is_spam:
            contributions = -contributions
        order = np.argsort(-contributions, kind="stable")
        picked: list[str] = []
        for k in order:
            if contributions[k] <= 0 or len(picked) == FEATURES_SHOWN:
                break
            label = feature_label(str(names[columns[k]]))
            if _readable(label) and label not in picked:
                picked.append(label)
        reasons.append(tuple(picked))
    return reasons


def _readable(label: str) -> bool:
    """Spaces and a lone punctuation mark carry weight but tell a person nothing."""
    return bool(label) and (len(label) > 1 or label.isalnum())


def load_latest(data_dir: Path) -> SpamClassifier:
    """The newest model under ``<data_dir>/spam-models``; NoModelError when none is there."""
    from careloop.analytics.spam.model_store import latest_version, load_version, models_root

    return load_version(latest_version(models_root(data_dir)))
