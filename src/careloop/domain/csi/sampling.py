"""The survey's sampling design: how many to interview, where, and how to weigh them back.

The regulator's CSI evaluation draws probability samples per operator × service (DOMAIN.md
§6); the index it publishes is a weighted estimate with a margin of error. The formulas are
the textbook ones, cited where they are used:

- Cochran, W. G. (1977) *Sampling Techniques*, 3rd ed., Wiley: §4.4 (sample size for a
  proportion), §4.6 (for a mean), §5.3 (variance of the stratified mean), §5.5 (proportional
  and optimum "Neyman" allocation), §5.9 (optimum allocation that exceeds a stratum).
- Kish, L. (1965) *Survey Sampling*, Wiley: the design effect and the effective sample size.
- Lohr, S. L. (2019) *Sampling: Design and Analysis*, 2nd ed., §9.1: the linearisation
  (Taylor) variance of a weighted mean, which the R `survey` package's ``svymean`` computes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import norm  # type: ignore[import-untyped]

from careloop.domain.errors import InvalidInput

AllocationMethod = Literal["proportional", "neyman"]


class SamplingInputError(InvalidInput):
    """A design input a person has to correct, said in their language (zh first)."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(field, en)

    def message(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


@dataclass(frozen=True)
class StratumFrame:
    """What the sampling frame says about one stratum: its size and, for Neyman allocation,
    the standard deviation of the index expected there (from last year's study)."""

    population: int
    sd: float | None = None


@dataclass(frozen=True)
class IndexEstimate:
    """A weighted estimate with its margin: ``std_error`` and the interval are None when a
    single response cannot say how far the estimate may be off."""

    value: float
    std_error: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    effective_n: float


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise SamplingInputError(
            "level",
            f"置信水平应在 0 到 1 之间（例如 0.95），收到 {level}",
            f"the confidence level must lie between 0 and 1 (e.g. 0.95), got {level}",
        )
    return float(norm.ppf(0.5 + level / 2.0))


def _whole(value: float) -> int:
    """Round a sample size up; a hair above a whole number from floating point is not an
    extra interview."""
    return math.ceil(value - 1e-9)


def sample_size(
    margin: float,
    *,
    sd: float | None = None,
    proportion: float | None = None,
    level: float = 0.95,
    population: int | None = None,
    design_effect: float = 1.0,
) -> int:
    """Interviews needed so the estimate lies within ±``margin`` at confidence ``level``.

    Give ``sd`` for a mean (e.g. an index on 0–100, margin in index points) or
    ``proportion`` for a share (margin as a fraction). n₀ = z²σ²/d² (Cochran §4.6) or
    z²pq/d² (§4.4), times the design effect (Kish), then the finite-population correction:
    n = n₀/(1 + n₀/N) for a mean, n₀/(1 + (n₀ − 1)/N) for a proportion (Cochran's forms).
    """
    if (sd is None) == (proportion is None):
        raise SamplingInputError(
            "sd",
            "请给出标准差（均值）或比例（比例）之一",
            "give either the standard deviation (for a mean) or the proportion, not both",
        )
    if not margin > 0 or not math.isfinite(margin):
        raise SamplingInputError(
            "margin",
            f"允许误差必须大于 0，收到 {margin}",
            f"the margin of error must be above 0, got {margin}",
        )
    if not design_effect >= 1.0 or not math.isfinite(design_effect):
        raise SamplingInputError(
            "design_effect",
            f"设计效应不能小于 1，收到 {design_effect}",
            f"the design effect must be at least 1, got {design_effect}",
        )
    if population is not None and population < 1:
        raise SamplingInputError(
            "population",
            f"总体数量必须是正整数，收到 {population}",
            f"the population must be a positive whole number, got {population}",
        )
    z = _z(level)
    if sd is not None:
        if not sd > 0 or not math.isfinite(sd):
            raise SamplingInputError(
                "sd",
                f"标准差必须大于 0，收到 {sd}",
                f"the standard deviation must be above 0, got {sd}",
            )
        variance = sd * sd
        shift = 0.0
    else:
        assert proportion is not None
        if not 0.0 < proportion < 1.0:
            raise SamplingInputError(
                "proportion",
                f"比例应在 0 到 1 之间，收到 {proportion}",
                f"the proportion must lie between 0 and 1, got {proportion}",
            )
        variance = proportion * (1.0 - proportion)
        shift = 1.0
    n0 = z * z * variance / (margin * margin) * design_effect
    if population is not None:
        n0 = n0 / (1.0 + (n0 - shift) / population)
        return min(_whole(n0), population)
    return _whole(n0)


def _largest_remainder(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Whole numbers summing to ``total`` closest to ``shares`` (Hamilton's method); ties go
    to the stratum listed first, so the same frame always gives the same allocation."""
    floors = {h: math.floor(s + 1e-9) for h, s in shares.items()}
    left = total - sum(floors.values())
    order = sorted(shares, key=lambda h: -(shares[h] - floors[h]))
    for h in order[:left]:
        floors[h] += 1
    return floors


def allocate(
    total: int,
    strata: Mapping[str, StratumFrame],
    method: AllocationMethod = "proportional",
    *,
    minimum: int = 2,
) -> dict[str, int]:
    """Split ``total`` interviews over the strata, in whole numbers that add up to it.

    Proportional: n_h ∝ N_h; Neyman: n_h ∝ N_h·S_h (Cochran §5.5). Every stratum gets at
    least ``minimum`` (two are needed to estimate its variance) and never more than its
    population: such strata are fixed there and the rest is shared again among the others
    (Cochran §5.9).
    """
    if not strata:
        raise SamplingInputError("strata", "至少需要一个分层", "at least one stratum is needed")
    if method not in ("proportional", "neyman"):
        raise SamplingInputError(
            "method",
            f"分配方法只能是按比例（proportional）或最优（neyman），收到 {method}",
            f"the allocation is proportional or neyman, got {method}",
        )
    size: dict[str, float] = {}
    for name, frame in strata.items():
        if frame.population < 1:
            raise SamplingInputError(
                "population",
                f"分层「{name}」的总体数量必须是正整数",
                f"stratum '{name}' needs a positive population",
            )
        if method == "neyman":
            if frame.sd is None or not frame.sd > 0 or not math.isfinite(frame.sd):
                raise SamplingInputError(
                    "sd",
                    f"最优分配需要分层「{name}」的标准差（大于 0）",
                    f"Neyman allocation needs a standard deviation above 0 for stratum '{name}'",
                )
            size[name] = frame.population * frame.sd
        else:
            size[name] = float(frame.population)
    floor_of = {h: min(minimum, f.population) for h, f in strata.items()}
    population = sum(f.population for f in strata.values())
    if total > population:
        raise SamplingInputError(
            "total",
            f"样本量 {total} 超过了总体数量 {population}",
            f"a sample of {total} exceeds the population of {population}",
        )
    if total < sum(floor_of.values()):
        raise SamplingInputError(
            "total",
            f"样本量 {total} 不够每个分层至少 {minimum} 个",
            f"a sample of {total} cannot give every stratum at least {minimum}",
        )
    fixed: dict[str, int] = {}
    while True:
        free = [h for h in strata if h not in fixed]
        remaining = total - sum(fixed.values())
        weight = sum(size[h] for h in free)
        shares = {h: remaining * size[h] / weight for h in free}
        changed = False
        for h in free:
            if shares[h] < floor_of[h]:
                fixed[h], changed = floor_of[h], True
            elif shares[h] > strata[h].population:
                fixed[h], changed = strata[h].population, True
        if not changed:
            break
        if len(fixed) == len(strata):
            shares = {}
            break
    result = {**fixed, **_largest_remainder(total - sum(fixed.values()), shares)}
    return {h: result[h] for h in strata}


def design_weights(population: Mapping[str, int], achieved: Mapping[str, int]) -> dict[str, float]:
    """Each response stands for N_h / n_h people of its stratum (the inverse of its chance
    of being interviewed in a stratified simple random sample)."""
    missing = sorted(set(population) ^ set(achieved))
    if missing:
        raise SamplingInputError(
            "strata",
            f"总体与样本的分层不一致：{'、'.join(missing)}",
            f"the population and the sample name different strata: {', '.join(missing)}",
        )
    weights: dict[str, float] = {}
    for h, big_n in population.items():
        n = achieved[h]
        if n < 1 or big_n < n:
            raise SamplingInputError(
                "achieved",
                f"分层「{h}」的样本量 {n} 应在 1 到总体数量 {big_n} 之间",
                f"stratum '{h}' has {n} responses; it needs 1 to its population of {big_n}",
            )
        weights[h] = big_n / n
    return weights


def weighted_index(
    scores: np.ndarray,
    weights: np.ndarray,
    strata: Sequence[str] | None = None,
    level: float = 0.95,
) -> IndexEstimate:
    """The weighted mean of respondents' scores with a confidence interval.

    Value: Σwᵢyᵢ / Σwᵢ. Variance: linearisation for a stratified with-replacement design
    (Lohr §9.1; ``svymean`` of R's survey package): with zᵢ = wᵢ(yᵢ − ȳ)/Σw,
    V = Σ_h n_h/(n_h − 1) Σ_{i∈h} (zᵢ − z̄_h)². With weights N_h/n_h this is Cochran's
    Σ W_h² s_h²/n_h (§5.3, without the finite-population factor). A stratum of one response
    is centred on the overall mean instead (survey's ``lonely.psu = "adjust"``).
    """
    y = np.asarray(scores, dtype=float).ravel()
    w = np.asarray(weights, dtype=float).ravel()
    n = int(y.size)
    if n == 0:
        raise SamplingInputError("scores", "没有可用的回答", "there are no responses")
    if w.size != n or (strata is not None and len(strata) != n):
        raise SamplingInputError(
            "weights",
            "每个回答需要一个权重和一个分层",
            "every response needs one weight (and one stratum)",
        )
    if not np.all(np.isfinite(y)):
        raise SamplingInputError(
            "scores", "得分中有缺失或无效的值", "a score is missing or invalid"
        )
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise SamplingInputError(
            "weights", "权重必须是大于 0 的数", "every weight must be a number above 0"
        )
    z_level = _z(level)
    total = float(w.sum())
    value = float(w @ y / total)
    effective_n = total * total / float(w @ w)
    if n < 2:
        return IndexEstimate(value, None, None, None, n, effective_n)
    z = w * (y - value) / total
    labels = list(strata) if strata is not None else [""] * n
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    grand = float(z.mean())
    variance = 0.0
    for members in groups.values():
        part = z[members]
        k = len(members)
        if k == 1:
            variance += float((part[0] - grand) ** 2)
        else:
            variance += k / (k - 1) * float(((part - part.mean()) ** 2).sum())
    se = math.sqrt(variance)
    return IndexEstimate(value, se, value - z_level * se, value + z_level * se, n, effective_n)
