"""追加 and 催办: a caller whose complaint is still open is followed up on that complaint
instead of opening a second one (rules: ``domain.follow_ups``).

Both write one audit row on the complaint (its event is published after the commit) and
leave its status and version alone; a chase also queues its messages in the notifications
outbox in the same transaction, which the notify adapters deliver like every other alert.
An idempotency key makes a retried request answer the follow-up recorded the first time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from careloop.domain import follow_ups as rules
from careloop.domain.errors import InvalidInput
from careloop.domain.lifecycle.tickets import OPEN_STATUSES, OPEN_WORK_ORDER_STATUSES
from careloop.domain.vocabulary import PRODUCTS, label
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import audit
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.complaints.read_models import complaint_view
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, Notification, OrgUnit, WorkOrder

IDEMPOTENCY_KEY_CHARS = 200


@dataclass(frozen=True)
class FollowUp:
    """A recorded 追加 or 催办 as its channels answer it."""

    complaint_id: int
    number: str
    action: str
    event_id: int
    at: datetime
    counts: rules.FollowUpCounts
    recipients: tuple[str, ...] = ()
    replayed: bool = False


def counts(uow: UnitOfWork, complaint_id: int) -> rules.FollowUpCounts:
    """Calls added and chases so far, read from the complaint's audit trail (one query)."""
    actions = uow.session.scalars(
        select(Event.action).where(
            Event.complaint_id == complaint_id, Event.action.in_(rules.FOLLOW_UP_ACTIONS)
        )
    )
    return rules.count(list(actions))


def _counts_of(uow: UnitOfWork, complaint_ids: list[int]) -> dict[int, rules.FollowUpCounts]:
    """``counts`` of several complaints in one query."""
    actions: dict[int, list[str]] = {i: [] for i in complaint_ids}
    rows = uow.session.execute(
        select(Event.complaint_id, Event.action).where(
            Event.complaint_id.in_(complaint_ids), Event.action.in_(rules.FOLLOW_UP_ACTIONS)
        )
    )
    for complaint_id, action in rows:
        actions[complaint_id].append(action)
    return {i: rules.count(found) for i, found in actions.items()}


def follow_up_counts(uow: UnitOfWork, complaint_id: int, actor: Actor) -> rules.FollowUpCounts:
    """The counts of a complaint the actor may see (404 otherwise)."""
    load_complaint(uow, complaint_id, actor)
    return counts(uow, complaint_id)


