"""Complaint early warning (投诉预警日报, DOMAIN.md §5): is a cell rising against its own baseline?

A *cell* is one category × region × product (any hashable key). Its input is its list of daily
complaint counts, oldest first, the last element being the day just ended (yesterday, for the
morning report). Two windows are tested:

* ``"day"`` — the last day alone;
* ``"week"`` — the sum of the last 7 days (catches a slower rise that no single day shows).

**Levels.** ``roll_up`` adds, for every region above the finest cells (city, province), the
sum of the cells below it, so a doubling spread over ten counties — each too small to flag —
is tested where it adds up. The parent map it returns also steers the weekday estimate.

**Baseline.** The ``baseline_days`` (default 28) days immediately before the tested window, so
a rise never dilutes its own baseline. Cells with fewer than ``MIN_BASELINE_DAYS`` (14) days of
baseline are not tested. Let S be the baseline's sum over n days and m = S / n its mean.

**The test** (``method="negative_binomial"``, the default; one-sided, upper tail). Real
complaint counts are over-dispersed (small outages, campaigns, a busy agent closing a backlog)
and follow the week (Monday is the peak, Sunday the trough), so:

1. *Weekday factors* f₀…f₆ (mean 1 over the baseline's days): the cell's own weekday sums,
   shrunk towards its parent's factors with ``WEEKDAY_PRIOR_EVENTS`` (20) pseudo-complaints
   per weekday — a sparse county borrows its city's pattern, a busy one keeps its own; the
   top cells shrink towards the pattern of all cells together (the whole series). Day t of
   the baseline expects μₜ = m·f(t). Without ``last_weekday`` the factors are all 1.
2. *Dispersion* φ by the method of moments on the baseline, after the weekday pattern:
   φ̂ = max(0, Σ[(yₜ − μₜ)²·n/(n−1) − μₜ] / Σ μₜ²), so that Var yₜ = μₜ + φ·μₜ² (negative
   binomial; φ = 0 is Poisson — the floor). From 28 days φ̂ is very uncertain, and every
   under-estimate becomes a false alarm, so the test uses φ = φ̂ + ``DISPERSION_MARGIN`` (2)
   standard errors of it (the sample variance's, with the negative binomial's kurtosis:
   SE = κ₂/m̃²·√(2/(n−1) + κ₄/(κ₂²·n))). Measured: with φ̂ alone 35 % of quiet simulated
   mornings showed a flag against the 5 % stated.
3. *Predictive distribution* of the window's count X: negative binomial with mean
   M = m̃·Σ_window f(t), m̃ = (S + ½)/n (Jeffreys: an all-zero baseline still gives a finite p),
   and variance V = M + φ·m̃²·Σ_window f(t)² + M²·(1 + φ·m̃)/(n′·m̃) — the last term because
   the level is only estimated: from n′ = n days for the week, and for a single day from the
   days of the same weekday plus the parent's ``WEEKDAY_PRIOR_EVENTS``/m̃ (its factor rests
   on them). p = P(X ≥ x), ``scipy.stats.nbinom``.
4. *Totals judged on their parts.* A city's or province's window count is taken with each
   child's count capped at the child's own 99 % quantile (``CHILD_CAP``): one county's
   outlier day is that county's flag, not also its city's and province's (a sum of
   unequal negative binomials has a heavier tail than the one matched to its variance:
   without the cap city day tests flagged 5–20× their nominal rate at p ≈ 10⁻⁴).

``method="predictive"`` (the test before weekday factors and levels: NB with variance
w·max(v, m̃)·(1 + w/n) from the raw sample variance v) and ``method="poisson"`` (the plain
plug-in P(X ≥ x | λ = w·m)) are kept for comparison; ``benchmarks/early_warning.py`` measures
the default against the test before on the same simulated counts.

**False alarms, stated** (5.). ``detect_rises`` controls the false-discovery rate across every
cell and window tested in one run at ``fdr`` (default 0.05, ``STATED_FALSE_ALARM_RATE``):
Benjamini–Hochberg (``scipy.stats.false_discovery_control``) within each level — the finest
cells, the city totals, the province total — each at an equal share of ``fdr``, so the few
totals are not drowned by the thousands of county cells (the false-discovery proportion of
the union is at most the sum of the levels' shares). Among a morning's flags the expected
share of false ones is at most 5 %, and on a morning when nothing is rising the chance of any
flag at all is at most 5 %: the figure the benchmark measures on simulated over-dispersed,
weekday-patterned counts and fails on. A test with x < ``min_count`` (5) takes p = 1 before
the correction: a quiet cell going 0 → 2 never reaches the report however small its p-value.
``detect_rises(alpha=…)`` and ``assess_rise`` judge each test alone at a fixed level instead
(no correction; ``expected_false_alarms`` then states alpha × tests).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from scipy.stats import false_discovery_control, nbinom, poisson  # type: ignore[import-untyped]

Window = Literal["day", "week"]
Method = Literal["negative_binomial", "predictive", "poisson"]

DEFAULT_FDR: Final = 0.05
"""Benjamini–Hochberg level across one run's tests: the stated false-alarm rate."""
STATED_FALSE_ALARM_RATE: Final = DEFAULT_FDR
DEFAULT_ALPHA: Final = 0.001
"""Per-test level of ``assess_rise`` (one cell, no multiplicity correction)."""
DEFAULT_MIN_COUNT: Final = 5
DEFAULT_BASELINE_DAYS: Final = 28
MIN_BASELINE_DAYS: Final = 14
"""Fewer days of history than this and the cell is not tested (too little to call it a rise)."""
WEEKDAY_PRIOR_EVENTS: Final = 20.0
"""Pseudo-complaints per weekday pulling a cell's weekday factors towards its parent's."""

