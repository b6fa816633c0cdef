"""Complaints as the pages show them, built on the readers' views (``read_models``).

The API's read models already carry what a reader may see (labels in the reader's
language, personal data masked by role); a page adds what it alone shows: the deadline
each row is sorted and coloured by, whether a work order lies with the reader's own unit,
the history's field changes. No page holds an ORM object or a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from careloop.domain import worklist
from careloop.services.access import self_service
from careloop.services.access.actors import Actor
from careloop.services.complaints.read_models import (
    ComplaintView,
    NoteView,
    UnitRefView,
    WorkOrderView,
    complaint_view,
    note_view,
    unit_ref,
    work_order_view,
)
from careloop.services.complaints.trail import TrailEntry
from careloop.services.privacy.personal_data import sees_personal_data
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Note, OrgUnit, WorkOrder


@dataclass(frozen=True)
class ClockReading:
    """One deadline as it stands at the page's `now`: the clock the sweeper enforces
    (``services.sla``), or, where no policy covers the complaint, its stored deadline."""

    name: str
    work_order_id: int | None
    state: str
    due_at: datetime
    remaining_minutes: int
    overrun_minutes: int
    explanation: str = ""
    fallback_years: tuple[int, ...] = ()
    """Years whose holiday notice is not entered: the due date assumes their bridge and
    make-up days (statutory holidays do rest), and the page says so next to it."""


def reading_of(view: sla.ClockView, lang: str) -> ClockReading:
    s = view.state
    return ClockReading(
        view.name,
        view.work_order_id,
        s.state,
        s.due_at,
        s.remaining_minutes,
        s.overrun_minutes,
        view.explanation(lang),
        tuple(sorted(s.fallback_years)),
    )


def stored_deadline(
    name: str, due_at: datetime | None, now: datetime, work_order_id: int | None = None
) -> ClockReading | None:
    """A deadline without a policy behind it: running until it passes, breached after."""
    if due_at is None:
        return None
    left = int((due_at - now).total_seconds() // 60)
    state = "breached" if left < 0 else "running"
    return ClockReading(name, work_order_id, state, due_at, left, max(0, -left))


@dataclass(frozen=True)
class ComplaintRow:
    """A complaint in a list (queues, drill-downs, the caller's history) with the clock
    the row names and is coloured by: its worst (``domain.worklist``), so a row the
    "breached" count includes says which clock is breached."""

    complaint: ComplaintView
    reply_clock: ClockReading | None
    clock: ClockReading | None = None
    """The worst clock: breached before warning before running, stopped ones last."""
    next_due: datetime | None = None
    """The earliest deadline still open (a work list's sort key); None: nothing owed."""
    next_action: str = worklist.NextAction.NONE.value
    unit_news: WorkOrderView | None = None
    """The work order a unit completed or returned that the owner has not acted on yet."""


def row_of(
    view: ComplaintView,
    clocks: sla.ComplaintClocks | None,
    lang: str,
    now: datetime,
    reply_due_at: datetime | None,
) -> ComplaintRow:
    """A complaint's row: its reply clock, its worst clock and next deadline (over every
    clock the sweeper enforces, else its stored reply deadline) and its next action."""
    reply = clocks.reply if clocks else None
    reply_reading = (
        reading_of(reply, lang) if reply else stored_deadline("reply", reply_due_at, now)
    )
    views = clocks.clocks if clocks else ()
    worst = min(
        views, key=lambda v: worklist.clock_rank(v.state.state, v.state.due_at), default=None
    )
    stand = worklist.standing(view.status, view.work_orders, view.replied_at, view.reopen_count)
    news = stand.order if isinstance(stand.order, WorkOrderView) else None
    return ComplaintRow(
        view,
        reply_reading,
        clock=reading_of(worst, lang) if worst else reply_reading,
        next_due=worklist.next_due(
            [v.state for v in views] if views else [r for r in (reply_reading,) if r]
        ),
        next_action=stand.action.value,
        unit_news=news,
    )


def complaint_row(
    c: Complaint, actor: Actor, lang: str, clocks: sla.ComplaintClocks | None, now: datetime
) -> ComplaintRow:
    return row_of(complaint_view(c, actor, lang), clocks, lang, now, c.reply_due_at)


def complaint_rows(
    complaints: list[Complaint],
    actor: Actor,
    lang: str,
    clocks: dict[int, sla.ComplaintClocks],
    now: datetime,
) -> list[ComplaintRow]:
    return [complaint_row(c, actor, lang, clocks.get(c.id), now) for c in complaints]


@dataclass(frozen=True)
class WorkOrderLine:
    """A work order with its deadline and whether it lies with the reader's own unit (or
    one below it), where the reader can act on it."""

    order: WorkOrderView
    clock: ClockReading | None
    mine: bool


def work_order_line(
    order: WorkOrder,
    actor: Actor,
    lang: str,
    clocks: sla.ComplaintClocks | None,
    now: datetime,
    unmasked: bool,
) -> WorkOrderLine:
    view = None
    if clocks is not None:
        view = next(
            (v for v in clocks.clocks if v.work_order_id == order.id and v.name == "work_order"),
            None,
        )
    clock = (
        reading_of(view, lang)
        if view
        else stored_deadline("work_order", order.due_at, now, order.id)
    )
    return WorkOrderLine(
        work_order_view(order, lang, actor, unmasked, now),
        clock,
        order.unit.path.startswith(actor.org_path),
    )


@dataclass(frozen=True)
class ComplaintFile:
    """One complaint with everything its page shows."""

    row: ComplaintRow
    unmasked: bool
    """Whether the reader sees the customer's personal data (else it is masked)."""
    owner_unit: UnitRefView
    first_owner_name: str
    clocks: list[ClockReading]
    """Every clock of the complaint under its policy (empty without one)."""
    work_orders: list[WorkOrderLine]
    trail: list[TrailEntry]
    """The complaint's events in words, newest first (``trail``)."""
    notes: list[NoteView]


def complaint_file(
    c: Complaint,
    actor: Actor,
    lang: str,
    clocks: sla.ComplaintClocks | None,
    trail: list[TrailEntry],
    notes: list[Note],
    now: datetime,
) -> ComplaintFile:
    unmasked = sees_personal_data(c, actor)
    return ComplaintFile(
        row=row_of(complaint_view(c, actor, lang, clocks), clocks, lang, now, c.reply_due_at),
        unmasked=unmasked,
        owner_unit=unit_ref(c.owner_unit, lang),
        first_owner_name=c.first_owner.display_name,
        clocks=[reading_of(v, lang) for v in clocks.clocks] if clocks else [],
        work_orders=[work_order_line(o, actor, lang, clocks, now, unmasked) for o in c.work_orders],
        trail=trail,
        notes=[note_view(n, unmasked) for n in notes],
    )


@dataclass(frozen=True)
class UnitTask:
    """An open work order in a unit's queue, with the complaint it serves."""

    order: WorkOrderLine
    complaint: ComplaintRow


@dataclass(frozen=True)
class RegionChoice:
    """A city or county the intake form offers (counties indented under their city)."""

    unit: UnitRefView
    kind: str


def region_choice(unit: OrgUnit, lang: str) -> RegionChoice:
    return RegionChoice(unit_ref(unit, lang), unit.kind)


@dataclass(frozen=True)
class OwnComplaint:
    """A complaint as its own customer sees it in self-service (their own data, unmasked)."""

    id: int
    number: str | None
    status: str
    category: str
    accepted_at: datetime
    reply_due_at: datetime | None
    reply_text: str | None


def own_complaints(uow: UnitOfWork, phone: str) -> list[OwnComplaint]:
    """The customer's own complaints (``self_service.customer_complaints``), newest first."""
    return [
        OwnComplaint(
            c.id, c.number, c.status, c.category, c.accepted_at, c.reply_due_at, c.reply_text
        )
        for c in self_service.customer_complaints(uow, phone)
    ]
