"""The incident matching rule: region subtree, category and product, time window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.incidents import (
    AFTERMATH,
    AffectedArea,
    ComplaintFacts,
    IncidentFacts,
    Window,
    best_match,
    check_regions,
    check_window,
    matches,
    overlaps,
)

START = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def incident(
    paths: tuple[str, ...] = ("/1/2/4/",),
    categories: tuple[str, ...] = (),
    products: tuple[str, ...] = (),
    ended: datetime | None = None,
    ident: int = 1,
    start: datetime = START,
) -> IncidentFacts:
    return IncidentFacts(ident, AffectedArea(paths, categories, products), Window(start, ended))


def complaint(
    path: str = "/1/2/4/7/",
    category: str = "broadband.outage",
    product: str = "broadband",
    at: datetime = START + timedelta(hours=1),
) -> ComplaintFacts:
    return ComplaintFacts(path, category, product, at)


def test_a_complaint_in_the_regions_subtree_matches():
    assert matches(incident(), complaint())
    assert matches(incident(), complaint(path="/1/2/4/"))


def test_a_complaint_of_a_neighbouring_region_does_not_match():
    assert not matches(incident(), complaint(path="/1/2/5/"))
    # A path prefix by characters, not by unit: /1/2/40/ is not under /1/2/4/.
    assert not matches(incident(), complaint(path="/1/2/40/"))


def test_categories_match_either_level_and_none_named_means_any():
    named = incident(categories=("broadband",))
    assert matches(named, complaint(category="broadband.slow"))
    assert not matches(named, complaint(category="billing.dispute"))
    exact = incident(categories=("billing.dispute",))
    assert matches(exact, complaint(category="billing.dispute"))
    assert not matches(exact, complaint(category="billing.unknown_deduction"))
    assert matches(incident(), complaint(category="billing.dispute"))


def test_products_named_restrict_the_match():
    assert not matches(incident(products=("mobile",)), complaint(product="broadband"))
    assert matches(incident(products=("mobile", "broadband")), complaint(product="broadband"))


def test_the_window_opens_at_the_start_and_closes_a_day_after_the_end():
    assert not matches(incident(), complaint(at=START - timedelta(seconds=1)))
    assert matches(incident(), complaint(at=START + timedelta(days=30)))  # still open
    ended = START + timedelta(hours=5)
    assert matches(incident(ended=ended), complaint(at=ended + AFTERMATH))
    assert not matches(incident(ended=ended), complaint(at=ended + AFTERMATH + timedelta(1)))


def test_the_narrowest_incident_wins():
    province = incident(paths=("/1/2/",), ident=1)
    county = incident(paths=("/1/2/4/",), ident=2)
    billing = incident(paths=("/1/2/4/",), categories=("broadband",), ident=3)
    assert best_match([province, county], complaint()) == county
    assert best_match([province, county, billing], complaint()) == billing
    assert best_match([province], complaint(path="/9/")) is None


def test_regions_overlap_in_either_direction():
    assert overlaps("/1/2/4/", "/1/2/")  # a county outage seen by its city
    assert overlaps("/1/2/", "/1/2/4/")  # a province-wide error seen by a county
    assert not overlaps("/1/2/4/", "/1/2/5/")


def test_an_end_before_the_start_or_no_region_is_refused():
    with pytest.raises(DomainError) as refused:
        check_window(START, START - timedelta(hours=1), None)
    assert refused.value.field == "expected_end_at"
    with pytest.raises(DomainError):
        check_regions([])