DISPERSION_MARGIN: Final = 2.0
"""Standard errors of φ added to its estimate (see 2.)."""
CHILD_CAP: Final = 0.01
"""An aggregate counts each child at most up to the child's own 1 − CHILD_CAP quantile (4.)."""

WINDOW_DAYS: Final[dict[str, int]] = {"day": 1, "week": 7}

K = TypeVar("K", bound=Hashable)
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RiseTest:
    """The outcome of one test, flagged or not (for diagnostics and the report's detail)."""

    window: Window
    observed: int
    expected: float
    """The window's expected count from the baseline (weekday-adjusted for the default)."""
    p_value: float
    flagged: bool
    critical_count: int
    """The smallest count in this window that would have been flagged (for the report)."""
    baseline_days: int
    method: Method
    baseline_mean: float = 0.0
    """S / n: the baseline's complaints per day."""
    dispersion: float = 0.0
    """φ fitted to the baseline (0: Poisson)."""


@dataclass(frozen=True)
class Flag(Generic[K]):
    """A significant rise in one cell and window."""

    cell: K
    window: Window
    observed: int
    expected: float
    p_value: float
    threshold: float
    """The p-value at or below which a test was flagged in this run (BH cut-off, or alpha)."""
    critical_count: int
    method: Method
    baseline_mean: float = 0.0
    baseline_days: int = 0
    dispersion: float = 0.0
    adjusted_p: float = 0.0
    """Benjamini–Hochberg adjusted p-value (q-value); equal to p_value without correction."""


def expected_false_alarms(
    cells: int, days: int = 1, alpha: float = DEFAULT_ALPHA, windows: int = 2
) -> float:
    """Upper estimate of false flags over stable cells tested at a fixed per-test ``alpha``."""
    return alpha * cells * days * windows


def roll_up(
    series_by_cell: Mapping[K, Sequence[int]], ancestors: Callable[[K], Sequence[K]]
) -> tuple[dict[K, list[int]], dict[K, K]]:
    """The finest cells plus every ancestor cell that sums at least two of them.

    ``ancestors(cell)`` lists the cell's enclosing cells, nearest first (county → city →
    province for the same category and product). An ancestor holding a single finest cell
    would repeat that cell's test, so it is left out. Returns every series (right-aligned, all
    of the longest length) and each cell's nearest kept ancestor (for the weekday factors).
    """
    cells = list(series_by_cell)
    chains = [list(ancestors(cell)) for cell in cells]
    members: dict[K, int] = {}
    for chain in chains:
        for up in chain:
            members[up] = members.get(up, 0) + 1
    kept = [up for up, n in members.items() if n >= 2]
    row = {up: i for i, up in enumerate(kept)}
    fine, _ = _matrix([series_by_cell[cell] for cell in cells])
    parents: dict[K, K] = {}
    fine_rows: list[int] = []
    up_rows: list[int] = []
    for i, (cell, chain) in enumerate(zip(cells, chains, strict=True)):
        ups = [up for up in chain if up in row]
        for child, up in zip([cell, *ups], ups, strict=False):
            parents[child] = up
        fine_rows.extend([i] * len(ups))
        up_rows.extend(row[up] for up in ups)
    sums = np.zeros((len(kept), fine.shape[1]), dtype=np.float64)
    np.add.at(sums, np.array(up_rows, dtype=np.int64), fine[np.array(fine_rows, dtype=np.int64)])
    out: dict[K, list[int]] = dict(zip(cells, fine.astype(np.int64).tolist(), strict=True))
    out.update(zip(kept, sums.astype(np.int64).tolist(), strict=True))
    return out, parents


