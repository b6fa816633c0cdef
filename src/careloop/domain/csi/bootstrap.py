"""Bootstrap standard errors and percentile intervals for a PLS path model.

PLS-PM makes no distributional assumption, so its precision is judged by resampling the
respondents (Tenenhaus et al. 2005, §2.5; Efron & Tibshirani 1993, ch. 6 and 13): each
resample draws n rows with replacement, is estimated afresh, and the spread of its
estimates gives the standard error (sd with n − 1 over resamples), t = estimate / SE and
the percentile interval.

A latent's sign is arbitrary, so a resample may come out mirrored (every loading of a
block negated). Before its numbers are pooled, each latent of a resample is turned to
agree with the full-sample estimate: mode A blocks by the sign of Σ λᵇλ (loadings),
mode B blocks by the sign of Σ wᵇw (weights); a path's coefficient is multiplied by the
signs of both its ends (the individual sign-change option of Tenenhaus et al. 2005, §2.5).

A resample the algorithm cannot estimate (an item answered the same by every drawn
respondent, collinear formative items, no convergence) is skipped and counted; the count
of those that were used is `bootstrap_resamples`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from careloop.domain.csi.model import PathModel
from careloop.domain.csi.pls import PlsEstimate, PlsNumbers, estimate, estimate_numbers
from careloop.domain.errors import InvalidInput

FloatArray = NDArray[np.float64]


def _aligned(full: PlsEstimate, sample: PlsNumbers) -> PlsNumbers:
    """The resample's numbers, each latent turned to the full sample's orientation."""
    model = full.model
    ref_w = np.array([o.weight for o in full.outer])
    ref_l = np.array([o.loading for o in full.outer])
    item_sign = np.ones(len(ref_w))
    latent_sign: dict[str, float] = {}
    start = 0
    for block in model.blocks:
        span = slice(start, start + len(block.items))
        start += len(block.items)
        if block.mode == "A":
            agreement = float(ref_l[span] @ sample.loadings[span])
        else:
            agreement = float(ref_w[span] @ sample.weights[span])
        latent_sign[block.name] = -1.0 if agreement < 0 else 1.0
        item_sign[span] = latent_sign[block.name]
    path_sign = np.array([latent_sign[s] * latent_sign[t] for s, t in model.paths])
    return PlsNumbers(
        weights=sample.weights * item_sign,
        loadings=sample.loadings * item_sign,
        paths=sample.paths * path_sign,
    )


def _interval(values: FloatArray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    return float(low), float(high)


def _t(value: float, se: float) -> float:
    return value / se if se > 0 else float("inf") if value else 0.0


def bootstrap(
    data: FloatArray,
    columns: Sequence[str],
    model: PathModel,
    *,
    resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
    **estimate_kwargs: Any,
) -> PlsEstimate:
    """The full-sample estimate with SEs, t values and percentile CIs filled in.

    Deterministic for a given `seed` (numpy's default Generator). Raises InvalidInput when
    the full sample cannot be estimated, when `resamples` < 2 or `level` is not in (0, 1),
    or when fewer than two resamples could be estimated.
    """
    if resamples < 2:
        raise InvalidInput(
            "bootstrap_resamples", "至少需要 2 次重抽样 / at least 2 resamples are needed"
        )
    if not 0.0 < level < 1.0:
        raise InvalidInput(
            "confidence_level", "置信水平应在 0 与 1 之间 / the level must lie between 0 and 1"
        )
    values = np.asarray(data, dtype=float)
    full = estimate(values, columns, model, **estimate_kwargs)
    rng = np.random.default_rng(seed)
    n = values.shape[0]
    weights: list[FloatArray] = []
    loadings: list[FloatArray] = []
    paths: list[FloatArray] = []
    for _ in range(resamples):
        rows = rng.integers(0, n, size=n)
        try:
            sample = estimate_numbers(values[rows], columns, model, **estimate_kwargs)
        except InvalidInput:
            continue
        turned = _aligned(full, sample)
        weights.append(turned.weights)
        loadings.append(turned.loadings)
        paths.append(turned.paths)
    used = len(weights)
    if used < 2:
        raise InvalidInput(
            "bootstrap_resamples",
            f"只有 {used} 次重抽样可以估计，无法计算标准误 / "
            f"only {used} resamples could be estimated; no standard error can be given",
        )
    w_all, lam_all = np.vstack(weights), np.vstack(loadings)
    b_all = np.vstack(paths) if full.paths else np.zeros((used, 0))
    w_se, lam_se = w_all.std(axis=0, ddof=1), lam_all.std(axis=0, ddof=1)
    b_se = b_all.std(axis=0, ddof=1)
    outer = tuple(
        replace(
            o,
            weight_se=float(w_se[i]),
            loading_se=float(lam_se[i]),
            weight_ci=_interval(w_all[:, i], level),
            loading_ci=_interval(lam_all[:, i], level),
        )
        for i, o in enumerate(full.outer)
    )
    path_estimates = []
    for i, p in enumerate(full.paths):
        low, high = _interval(b_all[:, i], level)
        se = float(b_se[i])
        path_estimates.append(
            replace(p, std_error=se, t_value=_t(p.estimate, se), ci_low=low, ci_high=high)
        )
    return replace(full, outer=outer, paths=tuple(path_estimates), bootstrap_resamples=used)
