"""Near-duplicate detection of spam messages: the same text reported by many is one campaign.

Senders vary what filters key on: the phone number to call back, the link (a fresh short
URL per batch), a verification code, and padding (spaces, punctuation, emoji, full-width
characters) added to defeat exact matching. So a message is first reduced to what stays the
same (``normalise``: digits → ``#``, links → ``@``, no spaces, punctuation or symbols), then
described by its character 3-grams (shingles) and a MinHash signature of them: the share of
equal signature values estimates the Jaccard similarity of two messages' shingles.

Locality-sensitive hashing (banding) finds candidates without comparing every pair: the
signature is cut into ``BANDS`` bands of ``ROWS`` values; two messages sharing any band's
digest are candidates, and a candidate joins a campaign when its estimated similarity is at
least ``SAME_CAMPAIGN``. With 32 bands of 4 rows, messages of similarity 0.6 meet in some
band with probability 0.99, messages of 0.2 with 0.05 (then refused by the estimate).

Pure: no I/O; stable across processes and machines (no ``hash()``, fixed seeds), since
signatures and band digests are stored and compared later.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np

NUM_PERM: Final = 128
BANDS: Final = 32
ROWS: Final = NUM_PERM // BANDS
SHINGLE: Final = 3
SAME_CAMPAIGN: Final = 0.6
"""Estimated Jaccard similarity from which two messages are one campaign."""

_PRIME: Final = np.uint64((1 << 61) - 1)
_MAX32: Final = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(20261128)
_A: Final = _rng.randint(1, 2**31 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_B: Final = _rng.randint(0, 2**31 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)

_URL: Final = re.compile(
    r"(?:https?://|www\.)[!-~]+"
    r"|(?<![a-z0-9.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:cn|com|net|org|cc|vip|top|xyz|io|me|ly|co)(?![a-z0-9-])(?:/[!-~]*)?",
    re.IGNORECASE,
)
_DIGITS: Final = re.compile(r"\d+")
_RUNS: Final = re.compile(r"#+|@+")
_DROPPED: Final = re.compile(r"[^\w#@]|_")
"""Everything but letters, digits (already ``#``) and the link mark: spaces, punctuation,
symbols, emoji."""


def normalise(text: str) -> str:
    """What stays the same across a campaign's messages: full-width folded (NFKC), lower
    case, links as ``@``, every run of digits as ``#`` (spaces within it ignored), letters
    and CJK characters kept, spaces, punctuation, symbols and emoji dropped."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = _URL.sub("@", folded)
    folded = _DIGITS.sub("#", folded)
    kept = _DROPPED.sub("", folded)
    # Digits grouped by spaces ("159 0000 1111") are one number once the spaces are gone.
    return _RUNS.sub(lambda m: m.group(0)[0], kept)


def shingles(normalised: str) -> set[str]:
    """Character 3-grams; a text shorter than that is its own single shingle."""
    if len(normalised) <= SHINGLE:
        return {normalised} if normalised else set()
    return {normalised[i : i + SHINGLE] for i in range(len(normalised) - SHINGLE + 1)}


def signature(text: str) -> tuple[int, ...]:
    """The MinHash signature (``NUM_PERM`` values below 2³²) of a message's shingles."""
    return _signature_of(normalise(text))


def fingerprint(text: str) -> tuple[tuple[int, ...], list[str]]:
    """A message's signature and band digests (the look-up keys), computed once per
    distinct normalised text."""
    sig, digests = _fingerprint_of(normalise(text))
    return sig, list(digests)


@lru_cache(maxsize=4096)
def _fingerprint_of(normalised: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    sig = _signature_of(normalised)
    return sig, tuple(band_digests(sig))


@lru_cache(maxsize=4096)
def _signature_of(normalised: str) -> tuple[int, ...]:
    # A campaign's messages mostly normalise to the same text: computed once per process.
    grams = shingles(normalised)
    if not grams:
        return (int(_MAX32),) * NUM_PERM
    base = np.fromiter(
        (zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams)
    )
    # Universal hashing per permutation; the uint64 product may wrap, which keeps it a
    # deterministic hash family (as datasketch does).
    with np.errstate(over="ignore"):
        values = (np.outer(base, _A) + _B) % _PRIME & _MAX32
    return tuple(int(v) for v in values.min(axis=0))


def similarity(one: Sequence[int], other: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of equal signature values."""
    if len(one) != len(other) or not one:
        return 0.0
    return sum(1 for a, b in zip(one, other, strict=True) if a == b) / len(one)


def band_digests(sig: Sequence[int]) -> list[str]:
    """One 16-hex-digit digest per band, band number included so equal values in different
    bands never meet."""
    digests = []
    for band in range(BANDS):
        part = sig[band * ROWS : (band + 1) * ROWS]
        raw = f"{band}:" + ",".join(str(v) for v in part)
        digests.append(hashlib.blake2b(raw.encode("ascii"), digest_size=8).hexdigest())
    return digests


@dataclass(frozen=True, slots=True)
class Candidate:
    campaign_id: int
    signature: Sequence[int]


def best_match(sig: Sequence[int], candidates: Sequence[Candidate]) -> int | None:
    """The campaign a message joins: the most similar candidate at or above
    ``SAME_CAMPAIGN`` (the oldest on a tie), else None (it starts a campaign)."""
    best: tuple[float, int] | None = None
    for candidate in candidates:
        score = similarity(sig, candidate.signature)
        if score < SAME_CAMPAIGN:
            continue
        key = (score, -candidate.campaign_id)
        if best is None or key > (best[0], -best[1]):
            best = (score, candidate.campaign_id)
    return None if best is None else best[1]