class _Model:
    """The window count's distribution for many tests at once (vectorised scipy)."""

    def __init__(self, mu: FloatArray, var: FloatArray | None) -> None:
        self.mu = mu
        self.var = var  # None: Poisson
        if var is not None:
            self.r = mu * mu / (var - mu)
            self.p = mu / var

    def take(self, index: IntArray) -> _Model:
        return _Model(self.mu[index], None if self.var is None else self.var[index])

    def sf(self, k: FloatArray) -> FloatArray:
        if self.var is None:
            return np.asarray(poisson.sf(k, self.mu), dtype=np.float64)
        return np.asarray(nbinom.sf(k, self.r, self.p), dtype=np.float64)

    def critical_counts(self, level: float, min_count: int) -> FloatArray:
        """Smallest k with P(X ≥ k) ≤ level, at least ``min_count``."""
        k = np.maximum(np.floor(_quantile(self, level)) + 1.0, 0.0)
        # isf is exact up to floating point; settle the discrete boundary explicitly
        for _ in range(3):
            lower = (k > 0) & (self.sf(k - 2.0) <= level)
            k = np.where(lower, k - 1.0, k)
        for _ in range(3):
            k = np.where(self.sf(k - 1.0) > level, k + 1.0, k)
        return np.maximum(k, float(min_count))


@dataclass(frozen=True)
class _Tests:
    """One window's tests over the rows with enough baseline."""

    rows: IntArray
    observed: FloatArray
    expected: FloatArray
    p_values: FloatArray
    model: _Model
    baseline_mean: FloatArray
    baseline_days: IntArray
    dispersion: FloatArray
    offset: FloatArray
    """Added to a critical count: the left-out child's count (aggregates, see 4.)."""


def _matrix(series: Sequence[Sequence[int]]) -> tuple[FloatArray, IntArray]:
    """Counts right-aligned (all end on the same day), zero-padded; and each row's length."""
    length = max((len(s) for s in series), default=0)
    counts = np.zeros((len(series), length), dtype=np.float64)
    lengths = np.zeros(len(series), dtype=np.int64)
    for i, s in enumerate(series):
        lengths[i] = len(s)
    if (lengths == length).all():
        counts = np.array(series, dtype=np.float64).reshape(len(series), length)
    else:
        for i, s in enumerate(series):
            if len(s):
                counts[i, length - len(s) :] = s
    if (counts < 0).any():
        raise ValueError("daily counts must not be negative")
    return counts, lengths


