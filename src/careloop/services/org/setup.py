"""Setting up the organisation tree and its staff (demo loader, admin CLI, tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from careloop.domain import org as org_rules
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.permissions import has_permission
from careloop.domain.vocabulary import AREAS, DEPARTMENT_TYPES, ORG_KINDS, ROLES
from careloop.services.access.actors import Actor
from careloop.services.access.auth import hash_password
from careloop.services.org.read_models import OrgUnitView, org_unit_view
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, SecurityEvent, Staff


@dataclass(frozen=True, slots=True)
class UnitSpec:
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent_code: str | None = None
    dept_type: str | None = None
    area: str | None = None
    """``urban`` or ``rural`` (regions only); None: the nearest ancestor's."""


def add_unit(uow: UnitOfWork, spec: UnitSpec) -> OrgUnit:
    """Add one unit under its parent; the tree's shape rules come from `domain.org`."""
    if spec.kind not in ORG_KINDS:
        raise InvalidInput("kind", f"unknown unit kind '{spec.kind}'")
    if spec.dept_type is not None and spec.dept_type not in DEPARTMENT_TYPES:
        raise InvalidInput("dept_type", f"unknown department type '{spec.dept_type}'")
    _check_area(spec.area)
    parent = None
    if spec.parent_code is not None:
        parent = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == spec.parent_code))
        if parent is None:
            raise InvalidInput("parent", f"unknown parent unit '{spec.parent_code}'")
    if not org_rules.may_parent(parent.kind if parent else None, spec.kind):
        raise InvalidInput("kind", f"a {spec.kind} cannot sit under {parent and parent.kind}")
    unit = OrgUnit(
        code=spec.code,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        kind=spec.kind,
        dept_type=spec.dept_type,
        parent_id=parent.id if parent else None,
        path="",
        area=spec.area,
    )
    uow.session.add(unit)
    uow.session.flush()
    unit.path = org_rules.child_path(parent.path if parent else None, unit.id)
    return unit


def _check_area(area: str | None) -> None:
    if area is not None and area not in AREAS:
        raise InvalidInput("area", f"应为 urban（城市）或 rural（农村）/ one of {', '.join(AREAS)}")


def set_unit_area(
    uow: UnitOfWork, code: str, area: str | None, actor: Actor, now: datetime, lang: str = "zh"
) -> OrgUnitView:
    """Say whether a region is urban or rural (None: as its parent is). Repair commitments
    differ by area (48 h urban, 72 h rural, Telecommunications Regulations), and a complaint
    takes its region's area when accepted. Administrators only; audited."""
    if not has_permission("org.manage", actor.role):
        raise DomainError("role_not_allowed", role=actor.role, action="set a region urban or rural")
    _check_area(area)
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if code.isprintable()
        else None
    )
    if unit is None:
        raise NotFound("org unit", code)
    if unit.kind == "department":
        raise InvalidInput("area", "部门没有城乡类别，请设置其所在地区 / set the region's area")
    before = unit.area
    unit.area = area
    uow.session.add(
        SecurityEvent(
            at=now,
            kind="org_unit_area_set",
            username=actor.username[:100],
            staff_id=actor.staff_id,
            detail={"unit": unit.code, "before": before, "after": area},
        )
    )
    uow.commit()
    return org_unit_view(unit, lang)


def add_staff(
    uow: UnitOfWork,
    username: str,
    display_name: str,
    role: str,
    unit_code: str,
    password: str | None = None,
    password_hash: str | None = None,
) -> Staff:
    """Add a member of staff; without a password they cannot log in until one is set.

    `password_hash` lets a loader hash one shared password once (the demo's staff).
    """
    if role not in ROLES:
        raise InvalidInput("role", f"unknown role '{role}'")
    unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None:
        raise InvalidInput("unit", f"unknown unit '{unit_code}'")
    if password is not None:
        password_hash = hash_password(password)
    staff = Staff(
        username=username,
        display_name=display_name,
        role=role,
        org_unit_id=unit.id,
        password_hash=password_hash,
        failed_logins=0,
    )
    uow.session.add(staff)
    uow.session.flush()
    return staff


def list_units(uow: UnitOfWork, lang: str) -> list[OrgUnitView]:
    """The whole tree in path order (parents before their children)."""
    return [
        org_unit_view(unit, lang)
        for unit in uow.session.scalars(select(OrgUnit).order_by(OrgUnit.path))
    ]
