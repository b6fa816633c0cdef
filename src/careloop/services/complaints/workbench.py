"""Read side of the web workbench: queues, the complaint page and the supervisor's dashboard.

The pages get read models (``page_views``), never ORM rows.

Every function here answers a whole page with a fixed number of queries, whatever the
number of rows: lists eager-load what the page shows (work orders, units, owners) and SLA
clocks come from ``services.sla.explain`` (three queries per page), so the colour a page
shows is the state the sweeper enforces. Org scope is applied with ``scope.visible_to``,
as in every other read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from careloop.domain import org as org_rules
from careloop.domain.complaints import REPEAT_WINDOW
from careloop.domain.errors import InvalidInput
from careloop.domain.lifecycle.tickets import OPEN_STATUSES, OPEN_WORK_ORDER_STATUSES, Status
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import queries, worklist
from careloop.services.complaints.filters import ComplaintFilter
from careloop.services.complaints.page_views import (
    ComplaintFile,
    ComplaintRow,
    RegionChoice,
    UnitTask,
    complaint_file,
    complaint_row,
    complaint_rows,
    region_choice,
    work_order_line,
)
from careloop.services.complaints.read_models import UnitRefView, unit_ref
from careloop.services.complaints.trail import trail
from careloop.services.privacy.personal_data import sees_personal_data
from careloop.services.sla import clocks as sla
from careloop.services.sla import states as sla_states
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, Staff, WorkOrder

_OPEN = [s.value for s in OPEN_STATUSES]
QUEUE_LIMIT = 300
"""A desk's queue is read, not scrolled: more than this means the desk needs help."""


def my_queue(
    uow: UnitOfWork, actor: Actor, now: datetime, lang: str, limit: int = QUEUE_LIMIT
) -> list[ComplaintRow]:
    """The open complaints the actor owns (首问责任人), the next open deadline first
    (``worklist.soonest_first``: an answered complaint sorts by its callback, not by the
    reply it already had). Read afresh: the queue polls, and must show what units did."""
    uow.session.expire_all()
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
    rows = complaint_rows(complaints, actor, lang, sla.explain(uow, complaints, now), now)
    return worklist.soonest_first(rows)