def _depths(parent: IntArray) -> IntArray:
    depth = np.zeros(len(parent), dtype=np.int64)
    for _ in range(len(parent)):
        has = parent >= 0
        new = np.where(has, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    return depth


def _weekday_factors(
    week_sums: FloatArray, week_days: FloatArray, parent: IntArray, whole: BoolArray
) -> FloatArray:
    """Factors per row and weekday (C × 7), each row shrunk towards its parent's (see 1.)."""
    c = len(parent)
    factors = np.ones((c, 7), dtype=np.float64)
    roots = (parent < 0) & whole
    total_sums = week_sums[roots].sum(axis=0)
    total_days = week_days[roots].sum(axis=0)
    whole = _shrunk(total_sums[None, :], total_days[None, :], np.ones((1, 7)))[0]
    depth = _depths(parent)
    for level in range(int(depth.max(initial=0)) + 1):
        rows = np.flatnonzero(depth == level)
        prior: FloatArray = (
            np.tile(whole, (len(rows), 1)) if level == 0 else factors[parent[rows]]
        ).astype(np.float64)
        factors[rows] = _shrunk(week_sums[rows], week_days[rows], prior)
    return factors


def _shrunk(sums: FloatArray, days: FloatArray, prior: FloatArray) -> FloatArray:
    n = days.sum(axis=1)
    mean = np.divide(sums.sum(axis=1), n, out=np.zeros_like(n), where=n > 0)
    raw = (sums + WEEKDAY_PRIOR_EVENTS * prior) / (days * mean[:, None] + WEEKDAY_PRIOR_EVENTS)
    # rescale so that the baseline's days average 1: m·Σₜ f(t) = S
    scale = np.divide(n, (raw * days).sum(axis=1), out=np.ones_like(n), where=n > 0)
    return np.asarray(raw * scale[:, None], dtype=np.float64)


def _tests(
    counts: FloatArray,
    lengths: IntArray,
    parent: IntArray,
    window: Window,
    *,
    baseline_days: int,
    last_weekday: int | None,
    method: Method,
    whole: BoolArray | None = None,
) -> _Tests:
    width = WINDOW_DAYS[window]
    total = counts.shape[1]
    needed = min(MIN_BASELINE_DAYS, baseline_days)
    start = max(0, total - width - baseline_days)
    base = counts[:, start : total - width]
    columns = np.arange(start, total - width)
    valid = columns[None, :] >= (total - lengths)[:, None]
    n_all = valid.sum(axis=1).astype(np.float64)
    base = np.where(valid, base, 0.0)
    sums = base.sum(axis=1)
    observed = counts[:, total - width :].sum(axis=1)
    if last_weekday is None or method != "negative_binomial":
        factors = np.ones((len(counts), 7), dtype=np.float64)
        weekday = np.zeros(total, dtype=np.int64)
    else:
        weekday = (last_weekday - (total - 1 - np.arange(total))) % 7
        onehot = np.eye(7)[weekday[start : total - width]]
        factors = _weekday_factors(
            base @ onehot,
            valid.astype(np.float64) @ onehot,
            parent,
            np.ones(len(parent), dtype=np.bool_) if whole is None else whole,
        )
    rows = np.flatnonzero(n_all >= needed)
    n = n_all[rows]
    s = sums[rows]
    mean = s / n
    smoothed = (s + 0.5) / n
    f_base = factors[rows][:, weekday[start : total - width]]
    f_win = factors[rows][:, weekday[total - width :]]
    ok = valid[rows]
    y = base[rows]
    dispersion = np.zeros(len(rows), dtype=np.float64)
    if method == "poisson":
        mu = width * np.where(s == 0, 0.5, s) / n
        model = _Model(mu, None)
        expected = width * mean
    elif method == "predictive":
        variance = np.where(ok, (y - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(n - 1, 1)
        var = width * np.maximum(variance, smoothed) * (1.0 + width / n)
        model = _Model(width * smoothed, var)
        expected = width * mean
    else:
        mu_t = mean[:, None] * f_base
        squares = np.where(ok, (y - mu_t) ** 2 * (n / (n - 1))[:, None] - mu_t, 0.0).sum(axis=1)
        denominator = np.where(ok, mu_t**2, 0.0).sum(axis=1)
        dispersion = np.divide(
            squares, denominator, out=np.zeros_like(squares), where=denominator > 0
        )
        dispersion = np.maximum(dispersion, 0.0)
        # φ from n days is very uncertain: the test uses φ + DISPERSION_MARGIN standard errors
        # (the sample variance's, with the negative binomial's kurtosis), or every
        # under-estimate becomes a false alarm
        k2 = smoothed + dispersion * smoothed**2
        k4 = (
            smoothed
            + 7 * dispersion * smoothed**2
            + 12 * dispersion**2 * smoothed**3
            + 6 * dispersion**3 * smoothed**4
        )
        standard_error = k2 / smoothed**2 * np.sqrt(2.0 / (n - 1) + k4 / (k2**2 * n))
        dispersion = dispersion + DISPERSION_MARGIN * standard_error
        m_win = smoothed * f_win.sum(axis=1)
        spread = dispersion * smoothed**2 * (f_win**2).sum(axis=1)
        if width < 7 and last_weekday is not None:
            # a day's expectation rests on its weekday's few days plus the parent's pattern
            same = (np.where(ok, weekday[start : total - width][None, :], -1) == weekday[-1]).sum(
                axis=1
            )
            informed = np.minimum(n, same + WEEKDAY_PRIOR_EVENTS / smoothed)
        else:
            informed = n
        estimate = m_win**2 * (1.0 + dispersion * smoothed) / (informed * smoothed)
        model = _Model(m_win, m_win + spread + estimate)
        expected = mean * f_win.sum(axis=1)
    x = observed[rows]
    p_values = np.minimum(model.sf(x - 1.0), 1.0)  # P(X ≥ x) = sf(x − 1)
    return _Tests(
        rows, x, expected, p_values, model, mean, n.astype(np.int64), dispersion, np.zeros_like(x)
    )


def _capped_children(tests: _Tests, counts: FloatArray, parent: IntArray, width: int) -> _Tests:
    """Aggregates judged on their children's counts, each capped at its own 1 − CHILD_CAP
    quantile (see 4.): one child's outlier cannot raise its parent alone."""
    c = len(parent)
    contribution = counts[:, counts.shape[1] - width :].sum(axis=1)
    # only a child beyond its own quantile (p below CHILD_CAP) is capped
    beyond = np.flatnonzero((tests.p_values < CHILD_CAP) & (parent[tests.rows] >= 0))
    if len(beyond):
        capped = np.floor(_quantile(tests.model.take(beyond), CHILD_CAP))
        rows = tests.rows[beyond]
        contribution[rows] = np.minimum(contribution[rows], np.maximum(capped, 0.0))
    tested = tests.rows
    children = np.bincount(parent[parent >= 0], minlength=c)
    judged = np.zeros(c, dtype=np.float64)
    np.add.at(judged, parent[parent >= 0], contribution[parent >= 0])
    position = np.full(c, -1, dtype=np.int64)
    position[tested] = np.arange(len(tested))
    aggregates = np.flatnonzero((children >= 2) & (position >= 0))
    if not len(aggregates):
        return tests
    at = position[aggregates]
    p_values = tests.p_values.copy()
    p_values[at] = np.minimum(tests.model.take(at).sf(judged[aggregates] - 1.0), 1.0)
    offset = tests.offset.copy()
    offset[at] = tests.observed[at] - judged[aggregates]
    return _Tests(
        tests.rows,
        tests.observed,
        tests.expected,
        p_values,
        tests.model,
        tests.baseline_mean,
        tests.baseline_days,
        tests.dispersion,
        offset,
    )


def _quantile(model: _Model, upper: float) -> FloatArray:
    if model.var is None:
        return np.asarray(poisson.isf(upper, model.mu), dtype=np.float64)
    return np.asarray(nbinom.isf(upper, model.r, model.p), dtype=np.float64)


def _levels(parent: IntArray) -> IntArray:
    """The family of each row for the error budget: −1 for the finest cells (no children),
    else the aggregate's depth (0 = the top: province; 1 = city)."""
    children = np.bincount(parent[parent >= 0], minlength=len(parent))
    return np.where(children > 0, _depths(parent), -1).astype(np.int64)


def _by_level(p: FloatArray, level: IntArray, fdr: float) -> tuple[FloatArray, FloatArray]:
    """Benjamini–Hochberg within each level at an equal share of ``fdr`` (see 5.): adjusted
    p-values on the scale of ``fdr``, and each test's p-value cut-off."""
    levels = np.unique(level)
    share = fdr / len(levels)
    adjusted = np.ones(len(p), dtype=np.float64)
    thresholds = np.zeros(len(p), dtype=np.float64)
    for value in levels:
        at = level == value
        within = np.asarray(false_discovery_control(p[at]), dtype=np.float64)
        adjusted[at] = np.minimum(within * len(levels), 1.0)
        # BH rejects the R smallest p-values of the level, the largest of them ≤ R·share/m
        thresholds[at] = float((within <= share).sum()) * share / float(at.sum())
    return adjusted, thresholds


def assess_rise(
    daily_counts: Sequence[int],
    window: Window = "day",
    *,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    method: Method = "negative_binomial",
    last_weekday: int | None = None,
) -> RiseTest | None:
    """Test the last ``window`` of ``daily_counts`` (oldest → newest) against the days before,
    alone, at the per-test level ``alpha``.

    ``last_weekday`` (0 = Monday) is the weekday of the last day; given, the cell's own weekday
    pattern (shrunk towards flat) is allowed for. None when there are fewer than
    ``MIN_BASELINE_DAYS`` days of baseline (a new cell or a new category); a shorter baseline
    than ``baseline_days`` is used when that is all there is.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be within (0, 1)")
    counts, lengths = _matrix([daily_counts])
    tests = _tests(
        counts,
        lengths,
        np.array([-1]),
        window,
        baseline_days=baseline_days,
        last_weekday=last_weekday,
        method=method,
    )
    if not len(tests.rows):
        return None
    p = float(tests.p_values[0])
    x = int(tests.observed[0])
    return RiseTest(
        window=window,
        observed=x,
        expected=float(tests.expected[0]),
        p_value=p,
        flagged=bool(p < alpha and x >= min_count),
        critical_count=int(tests.model.critical_counts(alpha, min_count)[0]),
        baseline_days=int(tests.baseline_days[0]),
        method=method,
        baseline_mean=float(tests.baseline_mean[0]),
        dispersion=float(tests.dispersion[0]),
    )


def detect_rises(
    series_by_cell: Mapping[K, Sequence[int]],
    *,
    parents: Mapping[K, K] | None = None,
    last_weekday: int | None = None,
    fdr: float = DEFAULT_FDR,
    alpha: float | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    windows: Sequence[Window] = ("day", "week"),
    method: Method = "negative_binomial",
) -> list[Flag[K]]:
    """Flags for every cell and window with a significant rise, most significant first.

    ``series_by_cell[cell]`` is that cell's daily counts, oldest → newest, last element =
    yesterday; all cells end on the same day (the caller fills quiet days with 0).
    ``parents`` (from ``roll_up``) and ``last_weekday`` (0 = Monday) steer the weekday factors.
    The false-discovery rate across all tests of the run is held at ``fdr``; given ``alpha``,
    each test is judged alone at that level instead. See the module docstring.
    """
    if not 0 < fdr < 1:
        raise ValueError("fdr must be within (0, 1)")
    if alpha is not None and not 0 < alpha < 1:
        raise ValueError("alpha must be within (0, 1)")
    cells = list(series_by_cell)
    if not cells:
        return []
    index = {cell: i for i, cell in enumerate(cells)}
    parent = np.array(
        [index.get(parents[c], -1) if parents and c in parents else -1 for c in cells],
        dtype=np.int64,
    )
    counts, lengths = _matrix([series_by_cell[c] for c in cells])
    runs = []
    for window in windows:
        tests = _tests(
            counts,
            lengths,
            parent,
            window,
            baseline_days=baseline_days,
            last_weekday=last_weekday,
            method=method,
        )
        if method == "negative_binomial" and (parent >= 0).any():
            tests = _capped_children(tests, counts, parent, WINDOW_DAYS[window])
        runs.append(tests)
    p_all = np.concatenate([np.where(t.observed >= min_count, t.p_values, 1.0) for t in runs])
    if not len(p_all):
        return []
    if alpha is None:
        adjusted, thresholds = _by_level(
            p_all, np.concatenate([_levels(parent)[t.rows] for t in runs]), fdr
        )
        rejected = adjusted <= fdr
    else:
        adjusted = p_all
        rejected = p_all < alpha
        thresholds = np.full(len(p_all), alpha)
    flags: list[Flag[K]] = []
    offset = 0
    for window, tests in zip(windows, runs, strict=True):
        hit = np.flatnonzero(rejected[offset : offset + len(tests.rows)])
        if len(hit):
            for j in hit:
                threshold = float(thresholds[offset + j])
                critical = tests.model.take(np.array([j])).critical_counts(threshold, min_count)
                k = max(float(critical[0] + tests.offset[j]), float(min_count))
                flags.append(
                    Flag(
                        cells[int(tests.rows[j])],
                        window,
                        int(tests.observed[j]),
                        float(tests.expected[j]),
                        float(tests.p_values[j]),
                        threshold,
                        int(k),
                        method,
                        baseline_mean=float(tests.baseline_mean[j]),
                        baseline_days=int(tests.baseline_days[j]),
                        dispersion=float(tests.dispersion[j]),
                        adjusted_p=float(adjusted[offset + j]),
                    )
                )
        offset += len(tests.rows)
    flags.sort(key=lambda f: (f.p_value, -f.observed, f.window, str(f.cell)))
    return flags