def _key(idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip()
    if not key:
        return None
    if len(key) > IDEMPOTENCY_KEY_CHARS or not key.isprintable():
        raise InvalidInput(
            "idempotency_key",
            f"至多 {IDEMPOTENCY_KEY_CHARS} 个可见字符 / "
            f"at most {IDEMPOTENCY_KEY_CHARS} printable characters",
        )
    return key


def _replay(uow: UnitOfWork, complaint: Complaint, action: str, key: str | None) -> FollowUp | None:
    """The follow-up already recorded with this key, if any (a retried request)."""
    if key is None:
        return None
    for event in uow.session.scalars(
        select(Event)
        .where(Event.complaint_id == complaint.id, Event.action == action)
        .order_by(Event.id)
    ):
        after = event.after or {}
        if after.get("idempotency_key") == key:
            return FollowUp(
                complaint.id,
                complaint.number or "",
                action,
                event.id,
                event.at,
                counts(uow, complaint.id),
                tuple(after.get("recipients") or ()),
                replayed=True,
            )
    return None


def _load(uow: UnitOfWork, complaint_id: int, action: str, actor: Actor) -> Complaint:
    """The role first (someone who may never do this learns nothing), then the scope, then
    whether the complaint is still open."""
    rules.check_role(action, actor.role)
    complaint = load_complaint(uow, complaint_id, actor)
    rules.check_follow_up(action, complaint.status, actor.role)
    return complaint


def add_call(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    now: datetime,
    text: str,
    channel: str = "hotline",
    idempotency_key: str | None = None,
) -> FollowUp:
    """追加: the customer's further call goes on the open complaint's trail with its words
    and channel, counted as a repeat contact; no new complaint is opened."""
    cleaned = rules.call_text(text)
    rules.check_channel(channel)
    key = _key(idempotency_key)
    complaint = _load(uow, complaint_id, rules.ADD_CALL, actor)
    replayed = _replay(uow, complaint, rules.ADD_CALL, key)
    if replayed is not None:
        return replayed
    before = counts(uow, complaint.id)
    after: dict[str, object] = {"channel": channel, "calls_added": before.calls_added + 1}
    if key:
        after["idempotency_key"] = key
    event = audit.record(complaint, actor, rules.ADD_CALL, now, after=after, note=cleaned)
    uow.session.add(event)
    uow.session.flush()
    uow.commit()
    return FollowUp(
        complaint.id,
        complaint.number or "",
        rules.ADD_CALL,
        event.id,
        now,
        rules.FollowUpCounts(before.calls_added + 1, before.chases),
    )


def _holding_units(uow: UnitOfWork, complaint_id: int) -> list[str]:
    """Codes of the units holding the complaint's open work orders, in dispatch order."""
    return list(
        uow.session.scalars(
            select(OrgUnit.code)
            .join(WorkOrder, WorkOrder.unit_id == OrgUnit.id)
            .where(
                WorkOrder.complaint_id == complaint_id,
                WorkOrder.status.in_([s.value for s in OPEN_WORK_ORDER_STATUSES]),
            )
            .order_by(WorkOrder.seq)
        )
    )


def chase(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    now: datetime,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> FollowUp:
    """催办: tell the first-question owner and each unit holding an open work order that the
    customer is waiting (messages through the outbox), and count the chase."""
    cleaned = rules.chase_note(note)
    key = _key(idempotency_key)
    complaint = _load(uow, complaint_id, rules.CHASE, actor)
    replayed = _replay(uow, complaint, rules.CHASE, key)
    if replayed is not None:
        return replayed
    before = counts(uow, complaint.id)
    chases = before.chases + 1
    recipients = rules.chase_recipients(
        complaint.first_owner.username, _holding_units(uow, complaint.id)
    )
    after: dict[str, object] = {"chases": chases, "recipients": list(recipients)}
    if key:
        after["idempotency_key"] = key
    event = audit.record(complaint, actor, rules.CHASE, now, after=after, note=cleaned)
    uow.session.add(event)
    uow.session.flush()
    subject, body = rules.chase_notice(
        rules.ChaseFacts(
            complaint.number or f"#{complaint.id}", complaint.customer_phone, chases, cleaned
        )
    )
    uow.session.execute(
        insert(Notification),
        [
            {
                "dedup_key": f"chase:{event.id}:{recipient}"[:120],
                "kind": rules.NOTICE_KIND,
                "channel": rules.NOTICE_CHANNEL,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "complaint_id": complaint.id,
                "alert_id": None,
                "level": None,
                "status": "pending",
                "adapter": None,
                "created_at": now,
                "send_after": now,
                "sent_at": None,
                "error": None,
            }
            for recipient in recipients
        ],
    )
    uow.commit()
    return FollowUp(
        complaint.id,
        complaint.number or "",
        rules.CHASE,
        event.id,
        now,
        rules.FollowUpCounts(before.calls_added, chases),
        recipients,
    )


# --- the intake form's view of a caller's open complaints ----------------------------------


@dataclass(frozen=True)
class OpenComplaint:
    """An open complaint of the caller as the intake form shows it inline."""

    id: int
    number: str
    summary: str
    status: str
    status_label: str
    category_label: str
    owner: str
    owner_unit: str
    accepted_at: datetime
    reply_due_at: datetime | None
    units: list[str]
    """Units holding its open work orders."""
    counts: rules.FollowUpCounts


@dataclass(frozen=True)
class CallerFacts:
    """What the form can fill in for a known caller, from their latest complaint."""

    name: str | None = None
    account: str | None = None
    product: str | None = None
    product_label: str | None = None
    tier: str | None = None
    open: list[OpenComplaint] = field(default_factory=list)


SUMMARY_CHARS = 80
OPEN_SHOWN = 3


def _summary(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


def _shown(value: str | None) -> str | None:
    """A value worth pre-filling: present and not masked for this reader."""
    return value if value and "*" not in value else None


def caller_facts(uow: UnitOfWork, actor: Actor, lang: str, phone: str) -> CallerFacts:
    """The caller's (normalised ``phone``) details from their latest complaint in the
    actor's scope, and their open complaints (newest first, at most ``OPEN_SHOWN``)."""
    found = list(
        uow.session.scalars(
            select(Complaint)
            .where(Complaint.customer_phone == phone, scope.visible_to(actor))
            .order_by(Complaint.accepted_at.desc(), Complaint.id.desc())
            .limit(20)
            # The intake form asks on every keystroke: as many queries for many rows as few.
            .options(selectinload(Complaint.work_orders))
        )
    )
    if not found:
        return CallerFacts()
    latest = complaint_view(found[0], actor, lang)
    open_ones = [c for c in found if c.status in {s.value for s in OPEN_STATUSES}][:OPEN_SHOWN]
    counted = _counts_of(uow, [c.id for c in open_ones])
    shown = []
    for c in open_ones:
        view = complaint_view(c, actor, lang)
        shown.append(
            OpenComplaint(
                c.id,
                c.number or f"#{c.id}",
                _summary(view.description),
                c.status,
                view.status_label,
                view.category_label,
                c.first_owner.display_name,
                c.owner_unit.name_en if lang == "en" else c.owner_unit.name_zh,
                c.accepted_at,
                c.reply_due_at,
                [
                    w.unit.name
                    for w in view.work_orders
                    if w.status in {s.value for s in OPEN_WORK_ORDER_STATUSES}
                ],
                counted.get(c.id, rules.count([])),
            )
        )
    return CallerFacts(
        name=_shown(latest.customer.name),
        account=_shown(latest.customer.account),
        product=latest.product,
        product_label=label(PRODUCTS, latest.product, lang),
        tier=found[0].customer_tier,
        open=shown,
    )
