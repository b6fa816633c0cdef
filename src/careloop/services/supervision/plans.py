"""What is inspected and the plans that send inspectors to it.

Subjects (stores, hotlines, online channels, installation teams) belong to a unit — the
one answerable for a finding — and serve a region, by which readers are scoped. A plan
lays out result slots (``inspections`` rows, status planned) with a due date each: a
quarterly store rotation or a daily dial test (``domain.supervision.plans``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select

from careloop.domain.errors import InvalidInput
from careloop.domain.permissions import in_scope
from careloop.domain.supervision import checklists as checklist_rules
from careloop.domain.supervision import plans as rules
from careloop.domain.text import required_text
from careloop.services.access.actors import Actor
from careloop.services.supervision import inspection_audit as audit
from careloop.services.supervision.checklists import check_kind
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Inspection, InspectionPlan, InspectionSubject, OrgUnit, Staff


@dataclass(frozen=True)
class NewSubject:
    kind: str
    code: str
    name_zh: str
    unit: str
    """The answerable unit's code (a county's 营业部, a city's 客服中心)."""
    name_en: str = ""
    hotline_number: str | None = None


@dataclass(frozen=True)
class NewPlan:
    name: str
    kind: str
    cadence: str
    starts_on: date
    ends_on: date
    inspectors: tuple[str, ...]
    """Usernames of the staff sent."""
    region: str | None = None
    """Only subjects in this region (code); default: every subject the planner sees."""
    subjects: tuple[str, ...] = ()
    """Or exactly these subjects (codes)."""


def _unit(uow: UnitOfWork, code: str, actor: Actor, field: str = "unit") -> OrgUnit:
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if code.isprintable()
        else None
    )
    if unit is None or not in_scope(unit.path, actor.scope):
        raise InvalidInput(field, f"未知单位「{code}」 / unknown unit {code!r}")
    return unit


def add_subject(uow: UnitOfWork, new: NewSubject, actor: Actor, now: datetime) -> InspectionSubject:
    audit.require(actor, "inspection.plan")
    if new.kind not in checklist_rules.SUBJECT_KINDS:
        raise InvalidInput(
            "kind", "检查对象类型须为营业厅、客服热线、线上渠道或装维班组 / unknown kind"
        )
    code = required_text(new.code, "code", 40, multiline=False)
    name = required_text(new.name_zh, "name", 100, multiline=False)
    unit = _unit(uow, new.unit, actor)
    region = uow.session.get(OrgUnit, unit.parent_id) if unit.kind == "department" else unit
    assert region is not None
    if uow.session.scalar(select(InspectionSubject.id).where(InspectionSubject.code == code)):
        raise InvalidInput("code", f"检查对象编码「{code}」已存在 / code {code!r} exists")
    number = (new.hotline_number or "").strip() or None
    if new.kind == "hotline" and (number is None or not number.isdigit() or len(number) > 20):
        raise InvalidInput("hotline_number", "热线须有号码（数字） / a hotline needs its number")
    subject = InspectionSubject(
        kind=new.kind,
        code=code,
        name_zh=name,
        name_en=(new.name_en or name)[:100],
        unit_id=unit.id,
        region_id=region.id,
        region_path=region.path,
        hotline_number=number,
        active=True,
    )
    uow.session.add(subject)
    uow.session.flush()
    audit.record(
        uow, actor, "subject", code, "subject_added", now,
        after={"kind": new.kind, "code": code, "name": name, "unit": unit.code,
               "hotline_number": number},
    )  # fmt: skip
    uow.commit()
    return subject


def subjects(
    uow: UnitOfWork, actor: Actor, kind: str | None = None, region_path: str | None = None
) -> list[InspectionSubject]:
    audit.require(actor, "inspection.read")
    query = select(InspectionSubject).where(
        audit.subject_visible_to(actor), InspectionSubject.active.is_(True)
    )
    if kind:
        query = query.where(InspectionSubject.kind == kind)
    if region_path:
        query = query.where(InspectionSubject.region_path.startswith(region_path, autoescape=True))
    return list(
        uow.session.scalars(query.order_by(InspectionSubject.region_path, InspectionSubject.code))
    )


