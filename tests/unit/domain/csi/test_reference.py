"""PLS-PM reproduces independent implementations on the ECSI mobile-phone survey: the R
package seminr (path and factorial schemes: every outer weight, loading and path
coefficient to 1e-5) and the published semPLS figures (centroid scheme)."""

from __future__ import annotations

import pytest

from careloop.domain.csi.model import ECSI, Block, PathModel
from careloop.domain.csi.pls import estimate
from tests.unit.domain.csi.mobi import BASIC, mobi, seminr_outer, seminr_paths

TOLERANCE = 1e-5


def test_weights_and_loadings_match_seminr_on_the_mobi_survey() -> None:
    data, columns = mobi()
    result = estimate(data, columns, BASIC)
    reference = seminr_outer()
    assert sorted(o.item for o in result.outer) == sorted(reference)
    for outer in result.outer:
        weight, loading = reference[outer.item]
        assert outer.weight == pytest.approx(weight, abs=TOLERANCE), outer.item
        assert outer.loading == pytest.approx(loading, abs=TOLERANCE), outer.item


def test_path_coefficients_match_seminr_on_the_mobi_survey() -> None:
    data, columns = mobi()
    result = estimate(data, columns, BASIC)
    reference = seminr_paths()
    assert {(p.source, p.target) for p in result.paths} == set(reference)
    for (source, target), value in reference.items():
        assert result.path(source, target).estimate == pytest.approx(value, abs=TOLERANCE)


def test_extra_columns_and_their_order_do_not_change_the_estimate() -> None:
    data, columns = mobi()
    reordered = data[:, ::-1]
    result = estimate(reordered, columns[::-1], BASIC)
    reference = seminr_outer()
    for outer in result.outer:
        assert outer.weight == pytest.approx(reference[outer.item][0], abs=TOLERANCE)


def _items(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


FACTORIAL = PathModel(
    (
        Block("Image", _items("IMAG", 5)),
        Block("Expectation", _items("CUEX", 3)),
        Block("Value", _items("PERV", 2)),
        Block("Satisfaction", _items("CUSA", 3)),
    ),
    (("Image", "Satisfaction"), ("Expectation", "Satisfaction"), ("Value", "Satisfaction")),
    scheme="factorial",
)

SEMINR_FACTORIAL_WEIGHTS = {
    "IMAG1": 0.331417929000824,
    "IMAG2": 0.253564291907922,
    "IMAG3": 0.19949028773576,
    "IMAG4": 0.330960484536402,
    "IMAG5": 0.310582421176194,
    "CUEX1": 0.50546181549698,
    "CUEX2": 0.498776020320556,
    "CUEX3": 0.436436408131174,
    "PERV1": 0.476763694721729,
    "PERV2": 0.606472538658719,
    "CUSA1": 0.392237778705209,
    "CUSA2": 0.374988408094205,
    "CUSA3": 0.433377569601977,
}
SEMINR_FACTORIAL_PATHS = {
    ("Image", "Satisfaction"): 0.446873985519376,
    ("Expectation", "Satisfaction"): 0.172941539187286,
    ("Value", "Satisfaction"): 0.315219423208024,
}


def test_the_factorial_scheme_matches_seminr_on_the_mobi_survey() -> None:
    """seminr's own factorial-scheme test on the same data (github.com/sem-in-r/seminr,
    tests/fixtures/factorial_weights.csv and tests/fixtures/V_3_6_0/
    factorial_coefficients.csv: Image, Expectation and Value → Satisfaction, all mode A,
    ``inner_weights = path_factorial``), to 1e-5 as seminr checks itself."""
    data, columns = mobi()
    result = estimate(data, columns, FACTORIAL)
    for outer in result.outer:
        expected = SEMINR_FACTORIAL_WEIGHTS[outer.item]
        assert outer.weight == pytest.approx(expected, abs=TOLERANCE), outer.item
    for (source, target), value in SEMINR_FACTORIAL_PATHS.items():
        assert result.path(source, target).estimate == pytest.approx(value, abs=TOLERANCE)


def test_the_centroid_scheme_gives_the_published_ecsi_figures() -> None:
    """The full ECSI model with the centroid scheme on the same survey, as printed by
    Monecke & Leisch (2012), "semPLS: Structural Equation Modeling Using Partial Least
    Squares", Journal of Statistical Software 48(3), reprinted as the semPLS-intro vignette
    (pp. 18–19 there): Image → Expectation 0.505, loading of IMAG1 0.74, to the digits
    printed."""
    data, columns = mobi()
    result = estimate(data, columns, PathModel(ECSI.blocks, ECSI.paths, scheme="centroid"))
    assert result.path("Image", "Expectation").estimate == pytest.approx(0.505, abs=5e-4)
    assert result.outer_of("Image")[0].loading == pytest.approx(0.74, abs=5e-3)
