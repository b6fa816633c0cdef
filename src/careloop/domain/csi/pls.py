"""PLS path modelling (Wold 1982; Lohmöller 1989): latent scores, weights, loadings, paths.

The algorithm, as in Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005), "PLS path
modeling", CSDA 48: 159–205, §2.2:

1. items are centred and, for a standardised model, divided by their sd (n − 1);
2. every outer weight starts at 1; each latent score Yⱼ = Xⱼwⱼ is scaled to unit variance;
3. inner estimate Zⱼ = Σₖ eⱼₖ Yₖ over the latents joined to j by a path, with eⱼₖ
   centroid: sign cor(Yⱼ, Yₖ); factorial: cor(Yⱼ, Yₖ); path: the multiple-regression
   coefficients of Yⱼ on its predecessors, and cor(Yⱼ, Yₖ) for its successors;
4. outer weights: mode A wⱼ = cov(Xⱼ, Zⱼ); mode B wⱼ = the regression of Zⱼ on Xⱼ;
   rescaled so that Yⱼ has unit variance (sd with n − 1); blocks updated together;
5. repeat 3–4 until no weight moves by more than `tol`;
6. loadings = cor(item, Yⱼ); path coefficients = OLS of each endogenous Yⱼ on its
   predecessors' scores; R² of that regression.

The result reproduces the R package seminr to 1e-5 on the ECSI mobile-phone data
(tests/unit/domain/csi/test_reference.py). Initial weights of 1 orient each latent with
the sum of its items; no other sign is imposed (a block whose items all run against the
latent would show negative loadings, which is then a finding about the questionnaire).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import NDArray

from careloop.domain.csi import quality
from careloop.domain.csi.model import Mode, PathModel
from careloop.domain.errors import InvalidInput

FloatArray = NDArray[np.float64]

DATA_FIELD: Final = "csi_data"
"""The field bad survey data is reported against (labelled 调查数据 / survey data)."""


def _invalid(zh: str, en: str) -> InvalidInput:
    return InvalidInput(DATA_FIELD, f"{zh} / {en}")


@dataclass(frozen=True)
class OuterEstimate:
    """One item: its outer weight (on the items as estimated: standardised items for a
    standardised model), its loading (correlation with its latent) and what it shares."""

    item: str
    latent: str
    weight: float
    loading: float
    communality: float
    redundancy: float | None
    """loading² · R² of its latent; None for an exogenous latent (no R² to carry)."""
    weight_se: float | None = None
    loading_se: float | None = None
    loading_ci: tuple[float, float] | None = None
    weight_ci: tuple[float, float] | None = None


@dataclass(frozen=True)
class PathEstimate:
    """One path coefficient (a standardised regression coefficient between latent scores)."""

    source: str
    target: str
    estimate: float
    std_error: float | None = None
    t_value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class BlockQuality:
    """Reliability and fit of one block (None where a measure does not apply)."""

    latent: str
    mode: Mode
    items: int
    cronbach_alpha: float | None
    dillon_goldstein_rho: float | None
    ave: float | None
    communality: float
    redundancy: float | None
    r_squared: float | None


@dataclass(frozen=True)
class PlsEstimate:
    """Everything one estimation gives; numbers are Python floats (JSON-ready)."""

    model: PathModel
    n: int
    iterations: int
    outer: tuple[OuterEstimate, ...]
    paths: tuple[PathEstimate, ...]
    r_squared: Mapping[str, float]
    quality: tuple[BlockQuality, ...]
    gof: float
    scores: FloatArray = field(repr=False, compare=False)
    item_means: Mapping[str, float]
    item_sds: Mapping[str, float]
    bootstrap_resamples: int = 0

    def path(self, source: str, target: str) -> PathEstimate:
        for p in self.paths:
            if (p.source, p.target) == (source, target):
                return p
        raise KeyError(f"no path {source} -> {target}")

    def outer_of(self, latent: str) -> tuple[OuterEstimate, ...]:
        return tuple(o for o in self.outer if o.latent == latent)

    def score_of(self, latent: str) -> FloatArray:
        """The standardised scores of one latent (one per respondent)."""
        return self.scores[:, self.model.latents.index(latent)]


@dataclass(frozen=True)
class _Fit:
    weights: list[FloatArray]  # per block, on the prepared items
    scores: FloatArray  # n × latents, unit variance
    iterations: int


def _columns_of(columns: Sequence[str], model: PathModel) -> list[int]:
    position = {name: i for i, name in enumerate(columns)}
    missing = [item for item in model.items if item not in position]
    if missing:
        names = ", ".join(missing)
        raise _invalid(f"数据中缺少题项列：{names}", f"the data lack the item columns: {names}")
    return [position[item] for item in model.items]


def _prepared(
    data: FloatArray, columns: Sequence[str], model: PathModel
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The model's items as estimated (centred, and scaled if standardised), their means and
    sds (n − 1); refuses what the algorithm cannot use, naming the item."""
    if data.ndim != 2 or data.shape[1] != len(columns):
        raise _invalid("数据的列数与列名数不一致", "the data and the column names do not match")
    x = np.asarray(data[:, _columns_of(columns, model)], dtype=float)
    n = x.shape[0]
    if n < 3:
        raise _invalid(f"样本太少：{n} 份，至少需要 3 份", f"too few respondents: {n}, need 3")
    for j, item in enumerate(model.items):
        if not np.all(np.isfinite(x[:, j])):
            raise _invalid(
                f"题项「{item}」有缺失值，请先剔除不完整的答卷",
                f"the item '{item}' has missing values; drop incomplete responses first",
            )
    means = x.mean(axis=0)
    sds = x.std(axis=0, ddof=1)
    for j, item in enumerate(model.items):
        if not sds[j] > 1e-12 * max(1.0, abs(means[j])):
            raise _invalid(
                f"题项「{item}」所有答案都相同，无法估计",
                f"every answer to the item '{item}' is the same; it cannot be estimated",
            )
    centred = x - means
    return (centred / sds if model.standardised else centred), means, sds