def _inspectors(uow: UnitOfWork, usernames: Sequence[str]) -> list[Staff]:
    if not usernames:
        raise InvalidInput("inspectors", "至少指定一名检查人员 / name at least one inspector")
    found = {
        s.username: s
        for s in uow.session.scalars(
            select(Staff).where(Staff.username.in_(list(usernames)), Staff.active.is_(True))
        )
    }
    missing = [u for u in usernames if u not in found]
    if missing:
        raise InvalidInput("inspectors", f"未知检查人员「{missing[0]}」 / unknown inspector")
    return [found[u] for u in dict.fromkeys(usernames)]


def create_plan(uow: UnitOfWork, new: NewPlan, actor: Actor, now: datetime) -> InspectionPlan:
    """A plan and its result slots, one unit of work, one audit row."""
    audit.require(actor, "inspection.plan")
    check_kind(new.kind)
    if new.cadence not in rules.CADENCES:
        raise InvalidInput("cadence", "频次须为每季度、每月、每日或一次性 / unknown cadence")
    rules.check_window(new.starts_on, new.ends_on)
    name = required_text(new.name, "name", 100, multiline=False)
    subject_kind = checklist_rules.SUBJECT_OF_KIND[new.kind]
    region_path = _unit(uow, new.region, actor, "region").path if new.region else None
    chosen = subjects(uow, actor, subject_kind, region_path)
    if new.subjects:
        wanted = set(new.subjects)
        chosen = [s for s in chosen if s.code in wanted]
        if len(chosen) != len(wanted):
            raise InvalidInput("subjects", "有检查对象不存在或不在您的范围内 / unknown subject")
    if not chosen:
        raise InvalidInput("subjects", "范围内没有可检查的对象 / nothing to inspect in this scope")
    staff = _inspectors(uow, new.inspectors)
    paths = {s.id: s.org_unit.path for s in staff}
    targets = [rules.Subject(s.id, s.region_path) for s in chosen]
    people = [rules.Inspector(s.id, paths[s.id]) for s in staff]
    if new.cadence == "daily":
        slots = rules.daily(targets, people[0], new.starts_on, new.ends_on)
    else:
        slots = rules.rotation(targets, people, new.starts_on, new.ends_on)
    assert actor.org_unit_id is not None or actor.role == "system"
    owner = uow.session.get(OrgUnit, actor.org_unit_id) if actor.org_unit_id else None
    plan = InspectionPlan(
        name=name,
        kind=new.kind,
        cadence=new.cadence,
        starts_on=new.starts_on,
        ends_on=new.ends_on,
        owner_unit_id=owner.id if owner else chosen[0].region_id,
        owner_path=owner.path if owner else chosen[0].region_path,
        created_by_id=actor.staff_id,
        created_at=now,
    )
    uow.session.add(plan)
    uow.session.flush()
    region_of = {s.id: s.region_path for s in chosen}
    if slots:
        uow.session.execute(
            insert(Inspection),
            [
                {
                    "version": 1,
                    "plan_id": plan.id,
                    "kind": new.kind,
                    "subject_id": slot.subject_id,
                    "region_path": region_of[slot.subject_id],
                    "inspector_id": slot.inspector_id,
                    "due_on": slot.due,
                    "status": "planned",
                    "checklist_version": None,
                    "results": [],
                    "failed_items": [],
                    "source": "plan",
                    "created_at": now,
                    "updated_at": now,
                }
                for slot in slots
            ],
        )
    audit.record(
        uow, actor, "plan", plan.id, "plan_created", now,
        after={"name": name, "kind": new.kind, "cadence": new.cadence,
               "starts_on": new.starts_on.isoformat(), "ends_on": new.ends_on.isoformat(),
               "inspectors": [s.username for s in staff], "slots": len(slots)},
    )  # fmt: skip
    uow.commit()
    return plan


def plans_of(uow: UnitOfWork, actor: Actor) -> list[InspectionPlan]:
    """Plans made within the reader's scope (or above it, covering it)."""
    audit.require(actor, "inspection.read")
    rows = uow.session.scalars(select(InspectionPlan).order_by(InspectionPlan.starts_on.desc()))
    return [
        p
        for p in rows
        if in_scope(p.owner_path, actor.scope) or actor.scope.startswith(p.owner_path)
    ]


def slot_count(uow: UnitOfWork, plan_id: int) -> int:
    return int(uow.session.scalar(select(func.count()).where(Inspection.plan_id == plan_id)) or 0)
