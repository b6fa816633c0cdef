"""Setting up the organisation tree and its staff (demo loader, admin CLI, tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from careloop.domain import org as org_rules
from careloop.domain.errors import InvalidInput
from careloop.domain.vocabulary import DEPARTMENT_TYPES, ORG_KINDS, ROLES
from careloop.services.access.auth import hash_password
from careloop.services.org.read_models import OrgUnitView, org_unit_view
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, Staff


@dataclass(frozen=True, slots=True)
class UnitSpec:
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent_code: str | None = None
    dept_type: str | None = None


def add_unit(uow: UnitOfWork, spec: UnitSpec) -> OrgUnit:
    """Add one unit under its parent; the tree's shape rules come from `domain.org`."""
    if spec.kind not in ORG_KINDS:
        raise InvalidInput("kind", f"unknown unit kind '{spec.kind}'")
    if spec.dept_type is not None and spec.dept_type not in DEPARTMENT_TYPES:
        raise InvalidInput("dept_type", f"unknown department type '{spec.dept_type}'")
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
    )
    uow.session.add(unit)
    uow.session.flush()
    unit.path = org_rules.child_path(parent.path if parent else None, unit.id)
    return unit


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