def _unit_variance(x: FloatArray, w: FloatArray) -> FloatArray:
    y = x @ w  # the items are centred, so is y
    sd = float(np.sqrt(y @ y / (x.shape[0] - 1)))
    if not sd > 0:
        raise ArithmeticError("a latent score has no variance")
    return w / sd


def _inner_weights(model: PathModel, corr: FloatArray) -> FloatArray:
    """E (latents × latents) from the scores' correlations: column j holds the weights of
    Zⱼ = Σₖ Eₖⱼ Yₖ."""
    latents = model.latents
    count = len(latents)
    where = {name: i for i, name in enumerate(latents)}
    inner = np.zeros((count, count))
    for source, target in model.paths:
        s, t = where[source], where[target]
        r = corr[s, t]
        if model.scheme == "centroid":
            inner[s, t] = inner[t, s] = np.sign(r)
        else:  # factorial, and the successor side of the path scheme
            inner[s, t] = inner[t, s] = r
    if model.scheme == "path":
        for target in model.endogenous:
            t = where[target]
            preds = [where[p] for p in model.predecessors(target)]
            inner[preds, t] = _regression(corr, preds, t)
    for j in range(count):
        if not inner[:, j].any():  # a latent on no path is its own inner estimate
            inner[j, j] = 1.0
    return inner


def _regression(corr: FloatArray, preds: list[int], target: int) -> FloatArray:
    """Standardised OLS coefficients of latent `target` on `preds`, from correlations
    (the normal equations of unit-variance scores)."""
    gram, right = corr[np.ix_(preds, preds)], corr[preds, target]
    try:
        return np.asarray(np.linalg.solve(gram, right), dtype=np.float64)
    except np.linalg.LinAlgError:  # collinear predecessors: the minimum-norm solution
        return np.asarray(np.linalg.lstsq(gram, right, rcond=None)[0], dtype=np.float64)


def _spans(model: PathModel) -> list[slice]:
    spans: list[slice] = []
    start = 0
    for block in model.blocks:
        spans.append(slice(start, start + len(block.items)))
        start += len(block.items)
    return spans


def _fit(x: FloatArray, model: PathModel, max_iter: int, tol: float) -> _Fit:
    n = x.shape[0]
    blocks = [x[:, span] for span in _spans(model)]
    solvers: list[FloatArray | None] = []
    for block, xb in zip(model.blocks, blocks, strict=True):
        if block.mode == "A":
            solvers.append(None)
            continue
        if np.linalg.matrix_rank(xb) < xb.shape[1]:
            raise _invalid(
                f"形成型潜变量「{block.name}」的题项线性相关（或样本少于题项），无法做回归",
                f"the items of the formative latent '{block.name}' are collinear "
                "(or fewer respondents than items); its regression cannot be computed",
            )
        solvers.append(
            np.asarray(np.linalg.pinv(xb), dtype=np.float64)
        )  # mode B: w = X⁺z, the least-squares regression
    weights = [_unit_variance(xb, np.ones(xb.shape[1])) for xb in blocks]
    scores = np.column_stack([xb @ w for xb, w in zip(blocks, weights, strict=True)])
    for iteration in range(1, max_iter + 1):
        corr = scores.T @ scores / (n - 1)
        inner = scores @ _inner_weights(model, corr)
        new: list[FloatArray] = []
        for j, (xb, solver) in enumerate(zip(blocks, solvers, strict=True)):
            z = inner[:, j]
            w = xb.T @ z / (n - 1) if solver is None else solver @ z
            new.append(_unit_variance(xb, w))
        change = max(float(np.max(np.abs(a - b))) for a, b in zip(new, weights, strict=True))
        weights = new
        scores = np.column_stack([xb @ w for xb, w in zip(blocks, weights, strict=True)])
        if change < tol:
            return _Fit(weights, scores, iteration)
    raise _invalid(
        f"PLS 算法在 {max_iter} 次迭代内未收敛，请检查模型与数据",
        f"the PLS algorithm did not converge in {max_iter} iterations; check the model and data",
    )


@dataclass(frozen=True)
class PlsNumbers:
    """The bare numbers of one estimation, for resampling: weights and loadings in
    `model.items` order, path coefficients in `model.paths` order."""

    weights: FloatArray
    loadings: FloatArray
    paths: FloatArray


