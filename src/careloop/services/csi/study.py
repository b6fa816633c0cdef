"""Run a satisfaction-index study: estimate the path model on the complete responses, then
the 0–100 index of each reported latent for the whole sample and per stratum.

The model is estimated once, on the pooled sample, unweighted (as the ACSI does: the
weights measure how the items form a latent, the same for everybody). The index is then
weighed back to the population with the design weights, per operator × service × region
and overall, with intervals from the stratified variance (``domain.csi.sampling``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from careloop.domain.csi.bootstrap import bootstrap
from careloop.domain.csi.index import grade_csi, index_weights, satisfaction_index
from careloop.domain.csi.model import PathModel
from careloop.domain.csi.pls import PlsEstimate, estimate
from careloop.domain.csi.sampling import IndexEstimate, weighted_index
from careloop.domain.errors import InvalidInput
from careloop.services.csi.errors import StudyInputError, told_apart
from careloop.services.csi.survey import ITEM_MAX, ITEM_MIN, SurveyData

MAX_RESAMPLES = 5000
"""More resamples than this change nothing a report shows and only keep a page waiting."""


@dataclass(frozen=True)
class LatentRow:
    name: str
    label_zh: str
    label_en: str
    mode: str
    items: tuple[str, ...]
    endogenous: bool


@dataclass(frozen=True)
class PathRow:
    source: str
    target: str
    estimate: float
    std_error: float | None = None
    t_value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class OuterRow:
    item: str
    latent: str
    weight: float
    loading: float
    communality: float
    redundancy: float | None
    mean: float
    sd: float
    index_weight: float | None  # the normalised weight in the latent's index, if reported
    weight_se: float | None = None
    loading_se: float | None = None


@dataclass(frozen=True)
class QualityRow:
    latent: str
    mode: str
    items: int
    cronbach_alpha: float | None
    dillon_goldstein_rho: float | None
    ave: float | None
    communality: float
    redundancy: float | None
    r_squared: float | None


@dataclass(frozen=True)
class IndexRow:
    """One latent's index in one group of respondents, with its grade."""

    latent: str
    value: float
    std_error: float | None
    ci_low: float | None
    ci_high: float | None
    grade_code: str
    grade_zh: str
    grade_en: str


@dataclass(frozen=True)
class StratumRow:
    """A cell of the design (e.g. 移动 × 宽带 × 杭州) or a margin (移动, all services)."""

    values: tuple[str, ...]  # one per strata column; "" where a margin sums over it
    n: int
    weight_sum: float
    effective_n: float
    index: tuple[IndexRow, ...]


