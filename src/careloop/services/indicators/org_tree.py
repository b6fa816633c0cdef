"""The org tree as the indicators read it: regions, their children and their subtrees.

One query loads the whole tree (a province has some hundreds of units); a unit's subtree is
its materialised path prefix (``domain.org``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select

from careloop.domain.errors import NotFound
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit

REGION_KINDS: Final = frozenset({"group", "province", "city", "county"})


@dataclass(frozen=True)
class Node:
    id: int
    code: str
    name_zh: str
    name_en: str
    kind: str
    path: str
    parent_id: int | None

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass
class OrgTree:
    nodes: dict[int, Node]

    @classmethod
    def load(cls, uow: UnitOfWork) -> OrgTree:
        rows = uow.session.execute(
            select(
                OrgUnit.id,
                OrgUnit.code,
                OrgUnit.name_zh,
                OrgUnit.name_en,
                OrgUnit.kind,
                OrgUnit.path,
                OrgUnit.parent_id,
            )
        ).all()
        return cls({r.id: Node(*r) for r in rows})

    def by_code(self, code: str) -> Node:
        for node in self.nodes.values():
            if node.code == code:
                return node
        raise NotFound("org_unit", code)

    def root(self, region_code: str | None = None, actor: Actor | None = None) -> Node:
        """The region a report covers: the code given, else the top region of the tree
        (or of the actor's scope)."""
        if region_code:
            node = self.by_code(region_code)
            if actor is not None and not node.path.startswith(actor.scope):
                raise NotFound("org_unit", region_code)
            return node
        candidates = [n for n in self.nodes.values() if n.kind in REGION_KINDS]
        if actor is not None and actor.scope != "/":
            candidates = [n for n in candidates if n.path.startswith(actor.scope)]
        # the province, if there is one: the group node has nothing of its own to report
        provinces = [n for n in candidates if n.kind == "province"]
        pool = provinces or candidates
        if not pool:
            raise NotFound("org_unit", "region")
        return min(pool, key=lambda n: (n.path.count("/"), n.id))

    def children(self, node: Node, kinds: frozenset[str] = REGION_KINDS) -> list[Node]:
        return sorted(
            (n for n in self.nodes.values() if n.parent_id == node.id and n.kind in kinds),
            key=lambda n: n.code,
        )

    def within(self, node: Node) -> list[int]:
        return [n.id for n in self.nodes.values() if n.path.startswith(node.path)]

    def child_containing(self, node: Node, unit_id: int) -> Node | None:
        """The child region of ``node`` whose subtree holds ``unit_id`` (None: node itself)."""
        unit = self.nodes.get(unit_id)
        if unit is None or not unit.path.startswith(node.path):
            return None
        for child in self.children(node):
            if unit.path.startswith(child.path):
                return child
        return None
