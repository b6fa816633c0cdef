"""Read side of the web workbench: queues and the supervisor's dashboard (issue 5).

Every function here answers a whole page with a fixed number of queries, whatever the
number of rows: lists eager-load what the page shows (work orders, units, owners) and SLA
clocks come from ``services.sla.explain`` (three queries per page), so the colour a page
shows is the state the sweeper enforces. Org scope is applied with ``scope.visible_to``,
as in every other read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from careloop.domain import org as org_rules
from careloop.domain.tickets import OPEN_STATUSES, OPEN_WORK_ORDER_STATUSES
from careloop.services import scope, sla
from careloop.services.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, WorkOrder

_OPEN = [s.value for s in OPEN_STATUSES]
QUEUE_LIMIT = 300
"""A desk's queue is read, not scrolled: more than this means the desk needs help."""


def my_queue(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = QUEUE_LIMIT
) -> tuple[list[Complaint], dict[int, sla.ComplaintClocks]]:
    """The open complaints the actor owns (首问责任人), soonest reply deadline first."""
    complaints = list(
        uow.session.scalars(
            select(Complaint)
            .where(
                Complaint.first_owner_id == actor.staff_id,
                Complaint.status.in_(_OPEN),
                scope.visible_to(actor),
            )
            .options(selectinload(Complaint.work_orders))
            .order_by(Complaint.reply_due_at, Complaint.id)
            .limit(limit)
        )
    )
    return complaints, sla.explain(uow, complaints, now)


def unit_queue(uow: UnitOfWork, actor: Actor, limit: int = QUEUE_LIMIT) -> list[WorkOrder]:
    """Open work orders of the actor's own unit and the units below it, due first."""
    units = select(OrgUnit.id).where(OrgUnit.path.startswith(actor.org_path, autoescape=True))
    return list(
        uow.session.scalars(
            select(WorkOrder)
            .join(Complaint, Complaint.id == WorkOrder.complaint_id)
            .where(
                WorkOrder.unit_id.in_(units),
                WorkOrder.status.in_([s.value for s in OPEN_WORK_ORDER_STATUSES]),
                scope.visible_to(actor),
            )
            .options(selectinload(WorkOrder.complaint).selectinload(Complaint.work_orders))
            .order_by(WorkOrder.due_at, WorkOrder.id)
            .limit(limit)
        )
    )


@dataclass
class Counts:
    open: int = 0
    warning: int = 0
    breached: int = 0


@dataclass
class TrendDay:
    day: date
    accepted: int
    closed: int


@dataclass
class Dashboard:
    by_region: dict[str, Counts] = field(default_factory=dict)
    """City (or county) code → counts of the open complaints accepted there."""
    by_category: dict[str, Counts] = field(default_factory=dict)
    """First-level category code → counts."""
    totals: Counts = field(default_factory=Counts)
    escalated: list[Complaint] = field(default_factory=list)
    clocks: dict[int, sla.ComplaintClocks] = field(default_factory=dict)
    trend: list[TrendDay] = field(default_factory=list)
    units: dict[str, OrgUnit] = field(default_factory=dict)


def _reporting_region(region: OrgUnit, units_by_id: dict[int, OrgUnit]) -> OrgUnit:
    """The city a county belongs to: a province dashboard compares cities (地市)."""
    for unit_id in org_rules.ancestor_ids(region.path):
        unit = units_by_id.get(unit_id)
        if unit is not None and unit.kind == "city":
            return unit
    return region


def _state_of(clocks: sla.ComplaintClocks | None) -> str | None:
    """The worst state among a complaint's running clocks (breached beats warning)."""
    if clocks is None:
        return None
    states = {view.state.state for view in clocks.clocks}
    for state in ("breached", "warning"):
        if state in states:
            return state
    return None


def dashboard(
    uow: UnitOfWork, actor: Actor, now: datetime, days: int = 90, tz: str = "Asia/Shanghai"
) -> Dashboard:
    """Open, warning and breached counts by region and category, escalated complaints one by
    one, and complaints accepted and closed per day over the last `days` days."""
    units = list(uow.session.scalars(select(OrgUnit)))
    units_by_id = {u.id: u for u in units}
    open_complaints = list(
        uow.session.scalars(
            select(Complaint)
            .where(Complaint.status.in_(_OPEN), scope.visible_to(actor))
            .options(selectinload(Complaint.work_orders))
            .order_by(Complaint.reply_due_at, Complaint.id)
        )
    )
    clocks = sla.explain(uow, open_complaints, now)
    board = Dashboard(clocks=clocks, units={u.code: u for u in units})
    for c in open_complaints:
        state = _state_of(clocks.get(c.id))
        region = _reporting_region(units_by_id[c.region_id], units_by_id)
        for counts in (
            board.totals,
            board.by_region.setdefault(region.code, Counts()),
            board.by_category.setdefault(c.category_l1, Counts()),
        ):
            counts.open += 1
            if state == "warning":
                counts.warning += 1
            elif state == "breached":
                counts.breached += 1
        if c.escalated:
            board.escalated.append(c)
    board.trend = trend(uow, actor, now, days, tz)
    return board


def trend(
    uow: UnitOfWork, actor: Actor, now: datetime, days: int = 90, tz: str = "Asia/Shanghai"
) -> list[TrendDay]:
    """Complaints accepted and closed per local calendar day (the business day, not UTC)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone)
    accepted = Counter(
        at.astimezone(zone).date()
        for at in uow.session.scalars(
            select(Complaint.accepted_at).where(
                Complaint.accepted_at >= since, scope.visible_to(actor)
            )
        )
    )
    closed = Counter(
        at.astimezone(zone).date()
        for at in uow.session.scalars(
            select(Complaint.closed_at).where(Complaint.closed_at >= since, scope.visible_to(actor))
        )
        if at is not None
    )
    return [
        TrendDay(d, accepted.get(d, 0), closed.get(d, 0))
        for d in (first + timedelta(days=i) for i in range(days))
    ]


def regions_for_intake(uow: UnitOfWork, actor: Actor) -> list[OrgUnit]:
    """Cities and counties in the actor's scope: where a complaint may be filed."""
    return list(
        uow.session.scalars(
            select(OrgUnit)
            .where(
                OrgUnit.kind.in_(("city", "county")),
                OrgUnit.path.startswith(actor.scope, autoescape=True),
            )
            .order_by(OrgUnit.path)
        )
    )


def dispatch_targets(uow: UnitOfWork) -> list[OrgUnit]:
    """Departments that take work orders (派单 goes to a responsible unit)."""
    return list(
        uow.session.scalars(
            select(OrgUnit).where(OrgUnit.kind == "department").order_by(OrgUnit.path)
        )
    )