def _numbers(x: FloatArray, model: PathModel, fit: _Fit) -> tuple[PlsNumbers, dict[str, float]]:
    n = x.shape[0]
    scores = fit.scores
    corr = scores.T @ scores / (n - 1)
    where = {name: i for i, name in enumerate(model.latents)}
    coefficients: dict[tuple[str, str], float] = {}
    r_squared: dict[str, float] = {}
    for target in model.endogenous:
        preds = model.predecessors(target)
        idx = [where[p] for p in preds]
        coef = _regression(corr, idx, where[target])
        r_squared[target] = float(coef @ corr[idx, where[target]])
        coefficients.update({(p, target): float(c) for p, c in zip(preds, coef, strict=True)})
    loadings = np.concatenate(
        [_correlations(x[:, span], scores[:, j]) for j, span in enumerate(_spans(model))]
    )
    numbers = PlsNumbers(
        weights=np.concatenate(fit.weights),
        loadings=loadings,
        paths=np.array([coefficients[pair] for pair in model.paths]),
    )
    return numbers, r_squared


def estimate_numbers(
    data: FloatArray,
    columns: Sequence[str],
    model: PathModel,
    *,
    max_iter: int = 300,
    tol: float = 1e-10,
) -> PlsNumbers:
    """`estimate` without the report: what a bootstrap resample needs, quickly."""
    x, _, _ = _prepared(np.asarray(data, dtype=float), columns, model)
    return _numbers(x, model, _fit_or_refuse(x, model, max_iter, tol))[0]


def _fit_or_refuse(x: FloatArray, model: PathModel, max_iter: int, tol: float) -> _Fit:
    try:
        return _fit(x, model, max_iter, tol)
    except ArithmeticError:
        raise _invalid(
            "某个潜变量的得分没有变异，无法估计", "a latent score has no variance"
        ) from None


def estimate(
    data: FloatArray,
    columns: Sequence[str],
    model: PathModel,
    *,
    max_iter: int = 300,
    tol: float = 1e-10,
) -> PlsEstimate:
    """Estimate `model` on `data` (n respondents × columns; extra columns are ignored).

    Raises InvalidInput for a missing column, a missing value in a used column (drop
    incomplete responses first and say how many), an item with a single answer, collinear
    items of a formative block, or no convergence within `max_iter` iterations.
    """
    x, means, sds = _prepared(np.asarray(data, dtype=float), columns, model)
    return _assemble(x, model, _fit_or_refuse(x, model, max_iter, tol), means, sds)


def _correlations(x: FloatArray, y: FloatArray) -> FloatArray:
    xc = x - x.mean(axis=0)
    yc = y - y.mean()
    corr: FloatArray = (xc.T @ yc) / np.sqrt(np.sum(xc**2, axis=0) * np.sum(yc**2))
    return corr


def _assemble(
    x: FloatArray, model: PathModel, fit: _Fit, means: FloatArray, sds: FloatArray
) -> PlsEstimate:
    numbers, r_squared = _numbers(x, model, fit)
    paths = [
        PathEstimate(source, target, float(b))
        for (source, target), b in zip(model.paths, numbers.paths, strict=True)
    ]
    scores = fit.scores
    outer: list[OuterEstimate] = []
    qualities: list[BlockQuality] = []
    block_loadings: list[list[float]] = []
    start = 0
    for j, block in enumerate(model.blocks):
        xb = x[:, start : start + len(block.items)]
        loadings = [float(v) for v in numbers.loadings[start : start + len(block.items)]]
        start += len(block.items)
        block_loadings.append(loadings)
        r2 = r_squared.get(block.name)
        for item, w, lam in zip(block.items, fit.weights[j], loadings, strict=True):
            outer.append(
                OuterEstimate(
                    item=item,
                    latent=block.name,
                    weight=float(w),
                    loading=lam,
                    communality=lam**2,
                    redundancy=lam**2 * r2 if r2 is not None else None,
                )
            )
        reflective = block.mode == "A"
        several = reflective and len(block.items) > 1
        qualities.append(
            BlockQuality(
                latent=block.name,
                mode=block.mode,
                items=len(block.items),
                cronbach_alpha=quality.cronbach_alpha(xb) if several else None,
                dillon_goldstein_rho=quality.dillon_goldstein_rho(loadings) if several else None,
                ave=quality.average_variance_extracted(loadings) if reflective else None,
                communality=quality.communality(loadings),
                redundancy=quality.redundancy(loadings, r2) if r2 is not None else None,
                r_squared=r2,
            )
        )
    return PlsEstimate(
        model=model,
        n=int(x.shape[0]),
        iterations=fit.iterations,
        outer=tuple(outer),
        paths=tuple(paths),
        r_squared=r_squared,
        quality=tuple(qualities),
        gof=quality.goodness_of_fit(block_loadings, list(r_squared.values())),
        scores=scores,
        item_means={i: float(m) for i, m in zip(model.items, means, strict=True)},
        item_sds={i: float(s) for i, s in zip(model.items, sds, strict=True)},
    )
