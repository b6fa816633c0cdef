"""The satisfaction index (用户满意度指数, DOMAIN.md §6) and the regulator's grading scale.

The ACSI/ECSI index of a latent from its items' means and PLS outer weights, and the band
(满意级度) an index falls in.

Negative weights: an index is a weighted mean of item means, so its weights must not be
negative. A formative (mode B) block often has one (PERQ6 in the ECSI survey: −0.09): the
item is collinear with the others, and its negative multiple-regression weight does not
mean that satisfaction falls as the item's score rises. Such an item gets weight 0 in the
index and the others are renormalised; the PLS estimate itself keeps the negative weight,
and `index_weights` shows which weights were used. A block with no positive weight has no
index (InvalidInput).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from careloop.domain.csi.pls import PlsEstimate
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


def index_weights(estimate: PlsEstimate, latent: str) -> dict[str, float]:
    """The normalised weights (summing to 1) the index of `latent` puts on its raw items.

    A standardised model's weights act on items divided by their sd, so on the raw 1–10
    answers they are wᵢ / sdᵢ (Fornell et al. 1996, p. 10: "unstandardized weights"); an
    unstandardised model's weights already act on the raw (centred) items. Negative
    weights become 0 (module docstring).
    """
    block = estimate.model.block(latent)
    outer = estimate.outer_of(block.name)
    if estimate.model.standardised:
        raw = [o.weight / estimate.item_sds[o.item] for o in outer]
    else:
        raw = [o.weight for o in outer]
    kept = [max(w, 0.0) for w in raw]
    total = sum(kept)
    if not total > 0:
        raise InvalidInput(
            "weights",
            f"「{block.shown_zh}」没有正的权重，无法计算指数 / "
            f"{block.shown_en} has no positive weight and so no index",
        )
    return {o.item: w / total for o, w in zip(outer, kept, strict=True)}


def satisfaction_index(
    estimate: PlsEstimate,
    latent: str,
    *,
    item_means: Mapping[str, float] | None = None,
    scale_min: float = 1.0,
    scale_max: float = 10.0,
) -> float:
    """The 0–100 index of `latent`: Σ wᵢ (x̄ᵢ − min) / (max − min) × 100 with the weights
    of `index_weights` (DOMAIN.md §6). `item_means` default to the estimate's own; a
    stratum's or a design-weighted mean may be given instead (same weights, other means)."""
    weights = index_weights(estimate, latent)
    means = estimate.item_means if item_means is None else item_means
    missing = [item for item in weights if item not in means]
    if missing:
        raise InvalidInput(
            "item_means",
            f"缺少题项均值：{', '.join(missing)} / no mean given for: {', '.join(missing)}",
        )
    return acsi_index(
        [float(means[item]) for item in weights],
        list(weights.values()),
        scale_min=scale_min,
        scale_max=scale_max,
    )


def satisfaction_indices(
    estimate: PlsEstimate,
    *,
    item_means: Mapping[str, float] | None = None,
    scale_min: float = 1.0,
    scale_max: float = 10.0,
) -> dict[str, float]:
    """The index of every latent the model reports (`index_latents`, or all), in order."""
    latents = estimate.model.index_latents or estimate.model.latents
    return {
        latent: satisfaction_index(
            estimate, latent, item_means=item_means, scale_min=scale_min, scale_max=scale_max
        )
        for latent in latents
    }
