"""What the classifier reads in a message: normalised text and its character n-grams.

Character n-grams need no word segmentation, so one vectoriser serves Chinese and English
(and the mixed messages spammers send: "加V信 ABC123 领¥888"). Before counting, what varies
from copy to copy of one campaign is replaced by a placeholder, so the model learns "has a
link" or "has a phone number" rather than one campaign's link or number:

- links (http…, www…, and bare domains such as ``abc.cn/x``) → ``⟨网址⟩``
- phone numbers and other runs of 7 or more digits → ``⟨号码⟩``
- every other digit → ``0`` (amounts and codes keep their length: "¥88" and "¥50" look alike)

Two TF-IDF blocks are joined: character n-grams of 1 to 4 within word boundaries (Chinese
runs and English words), and word unigrams and bigrams (English words carry meaning alone:
"free", "claim", "prize"). Sublinear term frequency keeps a repeated "!!!" from dominating.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # scikit-learn is imported by the functions that fit, not at import time
    from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

LINK: Final = "⟨网址⟩"
NUMBER: Final = "⟨号码⟩"

_LINK_RE: Final = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|top|xyz|vip|cc|me|info|ly|co|uk|io)"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
_LONG_NUMBER_RE: Final = re.compile(r"\+?\d(?:[\d -]{5,}\d)")
_DIGIT_RE: Final = re.compile(r"\d")
_SPACE_RE: Final = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text the vectoriser sees: NFKC (full-width letters and digits become ASCII),
    lower case, links and long numbers as placeholders, other digits as 0, spaces squeezed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _LINK_RE.sub(f" {LINK} ", text)
    text = _LONG_NUMBER_RE.sub(
        lambda m: f" {NUMBER} " if sum(c.isdigit() for c in m.group()) >= 7 else m.group(),
        text,
    )
    text = _DIGIT_RE.sub("0", text)
    return _SPACE_RE.sub(" ", text).strip()


def build_vectoriser() -> FeatureUnion:
    """A fresh, unfitted vectoriser (character and word TF-IDF side by side)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion

    chars = TfidfVectorizer(
        preprocessor=normalise,
        analyzer="char_wb",
        ngram_range=(1, 4),
        min_df=2,
        sublinear_tf=True,
        dtype=_float32(),
    )
    words = TfidfVectorizer(
        preprocessor=normalise,
        analyzer="word",
        token_pattern=r"(?u)⟨\w+⟩|\b\w\w+\b|[£$¥€!]",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        dtype=_float32(),
    )
    return FeatureUnion([("chars", chars), ("words", words)])


def feature_label(name: str) -> str:
    """A feature as a person reads it: 'chars__ 免费' → '免费', 'words__call now' → 'call now'."""
    _, _, gram = name.partition("__")
    return gram.strip()


def _float32() -> type:
    import numpy as np

    return np.float32
