"""Complaints as the pages show them: plain values, personal data already masked.

The pages pick labels in the reader's language and format durations; every value read from
a row, every deadline and every masking decision (``domain.privacy`` through
``services.privacy.personal_data``, the rule the API and the exports apply) is settled
here, so that no page holds an ORM object or a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from careloop.domain import privacy
from careloop.services.access import self_service
from careloop.services.access.actors import Actor
from careloop.services.privacy.personal_data import mask_fields, sees_personal_data
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, Note, OrgUnit, SlaPolicy, WorkOrder


@dataclass(frozen=True)
class UnitShown:
    """An org unit by its code and its names in both languages."""

    code: str
    kind: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


def unit_shown(unit: OrgUnit) -> UnitShown:
    return UnitShown(unit.code, unit.kind, unit.name_zh, unit.name_en)


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
    explanation_zh: str = ""
    explanation_en: str = ""

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" else self.explanation_zh


def reading_of(view: sla.ClockView) -> ClockReading:
    s = view.state
    return ClockReading(
        view.name,
        view.work_order_id,
        s.state,
        s.due_at,
        s.remaining_minutes,
        s.overrun_minutes,
        view.explanation("zh"),
        view.explanation("en"),
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
class ShownCustomer:
    phone: str
    name: str | None
    account: str | None
    unmasked: bool


def shown_customer(c: Complaint, actor: Actor) -> ShownCustomer:
    unmasked = sees_personal_data(c, actor)
    return ShownCustomer(
        privacy.shown(c.customer_phone, "phone", unmasked=unmasked) or "",
        privacy.shown(c.customer_name, "name", unmasked=unmasked),
        privacy.shown(c.customer_account, "account", unmasked=unmasked),
        unmasked,
    )


def shown_text(text: str | None, unmasked: bool) -> str:
    """Free text (description, reply, notes, work-order texts): it may quote the customer,
    so it is masked unless the reader sees the complaint's personal data."""
    return privacy.shown(text, "text", unmasked=unmasked) or ""


@dataclass(frozen=True)
class ComplaintRow:
    """A complaint in a list (queues, drill-downs, the customer's history)."""

    id: int
    number: str
    status: str
    category: str
    region: UnitShown | None
    customer: ShownCustomer
    reply_clock: ClockReading | None
    escalated: bool
    repeat: bool
    accepted_at: datetime
    description: str


def complaint_row(
    c: Complaint, actor: Actor, clocks: sla.ComplaintClocks | None, now: datetime
) -> ComplaintRow:
    customer = shown_customer(c, actor)
    reply = clocks.reply if clocks else None
    return ComplaintRow(
        id=c.id,
        number=c.number or str(c.id),
        status=c.status,
        category=c.category,
        region=unit_shown(c.region) if c.region is not None else None,
        customer=customer,
        reply_clock=reading_of(reply) if reply else stored_deadline("reply", c.reply_due_at, now),
        escalated=c.escalated,
        repeat=c.is_repeat,
        accepted_at=c.accepted_at,
        description=shown_text(c.description, customer.unmasked),
    )


def complaint_rows(
    complaints: list[Complaint],
    actor: Actor,
    clocks: dict[int, sla.ComplaintClocks],
    now: datetime,
) -> list[ComplaintRow]:
    return [complaint_row(c, actor, clocks.get(c.id), now) for c in complaints]


@dataclass(frozen=True)
class WorkOrderShown:
    id: int
    complaint_id: int
    seq: int
    version: int
    status: str
    unit: UnitShown
    due_at: datetime
    clock: ClockReading | None
    instructions: str
    result: str
    reason: str
    mine: bool
    """The order lies with the reader's own unit or one below it."""


