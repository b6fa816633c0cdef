"""A synthetic ECSI survey of known structure, for tests that must run without the shared
mobile-phone data: respondents in operator × service × region cells, the seven ECSI latents
linked by the ECSI paths, each item a noisy 1–10 reading of its latent.

Cells differ in their level (移动 higher than 联通, 宽带 lower than 移动业务) so indices per
stratum differ in a known direction; a design weight column carries N_h / n_h.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OPERATORS = ("移动", "电信", "联通")
SERVICES = ("移动业务", "宽带")
REGIONS = ("杭州", "宁波")
LEVEL = {"移动": 0.5, "电信": 0.0, "联通": -0.5, "移动业务": 0.3, "宽带": -0.3}
BLOCKS = {
    "IMAG": 5, "CUEX": 3, "PERQ": 7, "PERV": 2, "CUSA": 3, "CUSCO": 1, "CUSL": 3,
}  # fmt: skip
ITEMS = tuple(
    f"{prefix}{i}" if count > 1 else prefix
    for prefix, count in BLOCKS.items()
    for i in range(1, count + 1)
)
HEADER = ("operator", "service", "region", "weight", *ITEMS)
SHIPPED_CSV = Path(__file__).parents[3] / "data" / "csi" / "survey.csv"


def synthetic_rows(n: int = 120, seed: int = 2026) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    cells = [(o, s, r) for o in OPERATORS for s in SERVICES for r in REGIONS]
    population = {cell: 1000 * (3 + k % 5) for k, cell in enumerate(cells)}
    rows: list[list[object]] = []
    per_cell = n // len(cells)
    for cell in cells:
        m = per_cell + (1 if cells.index(cell) < n % len(cells) else 0)
        if m == 0:
            continue
        shift = LEVEL[cell[0]] + LEVEL[cell[1]]
        e = rng.normal(size=(m, 7))
        image = shift + e[:, 0]
        expectation = 0.5 * image + 0.8 * e[:, 1]
        quality = 0.6 * expectation + 0.3 * shift + 0.7 * e[:, 2]
        value = 0.5 * quality + 0.2 * expectation + 0.7 * e[:, 3]
        satisfaction = 0.2 * image + 0.4 * quality + 0.3 * value + 0.5 * e[:, 4]
        complaints = 0.5 * satisfaction + 0.8 * e[:, 5]
        loyalty = 0.3 * image + 0.4 * satisfaction + 0.2 * complaints + 0.6 * e[:, 6]
        latents = {
            "IMAG": image, "CUEX": expectation, "PERQ": quality, "PERV": value,
            "CUSA": satisfaction, "CUSCO": complaints, "CUSL": loyalty,
        }  # fmt: skip
        weight = population[cell] / m
        for j in range(m):
            answers = []
            for prefix, count in BLOCKS.items():
                for _ in range(count):
                    raw = 7.0 + 1.4 * (latents[prefix][j] + 0.5 * rng.normal())
                    answers.append(int(np.clip(np.rint(raw), 1, 10)))
            rows.append([*cell, round(weight, 4), *answers])
    return rows


def write_survey(path: Path, n: int = 120, seed: int = 2026) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(synthetic_rows(n, seed))
    return path


if __name__ == "__main__":  # regenerate tests/data/csi/survey.csv
    write_survey(SHIPPED_CSV)
