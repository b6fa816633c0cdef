"""Where a complaint's work goes (派单 / 转派): the responsible units ranked for one complaint.

A province has some 150 departments; the one that should take a complaint is nearly always in
the complaint's own city, and which one follows from the category (DOMAIN.md §2: network
work is done where the fault is, in the county; billing and marketing policy is the city's).
So the list a dispatcher picks from starts with the complaint's region (its city, then the
city's counties, the complaint's own county first), the suggested unit on top, and only then
the rest of the province, grouped by city. Nothing is hidden: a cross-domain complaint
(跨域投诉) still reaches any unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from careloop.domain.categories import first_level
from careloop.domain.org import ancestor_ids

Level = Literal["county", "city"]

SUGGESTED_DEPARTMENT: Final[dict[str, tuple[str, Level]]] = {
    "billing": ("billing", "city"),
    "network": ("network", "county"),
    "broadband": ("network", "county"),
    "installation": ("network", "county"),
    "service": ("store", "county"),
    "marketing": ("marketing", "city"),
    "portability": ("marketing", "city"),
    "spam": ("network", "city"),
    "privacy": ("quality", "city"),
    "other": ("quality", "city"),
}
"""First-level category → (department type, the level that does the work): faults are fixed
where they are (the county's network department), tariffs and bills are set by the city."""

SUGGESTED_LEAF: Final[dict[str, tuple[str, Level]]] = {
    "service.hotline_access": ("hotline", "city"),
}
"""Second-level exceptions: a hotline nobody answers is the city hotline's business."""


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the ranking needs to know of a unit of the org tree."""

    id: int
    code: str
    kind: str
    path: str
    dept_type: str | None = None
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class RankedTarget:
    unit: UnitFacts
    region: UnitFacts | None
    """The city, county or province the department hangs off."""
    recommended: bool = False


@dataclass(frozen=True, slots=True)
class TargetGroup:
    """Departments of one city (with its counties), or of the province itself."""

    region: UnitFacts | None
    local: bool
    """The complaint's own city: offered first."""
    targets: tuple[RankedTarget, ...]


def suggested_department(category: str) -> tuple[str, Level]:
    """The department type and level a complaint of ``category`` is normally handled by."""
    return SUGGESTED_LEAF.get(category) or SUGGESTED_DEPARTMENT.get(
        first_level(category), ("quality", "city")
    )


def _order(path: str) -> list[int]:
    """Org order: the tree's path read as numbers ("/1/10/" after "/1/9/")."""
    return ancestor_ids(path)


def _region_of(unit: UnitFacts, by_id: dict[int, UnitFacts]) -> UnitFacts | None:
    """The nearest regional unit above a department (county, city, province, group)."""
    for unit_id in reversed(ancestor_ids(unit.path)[:-1]):
        found = by_id.get(unit_id)
        if found is not None and found.kind != "department":
            return found
    return None


def _city_of(unit: UnitFacts | None, by_id: dict[int, UnitFacts]) -> UnitFacts | None:
    """The city a region lies in (itself if it is one); None above the cities."""
    if unit is None:
        return None
    for unit_id in reversed(ancestor_ids(unit.path)):
        found = by_id.get(unit_id)
        if found is not None and found.kind == "city":
            return found
    return None


def rank_targets(
    units: Iterable[UnitFacts],
    complaint_region: UnitFacts,
    category: str,
    exclude: Sequence[int] = (),
) -> list[TargetGroup]:
    """Every department, grouped and ordered for a complaint filed in ``complaint_region``.

    The complaint's city comes first: the suggested unit (marked), then the departments of
    the complaint's county, of the city itself and of the city's other counties. Then the
    province's own departments, then each other city in org order. ``exclude``: unit ids not
    to offer (a transfer's current unit).
    """
    every = list(units)
    by_id = {u.id: u for u in every}
    departments = [u for u in every if u.kind == "department" and u.id not in exclude]
    departments.sort(key=lambda u: _order(u.path))
    region_of = {u.id: _region_of(u, by_id) for u in departments}
    home_city = _city_of(complaint_region, by_id)
    county = complaint_region if complaint_region.kind == "county" else None
    recommended = _recommended(departments, region_of, home_city, county, category)

    def place(unit: UnitFacts) -> tuple[int, list[int]]:
        region = region_of[unit.id]
        if unit.id == recommended:
            return (0, [])
        if county is not None and region is not None and region.id == county.id:
            return (1, _order(unit.path))
        if home_city is not None and region is not None and region.id == home_city.id:
            return (2, _order(unit.path))
        return (3, _order(unit.path))

    # A department above the cities (the province's own) is grouped under its region.
    groups: dict[int | None, list[UnitFacts]] = {}
    for unit in departments:
        home = _city_of(region_of[unit.id], by_id) or region_of[unit.id]
        groups.setdefault(home.id if home else None, []).append(unit)
    home_key = home_city.id if home_city else -1

    def group_order(key: int | None) -> tuple[int, list[int]]:
        if key == home_key:
            return (0, [])
        region = by_id.get(key) if key is not None else None
        if region is None or region.kind != "city":
            return (1, _order(region.path) if region else [])
        return (2, _order(region.path))

    ranked = []
    for key in sorted(groups, key=group_order):
        local = key == home_key
        members = sorted(groups[key], key=place) if local else groups[key]
        ranked.append(
            TargetGroup(
                by_id.get(key) if key is not None else None,
                local,
                tuple(RankedTarget(u, region_of[u.id], u.id == recommended) for u in members),
            )
        )
    return ranked


def _recommended(
    departments: Sequence[UnitFacts],
    region_of: dict[int, UnitFacts | None],
    city: UnitFacts | None,
    county: UnitFacts | None,
    category: str,
) -> int | None:
    """The unit the category and county suggest: the suggested department type at the
    suggested level, else at the other level of the complaint's region; none outside it."""
    dept_type, level = suggested_department(category)
    levels = [county, city] if level == "county" else [city, county]
    for region in levels:
        if region is None:
            continue
        for unit in departments:
            home = region_of[unit.id]
            if unit.dept_type == dept_type and home is not None and home.id == region.id:
                return unit.id
    return None


def matches(target: RankedTarget, needle: str) -> bool:
    """A plain substring search over what a dispatcher might type: the unit's name in
    either language, its code, and the name of the region it serves (西湖, 'north')."""
    text = needle.strip().lower()
    if not text:
        return True
    fields = [target.unit.code, target.unit.name_zh, target.unit.name_en]
    if target.region is not None:
        fields += [target.region.name_zh, target.region.name_en]
    return any(text in f.lower() for f in fields if f)


def search(groups: Sequence[TargetGroup], needle: str) -> list[TargetGroup]:
    """The groups narrowed to the targets matching ``needle``; empty groups dropped."""
    narrowed = []
    for group in groups:
        kept = tuple(t for t in group.targets if matches(t, needle))
        if kept:
            narrowed.append(TargetGroup(group.region, group.local, kept))
    return narrowed