def work_order_shown(
    order: WorkOrder,
    actor: Actor,
    clocks: sla.ComplaintClocks | None,
    now: datetime,
    unmasked: bool,
) -> WorkOrderShown:
    view = None
    if clocks is not None:
        view = next(
            (v for v in clocks.clocks if v.work_order_id == order.id and v.name == "work_order"),
            None,
        )
    clock = reading_of(view) if view else stored_deadline("work_order", order.due_at, now, order.id)
    return WorkOrderShown(
        id=order.id,
        complaint_id=order.complaint_id,
        seq=order.seq,
        version=order.version,
        status=order.status,
        unit=unit_shown(order.unit),
        due_at=order.due_at,
        clock=clock,
        instructions=shown_text(order.instructions, unmasked),
        result=shown_text(order.result, unmasked),
        reason=shown_text(order.reason, unmasked),
        mine=order.unit.path.startswith(actor.org_path),
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    role: str
    action: str
    note: str
    changes: list[tuple[str, str, str]]
    """(field, before, after) of the fields a reader follows, in ``SHOWN_FIELDS`` order."""


SHOWN_FIELDS = ("status", "unit", "due_at", "reason", "result", "merged_into_id", "reopen_count")


def timeline(events: list[Event], unmasked: bool) -> list[TimelineEntry]:
    entries = []
    for e in events:
        before = (e.before if unmasked else mask_fields(e.before)) or {}
        after = (e.after if unmasked else mask_fields(e.after)) or {}
        changes = [
            (name, str(before.get(name, "")), str(after[name]))
            for name in SHOWN_FIELDS
            if name in after
        ]
        entries.append(
            TimelineEntry(e.at, e.actor, e.role, e.action, shown_text(e.note, unmasked), changes)
        )
    return entries


@dataclass(frozen=True)
class NoteShown:
    at: datetime
    author: str
    text: str


def notes_shown(notes: list[Note], unmasked: bool) -> list[NoteShown]:
    return [NoteShown(n.at, n.author, shown_text(n.text, unmasked)) for n in notes]


@dataclass(frozen=True)
class PolicyRef:
    code: str
    version: int
    name: str


def policy_ref(policy: SlaPolicy | None) -> PolicyRef | None:
    return PolicyRef(policy.code, policy.version, policy.name) if policy else None


@dataclass(frozen=True)
class StaffRef:
    username: str
    display_name: str


@dataclass(frozen=True)
class ComplaintFile:
    """One complaint with everything its page shows."""

    row: ComplaintRow
    version: int
    channel: str
    reply_text: str
    owner_unit: UnitShown
    first_owner: StaffRef
    repeat_of_id: int | None
    merged_into_id: int | None
    policy: PolicyRef | None
    clocks: list[ClockReading]
    """Every clock of the complaint under its policy (empty without one)."""
    work_orders: list[WorkOrderShown]
    timeline: list[TimelineEntry]
    notes: list[NoteShown]


def complaint_file(
    c: Complaint,
    actor: Actor,
    clocks: sla.ComplaintClocks | None,
    events: list[Event],
    notes: list[Note],
    now: datetime,
) -> ComplaintFile:
    row = complaint_row(c, actor, clocks, now)
    unmasked = row.customer.unmasked
    return ComplaintFile(
        row=row,
        version=c.version,
        channel=c.channel,
        reply_text=shown_text(c.reply_text, unmasked),
        owner_unit=unit_shown(c.owner_unit),
        first_owner=StaffRef(c.first_owner.username, c.first_owner.display_name),
        repeat_of_id=c.repeat_of_id,
        merged_into_id=c.merged_into_id,
        policy=policy_ref(clocks.policy) if clocks else None,
        clocks=[reading_of(v) for v in clocks.clocks] if clocks else [],
        work_orders=[work_order_shown(o, actor, clocks, now, unmasked) for o in c.work_orders],
        timeline=timeline(events, unmasked),
        notes=notes_shown(notes, unmasked),
    )


@dataclass(frozen=True)
class UnitTask:
    """An open work order in a unit's queue, with the complaint it serves."""

    order: WorkOrderShown
    complaint: ComplaintRow


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


def own_complaint(c: Complaint) -> OwnComplaint:
    return OwnComplaint(
        c.id, c.number, c.status, c.category, c.accepted_at, c.reply_due_at, c.reply_text
    )


def own_complaints(uow: UnitOfWork, phone: str) -> list[OwnComplaint]:
    """The customer's own complaints (``self_service.customer_complaints``), newest first."""
    return [own_complaint(c) for c in self_service.customer_complaints(uow, phone)]
