"""What a complaint and its records look like to a reader: plain values, never ORM rows.

Built in the reader's language, with personal data masked by role (the one rule,
``domain.privacy.shown``, decided per complaint by ``sees_personal_data``, which also
notes an unmasked read for the read audit). Channels receive these and shape them for
their medium (the API's schemas validate them attribute by attribute); none of them ever
holds a session or a row, so what they show cannot drift from what a service loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from careloop.domain import privacy
from careloop.domain.categories import get_category
from careloop.domain.lifecycle import tickets
from careloop.services.access.actors import Actor
from careloop.services.complaints.step_views import WorkStepView, step_views
from careloop.services.privacy.personal_data import mask_fields, sees_personal_data
from careloop.services.sla.clocks import ClockView, ComplaintClocks
from careloop.services.snapshots import snapshot
from careloop.store.models import Attachment, Complaint, Event, Note, OrgUnit, WorkOrder


def _label(labels: tuple[str, str], lang: str) -> str:
    return labels[1] if lang == "en" else labels[0]


@dataclass(frozen=True)
class UnitRefView:
    id: int
    code: str
    name: str


def unit_ref(unit: OrgUnit, lang: str) -> UnitRefView:
    return UnitRefView(unit.id, unit.code, unit.name_en if lang == "en" else unit.name_zh)


@dataclass(frozen=True)
class WorkOrderView:
    id: int
    complaint_id: int
    seq: int
    version: int
    unit: UnitRefView
    status: str
    status_label: str
    owner_id: int | None
    dispatched_by_id: int
    dispatched_at: datetime
    due_at: datetime
    accepted_at: datetime | None
    finished_at: datetime | None
    instructions: str | None
    result: str | None
    reason: str | None
    transferred_from_id: int | None
    steps: list[WorkStepView]
    """Its service-commitment steps (feasibility, arrival, restore ...) with due times."""
    late_steps: int
    """How many of them are late at the moment read: done late, or open past due."""


def work_order_view(
    order: WorkOrder,
    lang: str,
    actor: Actor,
    unmasked: bool | None = None,
    now: datetime | None = None,
) -> WorkOrderView:
    """A work order; its instructions, result and reason quote the customer (a number to
    call, an address), so they are masked like the complaint's own text. `unmasked`: when
    the caller has already judged the complaint, else it is judged here. Its steps are
    judged at `now` (without one, an open step is shown open, never overdue)."""
    if unmasked is None:
        unmasked = sees_personal_data(order.complaint, actor)
    status = tickets.WorkOrderStatus(order.status)
    steps = step_views(
        order.steps, lang, now if now is not None else datetime.min.replace(tzinfo=UTC), unmasked
    )
    return snapshot(
        WorkOrderView,
        order,
        steps=steps,
        late_steps=sum(s.late for s in steps),
        unit=unit_ref(order.unit, lang),
        status=status.value,
        status_label=_label(tickets.WORK_ORDER_LABELS[status], lang),
        instructions=privacy.shown(order.instructions, "text", unmasked=unmasked),
        result=privacy.shown(order.result, "text", unmasked=unmasked),
        reason=privacy.shown(order.reason, "text", unmasked=unmasked),
    )


@dataclass(frozen=True)
class SlaPolicyRefView:
    id: int
    code: str
    version: int
    name: str


@dataclass(frozen=True)
class SlaPauseView:
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class SlaClockView:
    clock: str
    work_order_id: int | None
    basis: str
    limit_minutes: int
    count: str
    limit_days: int | None
    regulatory: bool
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    stopped_at: datetime | None
    used_minutes: int
    paused_minutes: int
    remaining_minutes: int
    overrun_minutes: int
    state: str
    warn_share: float
    pauses: list[SlaPauseView]
    fallback_years: list[int]
    explanation: str


@dataclass(frozen=True)
class ComplaintSlaView:
    policy: SlaPolicyRefView | None
    evaluated_at: datetime
    clocks: list[SlaClockView]


def _clock_view(v: ClockView, lang: str) -> SlaClockView:
    s = v.state
    return snapshot(
        SlaClockView,
        s,
        clock=v.name,
        work_order_id=v.work_order_id,
        regulatory=v.regulatory,
        pauses=[SlaPauseView(p.start, p.end) for p in v.pauses],
        fallback_years=sorted(s.fallback_years),
        explanation=v.explanation(lang),
    )


def sla_view(clocks: ComplaintClocks, lang: str) -> ComplaintSlaView:
    """The clocks the sweeper enforces, explained (services.sla.clocks_for)."""
    policy = clocks.policy
    return ComplaintSlaView(
        policy=SlaPolicyRefView(policy.id, policy.code, policy.version, policy.name)
        if policy
        else None,
        evaluated_at=clocks.clocks[0].state.evaluated_at if clocks.clocks else clocks.now,
        clocks=[_clock_view(v, lang) for v in clocks.clocks],
    )


@dataclass(frozen=True)
class CustomerView:
    phone: str
    name: str | None
    account: str | None
    tier: str


@dataclass(frozen=True)
class ComplaintView:
    id: int
    number: str
    version: int
    status: str
    status_label: str
    channel: str
    source_ref: str | None
    customer: CustomerView
    category: str
    category_label: str
    category_l1: str
    product: str
    region: UnitRefView
    description: str
    reply_text: str | None
    priority: str
    escalated: bool
    regulator_transfer: bool
    is_repeat: bool
    repeat_of_id: int | None
    merged_into_id: int | None
    reopen_count: int
    callback_satisfied: bool | None
    callback_outcome: str | None
    callback_attempts: int
    callback_next_at: datetime | None
    """When to call again after an unreachable attempt (domain.callbacks)."""
    appeal_outcome: str | None
    first_owner: str
    first_owner_id: int
    owner_unit_id: int
    accepted_at: datetime
    reply_due_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    archived_at: datetime | None
    updated_at: datetime
    work_orders: list[WorkOrderView]
    allowed_actions: list[str]
    """Transitions the reader may fire now (domain.lifecycle.tickets)."""
    sla: ComplaintSlaView | None


def complaint_view(
    c: Complaint,
    actor: Actor,
    lang: str,
    clocks: ComplaintClocks | None = None,
    first_owner: str | None = None,
) -> ComplaintView:
    """`first_owner`: the username when the caller knows it (intake: the taker), else read."""
    status = tickets.Status(c.status)
    category = get_category(c.category)
    unmasked = sees_personal_data(c, actor)
    return snapshot(
        ComplaintView,
        c,
        number=c.number or "",
        status=status.value,
        status_label=_label(tickets.STATUS_LABELS[status], lang),
        customer=CustomerView(
            phone=privacy.shown(c.customer_phone, "phone", unmasked=unmasked) or "",
            name=privacy.shown(c.customer_name, "name", unmasked=unmasked),
            account=privacy.shown(c.customer_account, "account", unmasked=unmasked),
            tier=c.customer_tier,
        ),
        category_label=category.label(lang) if category else c.category,
        region=unit_ref(c.region, lang),
        description=privacy.shown(c.description, "text", unmasked=unmasked) or "",
        reply_text=privacy.shown(c.reply_text, "text", unmasked=unmasked),
        first_owner=first_owner or c.first_owner.username,
        work_orders=[
            work_order_view(o, lang, actor, unmasked, clocks.now if clocks else None)
            for o in c.work_orders
        ],
        allowed_actions=[
            t.name
            for t in tickets.offered_transitions(status, actor.role, bool(c.regulator_transfer))
        ],
        sla=sla_view(clocks, lang) if clocks is not None else None,
    )


@dataclass(frozen=True)
class EventView:
    id: int
    complaint_id: int
    work_order_id: int | None
    at: datetime
    actor: str
    role: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


def event_view(e: Event, unmasked: bool) -> EventView:
    """An audit event; the accept snapshot holds the customer's data, masked by role."""
    return snapshot(
        EventView,
        e,
        before=e.before if unmasked else mask_fields(e.before),
        after=e.after if unmasked else mask_fields(e.after),
        note=e.note if unmasked else privacy.shown(e.note, "text", unmasked=False),
    )


@dataclass(frozen=True)
class NoteView:
    id: int
    complaint_id: int
    author: str
    at: datetime
    text: str | None


def note_view(n: Note, unmasked: bool) -> NoteView:
    return snapshot(NoteView, n, text=privacy.shown(n.text, "text", unmasked=unmasked))


@dataclass(frozen=True)
class AttachmentView:
    id: int
    complaint_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str | None
    storage_ref: str | None
    uploaded_by: str
    at: datetime


def attachment_view(a: Attachment, unmasked: bool) -> AttachmentView:
    """An attachment's metadata; its name is often the customer's ("13812345678身份证.jpg")."""
    return snapshot(
        AttachmentView,
        a,
        filename=privacy.shown(a.filename, "text", unmasked=unmasked) or "",
        storage_ref=privacy.shown(a.storage_ref, "text", unmasked=unmasked),
    )


@dataclass(frozen=True)
class ComplaintViewPage:
    total: int
    items: list[ComplaintView]
    total_capped: bool
    next_cursor: str | None
