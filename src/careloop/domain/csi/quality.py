"""Quality of a PLS path model, as a quality department reads it.

Each measure takes plain arrays (loadings of one block, the block's standardised items),
so it can be checked by hand on a small example; `pls.estimate` collects them per block.
Conventions follow Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005), "PLS path modeling",
CSDA 48: 159–205, §2 and §4 (communality, redundancy, GoF), and Chin (1998) for AVE.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def communality(loadings: Sequence[float]) -> float:
    """Mean squared loading: the share of the items' variance the latent reproduces."""
    values = np.asarray(loadings, dtype=float)
    return float(np.mean(values**2))


def redundancy(loadings: Sequence[float], r_squared: float) -> float:
    """Communality × R²: the share of the items' variance the latent's predecessors explain."""
    return communality(loadings) * float(r_squared)


def cronbach_alpha(items: FloatArray) -> float:
    """Cronbach's α of a block's items (n × p), on standardised items:
    α = p / (p − 1) · (1 − p / Σᵢⱼ rᵢⱼ), the sum over the whole correlation matrix.
    Needs at least two items."""
    p = items.shape[1]
    if p < 2:
        raise ValueError("Cronbach's alpha needs at least two items")
    corr = np.corrcoef(items, rowvar=False)
    return float(p / (p - 1) * (1.0 - p / float(np.sum(corr))))


def dillon_goldstein_rho(loadings: Sequence[float]) -> float:
    """Dillon–Goldstein's ρ (composite reliability) from standardised loadings:
    (Σλ)² / ((Σλ)² + Σ(1 − λ²))."""
    values = np.asarray(loadings, dtype=float)
    total = float(np.sum(values)) ** 2
    return total / (total + float(np.sum(1.0 - values**2)))


def average_variance_extracted(loadings: Sequence[float]) -> float:
    """AVE (Fornell & Larcker 1981): Σλ² / (Σλ² + Σ(1 − λ²)), i.e. the mean squared loading
    for standardised loadings; above 0.5 the latent explains more than the error does."""
    values = np.asarray(loadings, dtype=float)
    explained = float(np.sum(values**2))
    return explained / (explained + float(np.sum(1.0 - values**2)))


def goodness_of_fit(block_loadings: Sequence[Sequence[float]], r_squared: Sequence[float]) -> float:
    """Absolute GoF (Tenenhaus et al. 2005, §4.3): √(mean communality × mean R²).

    The mean communality is taken over the items of the blocks with more than one item
    (a single-item block reproduces its item exactly and would flatter the fit); the mean R²
    over the endogenous latents. A model with no such block or no path has GoF NaN.
    """
    squared = [float(x) ** 2 for block in block_loadings if len(block) > 1 for x in block]
    if not squared or not r_squared:
        return math.nan
    return math.sqrt(float(np.mean(squared)) * float(np.mean(np.asarray(r_squared, dtype=float))))
