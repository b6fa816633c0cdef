"""What the organisation tree looks like to a reader: plain values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass

from careloop.services.snapshots import snapshot
from careloop.store.models import OrgUnit


@dataclass(frozen=True)
class OrgUnitView:
    """One unit of the tree, named in the reader's language; ``path`` orders the tree."""

    id: int
    code: str
    name: str
    kind: str
    dept_type: str | None
    parent_id: int | None
    path: str
    area: str | None
    """``urban`` or ``rural`` as set on this unit; None: it takes its nearest ancestor's."""


def org_unit_view(unit: OrgUnit, lang: str) -> OrgUnitView:
    return snapshot(OrgUnitView, unit, name=unit.name_en if lang == "en" else unit.name_zh)
