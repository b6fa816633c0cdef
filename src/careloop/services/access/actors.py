"""Who is acting: every use case is called on behalf of one person (or the system)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from careloop.domain import org as org_rules
from careloop.domain import permissions
from careloop.domain.errors import DomainError
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, Staff


@dataclass(frozen=True, slots=True)
class Actor:
    staff_id: int | None
    username: str
    role: str
    org_unit_id: int | None
    org_path: str
    scope_path: str | None = None
    """Subtree of the org tree this actor may see (domain.permissions.scope_path)."""
    display_name: str = ""
    """The person's name as colleagues know it (pages greet them by it, not the username)."""

    @property
    def label(self) -> str:
        return self.username

    @property
    def scope(self) -> str:
        return self.scope_path or self.org_path


SYSTEM = Actor(
    staff_id=None, username="system", role="system", org_unit_id=None, org_path="/", scope_path="/"
)


_chains: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
_chains_lock = threading.Lock()


def _chain(uow: UnitOfWork, path: str) -> list[tuple[str, str]]:
    """(kind, path) from the root down to the unit at `path`.

    Org units are only ever added (services.org has no edit or move), so a complete chain
    never changes: it is cached per process and database, which saves every API request a
    query.
    """
    key = (str(uow.session.get_bind().url), path)
    with _chains_lock:
        cached = _chains.get(key)
    if cached is not None:
        return list(cached)
    ids = org_rules.ancestor_ids(path)
    units = {u.id: u for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    chain = [(units[i].kind, units[i].path) for i in ids if i in units]
    if len(chain) == len(ids):
        with _chains_lock:
            _chains[key] = tuple(chain)
    return chain


def actor_of(uow: UnitOfWork, staff: Staff) -> Actor:
    """The acting person with the org scope their role gives them."""
    return actor_at(
        uow,
        staff.id,
        staff.username,
        staff.role,
        staff.org_unit_id,
        staff.org_unit.path,
        staff.display_name,
    )


def actor_at(
    uow: UnitOfWork,
    staff_id: int,
    username: str,
    role: str,
    unit_id: int,
    path: str,
    display_name: str = "",
) -> Actor:
    """`actor_of` from plain columns (the per-request token lookup reads no objects)."""
    scope = permissions.scope_path(role, _chain(uow, path))
    return Actor(staff_id, username, role, unit_id, path, scope, display_name)


def actor_for(uow: UnitOfWork, username: str) -> Actor:
    """The actor for a trusted local caller (CLI, demo loader, jobs); the API uses tokens."""
    staff = uow.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active:
        raise DomainError("unknown_actor", username=username)
    return actor_of(uow, staff)