@dataclass(frozen=True)
class StudyResult:
    """Everything a study's report, page and JSON show; JSON-ready (``as_dict``)."""

    model_name: str
    scheme: str
    standardised: bool
    latents: tuple[LatentRow, ...]
    index_latents: tuple[str, ...]
    n: int
    read: int
    dropped: int
    dropped_lines: tuple[int, ...]
    iterations: int
    bootstrap_resamples: int
    seed: int
    level: float
    strata_columns: tuple[str, ...]
    weight_column: str | None
    paths: tuple[PathRow, ...]
    r_squared: Mapping[str, float]
    outer: tuple[OuterRow, ...]
    quality: tuple[QualityRow, ...]
    gof: float
    index: tuple[IndexRow, ...]
    strata: tuple[StratumRow, ...]
    margins: tuple[StratumRow, ...] = field(default=())
    source: str = ""

    def latent(self, name: str) -> LatentRow:
        return next(row for row in self.latents if row.name == name)

    def index_of(self, latent: str) -> IndexRow:
        return next(row for row in self.index if row.latent == latent)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (and a JSONB column): an infinite or undefined number, such
        as the t value of a coefficient whose resamples never moved, becomes None."""
        cleaned: dict[str, Any] = finite(asdict(self))
        return cleaned


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float inside it replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def _grade(latent: str, value: float, spread: IndexEstimate | None) -> IndexRow:
    grade = grade_csi(min(max(value, 0.0), 100.0))
    return IndexRow(
        latent=latent,
        value=float(value),
        std_error=spread.std_error if spread else None,
        ci_low=spread.ci_low if spread else None,
        ci_high=spread.ci_high if spread else None,
        grade_code=grade.code,
        grade_zh=grade.label_zh,
        grade_en=grade.label_en,
    )


def _weighted_means(
    values: np.ndarray, weights: np.ndarray, items: Sequence[str]
) -> dict[str, float]:
    means = weights @ values / weights.sum()
    return {item: float(m) for item, m in zip(items, means, strict=True)}


class _Indexer:
    """The index of each reported latent for any group of respondents: the engine's formula
    on the group's (weighted) item means, its interval from the respondents' own indices."""

    def __init__(self, fit: PlsEstimate, survey: SurveyData, latents: Sequence[str], level: float):
        self.fit, self.survey, self.latents, self.level = fit, survey, latents, level
        self.weights = (
            survey.weights if survey.weights is not None else np.ones(survey.n, dtype=float)
        )
        at = {item: i for i, item in enumerate(survey.items)}
        span = ITEM_MAX - ITEM_MIN
        self.personal: dict[str, np.ndarray] = {}
        for latent in latents:
            w = index_weights(fit, latent)
            cols = [at[item] for item in w]
            self.personal[latent] = (
                (survey.values[:, cols] - ITEM_MIN) / span * 100.0 @ np.array(list(w.values()))
            )

    def rows(self, members: np.ndarray, strata: Sequence[str] | None) -> tuple[IndexRow, ...]:
        w = self.weights[members]
        means = _weighted_means(self.survey.values[members], w, self.survey.items)
        found = []
        for latent in self.latents:
            value = satisfaction_index(self.fit, latent, item_means=means)
            spread = weighted_index(self.personal[latent][members], w, strata, self.level)
            found.append(_grade(latent, value, spread))
        return tuple(found)

    def group(self, values: tuple[str, ...], members: np.ndarray,
              strata: Sequence[str] | None) -> StratumRow:  # fmt: skip
        w = self.weights[members]
        return StratumRow(
            values=values,
            n=int(members.size),
            weight_sum=float(w.sum()),
            effective_n=float(w.sum() ** 2 / (w @ w)),
            index=self.rows(members, strata),
        )


def _fit(
    survey: SurveyData, model: PathModel, resamples: int, seed: int, level: float
) -> PlsEstimate:
    if resamples < 0 or resamples > MAX_RESAMPLES or resamples == 1:
        raise StudyInputError(
            "bootstrap",
            f"重抽样次数应为 0（不做）或 2 到 {MAX_RESAMPLES} 之间，收到 {resamples}",
            f"bootstrap resamples must be 0 (none) or 2 to {MAX_RESAMPLES}, got {resamples}",
        )
    if resamples:
        return bootstrap(
            survey.values, survey.items, model, resamples=resamples, seed=seed, level=level
        )
    return estimate(survey.values, survey.items, model)


def run_study(
    survey: SurveyData,
    model: PathModel,
    *,
    resamples: int = 0,
    seed: int = 0,
    level: float = 0.95,
    source: str = "",
) -> StudyResult:
    """Estimate ``model`` on ``survey`` and the index per latent, stratum and margin."""
    try:
        return _run(survey, model, resamples, seed, level, source)
    except InvalidInput as exc:
        raise told_apart(exc) from None


def _run(survey: SurveyData, model: PathModel, resamples: int, seed: int, level: float,
         source: str) -> StudyResult:  # fmt: skip
    fit = _fit(survey, model, resamples, seed, level)
    latents = model.index_latents or model.latents
    indexer = _Indexer(fit, survey, latents, level)
    index_weight = {item: w for latent in latents for item, w in index_weights(fit, latent).items()}
    cells: dict[tuple[str, ...], list[int]] = {}
    for i, values in enumerate(survey.strata):
        cells.setdefault(values, []).append(i)
    labels = ["\x1f".join(v) for v in survey.strata]
    everyone = np.arange(survey.n)
    overall = indexer.rows(everyone, labels if survey.strata_columns else None)
    strata: list[StratumRow] = []
    margins: list[StratumRow] = []
    if survey.strata_columns:
        for values in cells:
            strata.append(indexer.group(values, np.array(cells[values]), None))
        if len(survey.strata_columns) > 1:
            for k, _ in enumerate(survey.strata_columns):
                for level_value in dict.fromkeys(v[k] for v in cells):
                    members = np.array(
                        [i for i, v in enumerate(survey.strata) if v[k] == level_value]
                    )
                    shown = tuple(
                        level_value if j == k else "" for j in range(len(survey.strata_columns))
                    )
                    margins.append(indexer.group(shown, members, [labels[i] for i in members]))
    endogenous = set(fit.r_squared)
    return StudyResult(
        model_name=model.name,
        scheme=model.scheme,
        standardised=model.standardised,
        latents=tuple(
            LatentRow(b.name, b.shown_zh, b.shown_en, b.mode, b.items, b.name in endogenous)
            for b in model.blocks
        ),
        index_latents=tuple(latents),
        n=survey.n,
        read=survey.read,
        dropped=survey.dropped,
        dropped_lines=survey.dropped_lines,
        iterations=fit.iterations,
        bootstrap_resamples=fit.bootstrap_resamples,
        seed=seed,
        level=level,
        strata_columns=survey.strata_columns,
        weight_column=survey.weight_column,
        paths=tuple(
            PathRow(p.source, p.target, p.estimate, p.std_error, p.t_value, p.ci_low, p.ci_high)
            for p in fit.paths
        ),
        r_squared={k: float(v) for k, v in fit.r_squared.items()},
        outer=tuple(
            OuterRow(
                item=o.item,
                latent=o.latent,
                weight=o.weight,
                loading=o.loading,
                communality=o.communality,
                redundancy=o.redundancy,
                mean=float(fit.item_means[o.item]),
                sd=float(fit.item_sds[o.item]),
                index_weight=index_weight.get(o.item) if o.latent in latents else None,
                weight_se=o.weight_se,
                loading_se=o.loading_se,
            )
            for o in fit.outer
        ),
        quality=tuple(
            QualityRow(
                q.latent,
                q.mode,
                q.items,
                q.cronbach_alpha,
                q.dillon_goldstein_rho,
                q.ave,
                q.communality,
                q.redundancy,
                q.r_squared,
            )
            for q in fit.quality
        ),
        gof=float(fit.gof),
        index=overall,
        strata=tuple(strata),
        margins=tuple(margins),
        source=source,
    )


def _interval(row: IndexRow) -> list[float] | None:
    return None if row.ci_low is None or row.ci_high is None else [row.ci_low, row.ci_high]


def _group_view(result: StudyResult, group: StratumRow, en: bool) -> dict[str, Any]:
    return {
        "values": dict(zip(result.strata_columns, group.values, strict=True)),
        "n": group.n,
        "weight_sum": group.weight_sum,
        "effective_n": group.effective_n,
        "index": {r.latent: r.value for r in group.index},
        "std_error": {r.latent: r.std_error for r in group.index},
        "ci": {r.latent: _interval(r) for r in group.index},
        "grade": {r.latent: r.grade_en if en else r.grade_zh for r in group.index},
        "grade_code": {r.latent: r.grade_code for r in group.index},
    }


def machine_view(result: StudyResult, lang: str = "zh") -> dict[str, Any]:
    """The result for other tools: ``paths`` (from, to, estimate …), ``r_squared``,
    ``outer`` (item, latent, weight, loading …), ``gof``, ``index`` and ``grade`` per
    latent (the grade's label in ``lang``, its code in ``grade_code``), then the strata,
    margins, quality and the study's counts and settings."""
    en = lang.startswith("en")
    view: dict[str, Any] = {
        "paths": [
            {
                "from": p.source,
                "to": p.target,
                "estimate": p.estimate,
                "std_error": p.std_error,
                "t_value": p.t_value,
                "ci_low": p.ci_low,
                "ci_high": p.ci_high,
            }
            for p in result.paths
        ],
        "r_squared": dict(result.r_squared),
        "outer": [asdict(o) for o in result.outer],
        "gof": result.gof,
        "index": {r.latent: r.value for r in result.index},
        "grade": {r.latent: r.grade_en if en else r.grade_zh for r in result.index},
        "grade_code": {r.latent: r.grade_code for r in result.index},
        "index_std_error": {r.latent: r.std_error for r in result.index},
        "index_ci": {r.latent: _interval(r) for r in result.index},
        "quality": [asdict(q) for q in result.quality],
        "strata_columns": list(result.strata_columns),
        "strata": [_group_view(result, g, en) for g in result.strata],
        "margins": [_group_view(result, g, en) for g in result.margins],
        "model": {
            "name": result.model_name,
            "scheme": result.scheme,
            "standardised": result.standardised,
            "latents": [asdict(row) for row in result.latents],
        },
        "n": result.n,
        "read": result.read,
        "dropped": result.dropped,
        "dropped_lines": list(result.dropped_lines),
        "weight_column": result.weight_column,
        "bootstrap_resamples": result.bootstrap_resamples,
        "seed": result.seed,
        "level": result.level,
        "iterations": result.iterations,
        "source": result.source,
    }
    cleaned: dict[str, Any] = finite(view)
    return cleaned
