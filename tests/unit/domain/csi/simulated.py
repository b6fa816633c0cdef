"""A survey simulated from a known model, for checks that need the truth.

Three standardised latents: ξ → η₁ (0.6), ξ → η₂ (0.3), η₁ → η₂ (0.4); every latent has
six reflective items with loadings 0.85–0.95 (x = λ·latent + e, var e = 1 − λ²).
"""

from __future__ import annotations

import numpy as np

from careloop.domain.csi.model import Block, PathModel

PATHS = {("Xi", "Eta1"): 0.6, ("Xi", "Eta2"): 0.3, ("Eta1", "Eta2"): 0.4}
LOADINGS = (0.85, 0.9, 0.95, 0.85, 0.9, 0.95)
LATENTS = ("Xi", "Eta1", "Eta2")
COLUMNS = [f"{latent}_{i}" for latent in LATENTS for i in range(1, 7)]
MODEL = PathModel(
    tuple(Block(latent, tuple(COLUMNS[6 * j : 6 * j + 6])) for j, latent in enumerate(LATENTS)),
    tuple(PATHS),
)


def simulate(n: int, seed: int) -> np.ndarray:
    """n respondents × 18 items."""
    rng = np.random.default_rng(seed)
    xi = rng.normal(size=n)
    eta1 = 0.6 * xi + rng.normal(scale=np.sqrt(1 - 0.6**2), size=n)
    explained = 0.3**2 + 0.4**2 + 2 * 0.3 * 0.4 * 0.6
    eta2 = 0.3 * xi + 0.4 * eta1 + rng.normal(scale=np.sqrt(1 - explained), size=n)
    lam = np.asarray(LOADINGS)
    columns = [
        np.outer(latent, lam) + rng.normal(size=(n, 6)) * np.sqrt(1 - lam**2)
        for latent in (xi, eta1, eta2)
    ]
    return np.hstack(columns) * 2.0 + 5.0  # a 1–10-like scale; PLS standardises anyway
