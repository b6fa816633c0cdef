"""PLS-PM reproduces an independent implementation (the R package seminr) on the ECSI
mobile-phone survey: every outer weight, loading and path coefficient to 1e-5."""

from __future__ import annotations

import pytest

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