def unit_queue(
    uow: UnitOfWork, actor: Actor, now: datetime, lang: str, limit: int = QUEUE_LIMIT
) -> list[UnitTask]:
    """Open work orders of the actor's own unit and the units below it, each with the worst
    of its own clocks (accepting, finishing), the soonest due first.

    Read afresh (the session's cached rows dropped): the page also answers a failed action,
    and must show what is stored, not what the failed attempt had loaded."""
    uow.session.expire_all()
    units = select(OrgUnit.id).where(OrgUnit.path.startswith(actor.org_path, autoescape=True))
    orders = list(
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
    complaints = list({o.complaint_id: o.complaint for o in orders}.values())
    clocks = sla.explain(uow, complaints, now)
    tasks = []
    for order in orders:
        c, found = order.complaint, clocks.get(order.complaint_id)
        unmasked = sees_personal_data(c, actor)
        line = work_order_line(order, actor, lang, found, now, unmasked)
        tasks.append(
            UnitTask(
                worklist.order_clock(line, found, lang), complaint_row(c, actor, lang, found, now)
            )
        )
    tasks.sort(key=lambda t: worklist.order_due(t.order.clock))
    return tasks


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
    escalated: list[ComplaintRow] = field(default_factory=list)
    """The most urgent escalated open complaints (at most ESCALATED_SHOWN)."""
    escalated_total: int = 0
    trend: list[TrendDay] = field(default_factory=list)
    units: dict[str, UnitRefView] = field(default_factory=dict)
    """Unit code → the unit, named in the reader's language."""


def _reporting_region(region: OrgUnit, units_by_id: dict[int, OrgUnit]) -> OrgUnit:
    """The city a county belongs to: a province dashboard compares cities (地市)."""
    for unit_id in org_rules.ancestor_ids(region.path):
        unit = units_by_id.get(unit_id)
        if unit is not None and unit.kind == "city":
            return unit
    return region


ESCALATED_SHOWN = 50
"""The dashboard lists the most urgent escalated complaints; the tile links to all of them."""


def dashboard(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    days: int = 90,
    tz: str = "Asia/Shanghai",
    lang: str = "zh",
) -> Dashboard:
    """Open, warning and breached counts by region and category, the most urgent escalated
    complaints, and complaints accepted and closed per day over the last `days` days.

    A fixed number of queries whatever the backlog: open counts are one GROUP BY;
    only the complaints :func:`sla_states.sla_candidates` lets through (those that can be in
    warning or breached at all) and :func:`sla_states.sla_certainly_breached` does not settle
    are judged by the clock functions, a batch at a time.
    """
    queries.interactive_reads(uow)
    units = list(uow.session.scalars(select(OrgUnit)))
    units_by_id = {u.id: u for u in units}
    visible = scope.visible_to(actor)
    board = Dashboard(units={u.code: unit_ref(u, lang) for u in units})
    reporting = {u.id: _reporting_region(u, units_by_id).code for u in units}

    def counts_for(region_id: int, category: str) -> list[Counts]:
        return [
            board.totals,
            board.by_region.setdefault(reporting[region_id], Counts()),
            board.by_category.setdefault(category, Counts()),
        ]

    for region_id, category, n in uow.session.execute(
        select(Complaint.region_id, Complaint.category_l1, func.count())
        .where(queries.open_term(), visible)
        .group_by(Complaint.region_id, Complaint.category_l1)
    ):
        for counts in counts_for(region_id, category):
            counts.open += n
    at_risk = or_(
        sla_states.sla_candidates(uow, "warning", now, queries.open_term()),
        sla_states.sla_candidates(uow, "breached", now, queries.open_term()),
    )
    # Plainly breached complaints (sla_states.sla_certainly_breached) need no judging.
    sure = sla_states.certainly(sla_states.sla_certainly_breached(uow, now))
    candidates = uow.session.execute(
        select(Complaint.id, Complaint.region_id, Complaint.category_l1, sure).where(
            queries.open_term(), visible, at_risk
        )
    ).all()
    verdicts: dict[int, frozenset[str]] = {}
    sla_states.judge(uow, [row[0] for row in candidates if not row[3]], now, verdicts)
    for cid, region_id, category, certain in candidates:
        state = "breached" if certain else _worst(verdicts.get(cid, frozenset()))
        for counts in counts_for(region_id, category) if state else ():
            if state == "warning":
                counts.warning += 1
            else:
                counts.breached += 1
    escalated = and_(queries.open_term(), visible, Complaint.escalated.is_(True))
    board.escalated_total = (
        uow.session.scalar(select(func.count()).select_from(Complaint).where(escalated)) or 0
    )
    escalated_rows = list(
        uow.session.scalars(
            select(Complaint)
            .where(escalated)
            .options(selectinload(Complaint.work_orders))
            .order_by(Complaint.reply_due_at, Complaint.id)
            .limit(ESCALATED_SHOWN)
        )
    )
    clocks = sla.explain(uow, escalated_rows, now)
    board.escalated = complaint_rows(escalated_rows, actor, lang, clocks, now)
    board.trend = trend(uow, actor, now, days, tz)
    return board


def _worst(states: frozenset[str]) -> str | None:
    """The worst state among a complaint's clocks (breached beats warning)."""
    for state in ("breached", "warning"):
        if state in states:
            return state
    return None


def _buckets(
    uow: UnitOfWork, column: Any, since: datetime, now: datetime, zone: ZoneInfo, actor: Actor
) -> Counter[date]:
    """How many complaints have ``column`` on each local day since ``since``: one GROUP BY.

    Buckets are whole local days when the zone's offset does not change over the period
    (Asia/Shanghai); otherwise quarter hours (every real offset is a multiple of 15 min),
    folded into local days here. Either way the rows returned do not grow with complaints.
    """
    offsets = {
        (since + timedelta(days=i)).astimezone(zone).utcoffset()
        for i in range((now - since).days + 2)
    }
    if len(offsets) == 1:
        offset = (offsets.pop() or timedelta(0)).total_seconds()
        size = 86_400
    else:
        offset, size = 0.0, 900
    shifted = sla_states.epoch(uow, column) + int(offset)
    if uow.session.get_bind().dialect.name == "postgresql":
        bucket: Any = func.floor(shifted / size)
    else:
        bucket = shifted // int(size)  # integer division: floor for instants after 1970
    rows = uow.session.execute(
        select(bucket, func.count())
        .where(column >= since, column <= now + timedelta(days=1), scope.visible_to(actor))
        .group_by(bucket)
    )
    found: Counter[date] = Counter()
    for key, n in rows:
        moment = datetime.fromtimestamp(float(key) * size - offset, UTC)
        found[moment.astimezone(zone).date()] += n
    return found


def trend(
    uow: UnitOfWork, actor: Actor, now: datetime, days: int = 90, tz: str = "Asia/Shanghai"
) -> list[TrendDay]:
    """Complaints accepted and closed per local calendar day (the business day, not UTC),
    counted by the database (two GROUP BY queries, not a row per complaint)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone)
    accepted = _buckets(uow, Complaint.accepted_at, since, now, zone, actor)
    closed = _buckets(uow, Complaint.closed_at, since, now, zone, actor)
    return [
        TrendDay(d, accepted.get(d, 0), closed.get(d, 0))
        for d in (first + timedelta(days=i) for i in range(days))
    ]


def regions_for_intake(uow: UnitOfWork, actor: Actor, lang: str) -> list[RegionChoice]:
    """Cities and counties in the actor's scope: where a complaint may be filed."""
    return [
        region_choice(u, lang)
        for u in uow.session.scalars(
            select(OrgUnit)
            .where(
                OrgUnit.kind.in_(("city", "county")),
                OrgUnit.path.startswith(actor.scope, autoescape=True),
            )
            .order_by(OrgUnit.path)
        )
    ]


def dispatch_targets(uow: UnitOfWork, lang: str) -> list[UnitRefView]:
    """Departments that take work orders (派单 goes to a responsible unit)."""
    return [
        unit_ref(u, lang)
        for u in uow.session.scalars(
            select(OrgUnit).where(OrgUnit.kind == "department").order_by(OrgUnit.path)
        )
    ]


def complaint_page(
    uow: UnitOfWork, complaint_id: int, actor: Actor, now: datetime, lang: str
) -> ComplaintFile:
    """One complaint with its clocks, work orders, history and notes, read afresh (the
    session's cached rows dropped): the page also answers a failed action, and must show
    what is stored, not what the failed attempt had loaded."""
    uow.session.expire_all()
    c = queries.get_complaint(uow, complaint_id, actor)
    clocks = sla.explain(uow, [c], now).get(c.id)
    events = queries.events_of(uow, complaint_id, actor)
    history = trail(uow, c, events, sees_personal_data(c, actor), lang)
    notes = queries.notes_of(uow, complaint_id, actor)
    found = complaint_file(c, actor, lang, clocks, history, notes, now)
    # Staff know each other by name; the username stays in the API's note author.
    authors = {n.author for n in found.notes}
    names: dict[str, str] = {
        username: name
        for username, name in uow.session.execute(
            select(Staff.username, Staff.display_name).where(Staff.username.in_(authors))
        )
    }
    return replace(
        found, notes=[replace(n, author=names.get(n.author, n.author)) for n in found.notes]
    )


LIST_SORT = "reply_due_at"
"""The complaint list's order, which its export keeps (the file lists what the pages do)."""


@dataclass(frozen=True)
class RowPage:
    rows: list[ComplaintRow]
    total: int
    total_capped: bool


def complaint_list(
    uow: UnitOfWork,
    f: ComplaintFilter,
    limit: int,
    offset: int,
    actor: Actor,
    now: datetime,
    lang: str,
) -> RowPage:
    """A page of the complaint list (every dashboard number drills down here), due first."""
    found = queries.list_complaints(uow, f, limit, offset, LIST_SORT, actor=actor, now=now)
    clocks = sla.explain(uow, found.items, now)
    rows = complaint_rows(found.items, actor, lang, clocks, now)
    return RowPage(rows, found.total, found.total_capped)


@dataclass(frozen=True)
class CustomerHistory:
    rows: list[ComplaintRow]
    """The caller's latest complaints (at most ``HISTORY_SHOWN``)."""
    recent: list[ComplaintRow]
    """Those recent enough that a new complaint on the same issue counts as a repeat."""
    total: int


HISTORY_SHOWN = 20


def customer_history(
    uow: UnitOfWork, actor: Actor, now: datetime, lang: str, phone: str
) -> CustomerHistory:
    """The earlier complaints of a caller (by normalised number), newest first, and which
    of them make a new complaint a repeat (重复投诉: within ``REPEAT_WINDOW``, not merged)."""
    page = queries.list_complaints(
        uow,
        ComplaintFilter(customer_phone=phone),
        HISTORY_SHOWN,
        0,
        "-accepted_at",
        actor=actor,
        now=now,
    )
    rows = complaint_rows(page.items, actor, lang, {}, now)
    recent = [
        r
        for r, c in zip(rows, page.items, strict=True)
        if now - c.accepted_at <= REPEAT_WINDOW and c.status != Status.MERGED
    ]
    return CustomerHistory(rows, recent, page.total)


def merge_target_id(uow: UnitOfWork, actor: Actor, ref: str) -> int:
    """The complaint to merge into, as a person names it: by number (TS…) or by id."""
    ref = ref.strip()
    if ref.isdigit():
        return int(ref)
    page = queries.list_complaints(uow, ComplaintFilter(text=ref), 5, 0, actor=actor)
    match = next((c for c in page.items if c.number == ref), None)
    if match is None:
        raise InvalidInput("into", f"未找到投诉 / no complaint numbered {ref}")
    return match.id
