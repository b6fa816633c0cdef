"""Bulk actions on the complaint list: dispatch (派单) and chase (催办) many at once.

Each complaint goes through the very use case a single action uses, in its own unit of
work: its own scope and role checks, its own version check (the version the list showed),
its own audit event. One refused complaint does not undo the others; the answer lists every
complaint with its outcome, so a person sees which ones to look at again and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import select

from careloop.domain.errors import DomainError, InvalidInput
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import follow_ups, work_orders
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit

MAX_ITEMS: Final = 100
"""Complaints per bulk action: two list pages. More is a campaign, not a selection."""

BulkAction = Literal["dispatch", "chase"]
BULK_ACTIONS: Final[tuple[BulkAction, ...]] = ("dispatch", "chase")


@dataclass(frozen=True)
class BulkItem:
    complaint_id: int
    version: int | None
    """The version the list showed (dispatch checks it; a chase changes no state)."""


@dataclass(frozen=True)
class BulkResult:
    complaint_id: int
    number: str
    """The complaint's number, or its id when the reader may not see it."""
    error: DomainError | None
    """Why this one was refused; None when it was done."""

    @property
    def ok(self) -> bool:
        return self.error is None


def _checked(items: Sequence[BulkItem]) -> list[BulkItem]:
    """Each complaint once, in the order chosen; at least one, at most ``MAX_ITEMS``."""
    seen: dict[int, BulkItem] = {}
    for item in items:
        seen.setdefault(item.complaint_id, item)
    if not seen:
        raise InvalidInput("items", "请至少选择一件投诉 / choose at least one complaint")
    if len(seen) > MAX_ITEMS:
        raise InvalidInput("items", f"一次最多 {MAX_ITEMS} 件 / at most {MAX_ITEMS} at once")
    return list(seen.values())


def _each(
    uow: UnitOfWork,
    actor: Actor,
    items: Sequence[BulkItem],
    act: Callable[[BulkItem], object],
) -> list[BulkResult]:
    done: list[tuple[BulkItem, DomainError | None]] = []
    for item in _checked(items):
        try:
            act(item)
            done.append((item, None))
        except DomainError as exc:
            uow.rollback()
            done.append((item, exc))
    wanted = [i.complaint_id for i, _ in done if scope.is_row_id(i.complaint_id)]
    numbers: dict[int, str | None] = {
        cid: number
        for cid, number in uow.session.execute(
            select(Complaint.id, Complaint.number).where(
                Complaint.id.in_(wanted), scope.visible_to(actor)
            )
        )
    }
    return [
        BulkResult(i.complaint_id, numbers.get(i.complaint_id) or f"#{i.complaint_id}", error)
        for i, error in done
    ]


def bulk_dispatch(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    items: Sequence[BulkItem],
    unit_code: str,
    instructions: str | None = None,
) -> list[BulkResult]:
    """派单 each complaint to ``unit_code`` (``work_orders.dispatch``, one by one)."""
    if not unit_code:
        raise InvalidInput("unit", "批量派单需要选择单位 / choose the unit to dispatch to")

    def dispatch(item: BulkItem) -> object:
        if item.version is None:
            raise InvalidInput(
                "version", "必须提供读取时的版本号 / the version you read is required"
            )
        return work_orders.dispatch(
            uow, item.complaint_id, actor, item.version, now, unit_code, instructions
        )

    return _each(uow, actor, items, dispatch)


def bulk_chase(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    items: Sequence[BulkItem],
    note: str | None = None,
) -> list[BulkResult]:
    """催办 each complaint (``follow_ups.chase``, one by one): its owner and units told."""
    return _each(
        uow, actor, items, lambda item: follow_ups.chase(uow, item.complaint_id, actor, now, note)
    )


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str
    """The department with the city or county it serves: 甲市东区 · 东区网络部."""


def dispatch_units(
    uow: UnitOfWork, actor: Actor, lang: str, region_code: str | None = None
) -> list[UnitChoice]:
    """Departments a bulk dispatch offers: those of the list's region filter (its city or
    county and below) when there is one, else of the actor's scope, in org-tree order."""
    base = actor.scope
    if region_code:
        found = uow.session.scalar(select(OrgUnit.path).where(OrgUnit.code == region_code))
        if found is not None and found.startswith(actor.scope):
            base = found
    units = list(
        uow.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.path.startswith(base, autoescape=True))
            .order_by(OrgUnit.path)
        )
    )
    by_id = {u.id: u for u in units}

    def name(u: OrgUnit) -> str:
        return u.name_en if lang == "en" else u.name_zh

    choices = []
    for u in units:
        if u.kind != "department":
            continue
        parent = by_id.get(u.parent_id) if u.parent_id is not None else None
        choices.append(UnitChoice(u.code, f"{name(parent)} · {name(u)}" if parent else name(u)))
    return choices
