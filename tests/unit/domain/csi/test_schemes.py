"""The inner schemes, the two modes and unstandardised data against results derived
independently of the iteration.

- Two mode-A blocks: whatever the scheme, the fixed point wⱼ ∝ cov(Xⱼ, Yₖ) makes w₁ and
  w₂ the first left and right singular vectors of the cross-covariance matrix Σ₁₂ (on
  standardised items the cross-correlation R₁₂): Wold's two-block case, Tucker's
  inter-battery analysis (Tenenhaus et al. 2005, CSDA 48, §3.1). The path coefficient is
  then the correlation of the two scores, w₁ᵀΣ₁₂w₂.
- Two mode-B blocks: the fixed point is the first pair of canonical variates and the path
  coefficient the first canonical correlation (Tenenhaus et al. 2005, §3.2).
- More mode-B blocks: the procedure is monotone for the criterion Σ |cor(Yⱼ, Yₖ)| over the
  paths under the centroid scheme and Σ cor²(Yⱼ, Yₖ) under the factorial scheme (Hanafi
  2007, "PLS path modelling: computation of latent variables with the estimation mode B",
  Computational Statistics 22: 275–292), so its limit is that criterion's maximiser, found
  here by scipy's general optimiser instead.
- Unstandardised data (items centred only, as plspm's ``scaled = FALSE``): the same
  singular-vector result on the covariance matrix, not the correlation matrix.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize  # type: ignore[import-untyped]

from careloop.domain.csi.model import Block, PathModel, Scheme
from careloop.domain.csi.pls import estimate

TWO = ("x1", "x2", "y1", "y2")


def _correlated(n: int, columns: int, seed: int, scales: list[float] | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(columns, columns)) + 0.8
    data = rng.normal(size=(n, columns)) @ mixing
    return data * np.asarray(scales if scales else [1.0] * columns) + 5.0


def _unit_variance(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    w = w * np.sign(w.sum())
    return w / np.std(x @ w, ddof=1)


def _two_blocks(mode: str, scheme: Scheme, standardised: bool = True) -> PathModel:
    return PathModel(
        (Block("X", TWO[:2], mode), Block("Y", TWO[2:], mode)),  # type: ignore[arg-type]
        (("X", "Y"),),
        scheme=scheme,
        standardised=standardised,
    )


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_two_reflective_blocks_give_the_first_singular_vectors_of_r12(scheme: Scheme) -> None:
    data = _correlated(120, 4, seed=11)
    z = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    r12 = np.corrcoef(data, rowvar=False)[:2, 2:]
    u, _, vt = np.linalg.svd(r12)
    w1, w2 = _unit_variance(z[:, :2], u[:, 0]), _unit_variance(z[:, 2:], vt[0])
    result = estimate(data, TWO, _two_blocks("A", scheme))
    assert [o.weight for o in result.outer] == pytest.approx([*w1, *w2], abs=1e-8)
    path = np.corrcoef(z[:, :2] @ w1, z[:, 2:] @ w2)[0, 1]
    assert result.path("X", "Y").estimate == pytest.approx(path, abs=1e-8)
    assert result.r_squared["Y"] == pytest.approx(path**2, abs=1e-8)


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_two_formative_blocks_give_the_first_canonical_pair(scheme: Scheme) -> None:
    data = _correlated(150, 4, seed=12)
    z = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    r = np.corrcoef(data, rowvar=False)
    r11, r12, r22 = r[:2, :2], r[:2, 2:], r[2:, 2:]
    # w1 is the leading eigenvector of R11⁻¹ R12 R22⁻¹ R21; w2 ∝ R22⁻¹ R21 w1
    values, vectors = np.linalg.eig(np.linalg.solve(r11, r12) @ np.linalg.solve(r22, r12.T))
    lead = int(np.argmax(values.real))
    w1 = _unit_variance(z[:, :2], vectors[:, lead].real)
    w2 = _unit_variance(z[:, 2:], np.linalg.solve(r22, r12.T @ w1))
    result = estimate(data, TWO, _two_blocks("B", scheme))
    assert [o.weight for o in result.outer] == pytest.approx([*w1, *w2], abs=1e-8)
    canonical = float(np.sqrt(values.real[lead]))
    assert result.path("X", "Y").estimate == pytest.approx(canonical, abs=1e-8)


def test_unstandardised_items_give_the_singular_vectors_of_the_covariance() -> None:
    data = _correlated(120, 4, seed=13, scales=[1.0, 3.0, 0.5, 2.0])
    centred = data - data.mean(axis=0)
    s12 = np.cov(data, rowvar=False)[:2, 2:]
    u, _, vt = np.linalg.svd(s12)
    w1, w2 = _unit_variance(centred[:, :2], u[:, 0]), _unit_variance(centred[:, 2:], vt[0])
    result = estimate(data, TWO, _two_blocks("A", "centroid", standardised=False))
    assert [o.weight for o in result.outer] == pytest.approx([*w1, *w2], abs=1e-8)
    # loadings stay correlations; the standardised model weighs differently
    y1 = centred[:, :2] @ w1
    assert result.outer[1].loading == pytest.approx(np.corrcoef(data[:, 1], y1)[0, 1], abs=1e-8)
    standardised = estimate(data, TWO, _two_blocks("A", "centroid"))
    assert standardised.outer[1].weight * result.item_sds["x2"] != pytest.approx(
        result.outer[1].weight * result.item_sds["x2"], abs=1e-3
    )


THREE = ("a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3")
STAR = PathModel(
    (
        Block("A", THREE[:3], "B"),
        Block("B", THREE[3:5], "B"),
        Block("C", THREE[5:], "B"),
    ),
    (("A", "C"), ("B", "C"), ("A", "B")),
)


def _criterion_maximiser(data: np.ndarray, power: int) -> list[float]:
    """Weights maximising Σ |cor|ᵖ over the three paths, by BFGS from several starts."""
    z = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    parts = (slice(0, 3), slice(3, 5), slice(5, 8))
    pairs = ((0, 2), (1, 2), (0, 1))

    r = np.corrcoef(data, rowvar=False)

    def cor(v: np.ndarray, j: int, k: int) -> float:
        a, b = v[parts[j]], v[parts[k]]
        cross = a @ r[parts[j], parts[k]] @ b
        return float(
            cross / np.sqrt((a @ r[parts[j], parts[j]] @ a) * (b @ r[parts[k], parts[k]] @ b))
        )

    def loss(v: np.ndarray) -> float:
        return -sum(abs(cor(v, j, k)) ** power for j, k in pairs)

    starts = [np.random.default_rng(s).normal(size=8) for s in range(4)]
    best = min(
        (minimize(loss, start, method="BFGS", tol=1e-12) for start in starts),
        key=lambda found: found.fun,
    )
    return [w for p in parts for w in _unit_variance(z[:, p], best.x[p])]


@pytest.mark.parametrize(("scheme", "power"), [("centroid", 1), ("factorial", 2)])
def test_formative_blocks_maximise_the_schemes_criterion(scheme: Scheme, power: int) -> None:
    data = _correlated(200, 8, seed=21)
    model = PathModel(STAR.blocks, STAR.paths, scheme=scheme)
    result = estimate(data, THREE, model)
    expected = _criterion_maximiser(data, power)
    assert [o.weight for o in result.outer] == pytest.approx(expected, abs=1e-4)


def test_centroid_and_factorial_schemes_differ_on_three_blocks() -> None:
    data = _correlated(200, 8, seed=21)
    centroid = estimate(data, THREE, PathModel(STAR.blocks, STAR.paths, scheme="centroid"))
    factorial = estimate(data, THREE, PathModel(STAR.blocks, STAR.paths, scheme="factorial"))
    gap = max(
        abs(a.weight - b.weight) for a, b in zip(centroid.outer, factorial.outer, strict=True)
    )
    assert gap > 1e-3
