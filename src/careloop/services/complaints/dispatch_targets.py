"""The units a complaint may be dispatched or transferred to, ranked for it (rules:
``domain.dispatch``): one read for the page's picker, the API and the CLI alike."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from careloop.domain import dispatch as rules
from careloop.domain.vocabulary import DEPARTMENT_TYPES, label
from careloop.services.access.actors import Actor
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.complaints.work_orders import load_work_order
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit


@dataclass(frozen=True)
class TargetView:
    code: str
    name: str
    department: str
    """The department's kind, in the reader's language (网络部, Billing)."""
    region: str
    """The county, city or province it serves, in the reader's language."""
    recommended: bool


@dataclass(frozen=True)
class TargetGroupView:
    region_code: str
    region: str
    local: bool
    targets: list[TargetView]


@dataclass(frozen=True)
class DispatchTargets:
    complaint_id: int
    region_code: str
    category: str
    groups: list[TargetGroupView]

    @property
    def recommended(self) -> TargetView | None:
        return next((t for g in self.groups for t in g.targets if t.recommended), None)

    @property
    def count(self) -> int:
        return sum(len(g.targets) for g in self.groups)


def _facts(unit: OrgUnit) -> rules.UnitFacts:
    return rules.UnitFacts(
        unit.id, unit.code, unit.kind, unit.path, unit.dept_type, unit.name_zh, unit.name_en
    )


def _name(unit: rules.UnitFacts | None, lang: str) -> str:
    if unit is None:
        return ""
    return unit.name_en if lang == "en" else unit.name_zh


def ranked_targets(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    lang: str,
    q: str = "",
    work_order_id: int | None = None,
) -> DispatchTargets:
    """The departments for the complaint (in the actor's scope, else 404), its region's
    first and the suggested one marked; narrowed by ``q``. With ``work_order_id`` (a
    transfer) the order's own unit is left out: work is not transferred to itself."""
    complaint = load_complaint(uow, complaint_id, actor)
    exclude: list[int] = []
    if work_order_id is not None:
        order = load_work_order(uow, work_order_id, actor)
        if order.complaint_id == complaint.id:
            exclude.append(order.unit_id)
    units = [_facts(u) for u in uow.session.scalars(select(OrgUnit))]
    region = next(u for u in units if u.id == complaint.region_id)
    groups = rules.rank_targets(units, region, complaint.category, exclude)
    if q.strip():
        groups = rules.search(groups, q)
    return DispatchTargets(
        complaint.id,
        region.code,
        complaint.category,
        [
            TargetGroupView(
                g.region.code if g.region else "",
                _name(g.region, lang),
                g.local,
                [
                    TargetView(
                        t.unit.code,
                        _name(t.unit, lang),
                        label(DEPARTMENT_TYPES, t.unit.dept_type or "", lang),
                        _name(t.region, lang),
                        t.recommended,
                    )
                    for t in g.targets
                ],
            )
            for g in groups
        ],
    )
