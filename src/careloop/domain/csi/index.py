"""The satisfaction index (用户满意度指数, DOMAIN.md §6) and the regulator's grading scale.

For the coming survey and CSI system: the ACSI/ECSI index from item means and PLS weights,
and the band (满意级度) an index falls in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from careloop.domain.errors import InvalidInput


@dataclass(frozen=True)
class Grade:
    """One band of the grading scale: from ``lower`` (inclusive) up to the next band."""

    lower: float
    code: str
    label_zh: str
    label_en: str


DEFAULT_CSI_SCALE: Final[tuple[Grade, ...]] = (
    Grade(90.0, "very_satisfied", "很满意", "very satisfied"),
    Grade(80.0, "satisfied", "满意", "satisfied"),
    Grade(70.0, "fairly_satisfied", "较满意", "fairly satisfied"),
    Grade(60.0, "average", "一般", "average"),
    Grade(50.0, "not_very_satisfied", "不太满意", "not very satisfied"),
    Grade(30.0, "dissatisfied", "不满意", "dissatisfied"),
    Grade(-math.inf, "very_dissatisfied", "很不满意", "very dissatisfied"),
)
"""The regulator's 满意级度 as the seeds quote it: 90–100, 80–89.99, …, below 30."""


def grade_csi(index: float, scale: Sequence[Grade] = DEFAULT_CSI_SCALE) -> Grade:
    """The band an index (0–100) falls in; band lower bounds are inclusive (90 → very satisfied,
    89.99 → satisfied). Scales are configurable and may be given in any order."""
    if math.isnan(index) or not 0.0 <= index <= 100.0:
        raise InvalidInput("index", f"satisfaction index must be within 0–100, got {index}")
    for grade in sorted(scale, key=lambda g: g.lower, reverse=True):
        if index >= grade.lower:
            return grade
    raise InvalidInput("scale", f"no grade covers {index}")


def acsi_index(
    item_means: Sequence[float],
    weights: Sequence[float] | None = None,
    *,
    scale_min: float = 1.0,
    scale_max: float = 10.0,
) -> float:
    """ACSI satisfaction index: Σ wᵢ (x̄ᵢ − 1) / 9 × 100 on 1–10 items (DOMAIN.md §6).

    ``weights`` (the PLS outer weights) are normalised to sum to 1 here; None means equal
    weights. Other item scales generalise as (x̄ − min) / (max − min).
    """
    if not item_means:
        raise InvalidInput("item_means", "at least one item is needed")
    ws = [1.0] * len(item_means) if weights is None else list(weights)
    if len(ws) != len(item_means):
        raise InvalidInput("weights", "one weight per item is needed")
    if any(w < 0 for w in ws) or sum(ws) <= 0:
        raise InvalidInput("weights", "weights must be non-negative with a positive sum")
    if any(not scale_min <= x <= scale_max for x in item_means):
        raise InvalidInput("item_means", f"item means must lie within {scale_min}–{scale_max}")
    total = sum(ws)
    span = scale_max - scale_min
    return sum(
        w / total * (x - scale_min) / span * 100.0 for w, x in zip(ws, item_means, strict=True)
    )
