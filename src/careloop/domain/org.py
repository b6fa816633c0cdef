"""The organisation tree: group → province → city → county, with departments (DOMAIN.md §2).

Units are addressed by a materialised path ("/1/4/17/") so that "everything under this
city" is a prefix test, in Python and in SQL alike.
"""

from __future__ import annotations

from typing import Final

KIND_ORDER: Final[tuple[str, ...]] = ("group", "province", "city", "county", "department")

PARENT_KINDS: Final[dict[str, frozenset[str]]] = {
    "group": frozenset(),
    "province": frozenset({"group"}),
    "city": frozenset({"province"}),
    "county": frozenset({"city"}),
    "department": frozenset({"group", "province", "city", "county"}),
}
"""Which kind of unit may sit under which: departments hang off any regional level."""


def child_path(parent_path: str | None, unit_id: int) -> str:
    return f"{parent_path or '/'}{unit_id}/"


def is_within(path: str, ancestor_path: str) -> bool:
    """True if the unit at `path` is the unit at `ancestor_path` or below it."""
    return path.startswith(ancestor_path)


def ancestor_ids(path: str) -> list[int]:
    """Ids from the root down to the unit itself: the escalation chain read backwards."""
    return [int(part) for part in path.strip("/").split("/") if part]


def may_parent(parent_kind: str | None, kind: str) -> bool:
    if parent_kind is None:
        return kind == "group"
    return parent_kind in PARENT_KINDS.get(kind, frozenset())
