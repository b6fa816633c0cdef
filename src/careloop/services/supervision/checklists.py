"""Checklist versions: the seeds, the versions an operator added, the one a result keeps.

Version 1 of each kind is the domain's seed (``domain.supervision.checklists``) until an
operator adds version 2; the seed is written to the store the first time a result is
scored against it, so every stored result names a stored version.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from careloop.domain.errors import InvalidInput, NotFound
from careloop.domain.supervision import checklists as rules
from careloop.domain.supervision.checklists import Checklist
from careloop.services.access.actors import Actor
from careloop.services.supervision import inspection_audit as audit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import ChecklistVersion


def check_kind(kind: str) -> None:
    if kind not in rules.INSPECTION_KINDS:
        names = "、".join(zh for zh, _ in rules.INSPECTION_KINDS.values())
        raise InvalidInput("kind", f"检查类型须为 {names} 之一 / unknown inspection kind")


def latest_version(uow: UnitOfWork, kind: str) -> int:
    stored = uow.session.scalar(
        select(func.max(ChecklistVersion.version)).where(ChecklistVersion.kind == kind)
    )
    return max(int(stored or 0), rules.SEED_CHECKLISTS[kind].version)


def checklist(uow: UnitOfWork, kind: str, version: int | None = None) -> Checklist:
    """The checklist of `kind` at `version` (default: the latest)."""
    check_kind(kind)
    wanted = version if version is not None else latest_version(uow, kind)
    row = uow.session.scalar(
        select(ChecklistVersion).where(
            ChecklistVersion.kind == kind, ChecklistVersion.version == wanted
        )
    )
    if row is not None:
        return rules.from_json(row.body)
    seed = rules.SEED_CHECKLISTS[kind]
    if seed.version == wanted:
        return seed
    raise NotFound("检查表版本", f"{kind} v{wanted}")


def keep_version(uow: UnitOfWork, checklist_: Checklist, now: datetime) -> None:
    """Store the seed the first time a result is scored against it (results name versions
    the store holds; later code changes to the seed cannot rewrite history)."""
    exists = uow.session.scalar(
        select(ChecklistVersion.id).where(
            ChecklistVersion.kind == checklist_.kind,
            ChecklistVersion.version == checklist_.version,
        )
    )
    if exists is None:
        uow.session.add(
            ChecklistVersion(
                kind=checklist_.kind,
                version=checklist_.version,
                body=rules.to_json(checklist_),
                created_at=now,
                created_by_id=None,
            )
        )
        uow.session.flush()


def all_latest(uow: UnitOfWork) -> list[Checklist]:
    return [checklist(uow, kind) for kind in rules.INSPECTION_KINDS]


def versions(uow: UnitOfWork, kind: str) -> list[int]:
    check_kind(kind)
    stored = set(
        uow.session.scalars(select(ChecklistVersion.version).where(ChecklistVersion.kind == kind))
    )
    return sorted(stored | {rules.SEED_CHECKLISTS[kind].version})


def add_version(
    uow: UnitOfWork, kind: str, body: Mapping[str, Any], actor: Actor, now: datetime
) -> Checklist:
    """A new version of `kind`'s checklist (the next number); earlier results keep theirs."""
    audit.require(actor, "checklist.manage")
    check_kind(kind)
    current = checklist(uow, kind)
    keep_version(uow, current, now)
    new = rules.from_json({**body, "kind": kind, "version": current.version + 1})
    uow.session.add(
        ChecklistVersion(
            kind=kind,
            version=new.version,
            body=rules.to_json(new),
            created_at=now,
            created_by_id=actor.staff_id,
        )
    )
    audit.record(
        uow,
        actor,
        "checklist",
        f"{kind} v{new.version}",
        "checklist_version_added",
        now,
        after={"kind": kind, "version": new.version, "items": len(new.items),
               "pass_mark": new.pass_mark},
    )  # fmt: skip
    uow.commit()
    return new
