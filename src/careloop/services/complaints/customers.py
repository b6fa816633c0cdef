"""The customer 360: one caller's complaints, callbacks and repeat history on one page.

A customer is known by the number they call from (``customer_phone``, stored normalised);
there is no customer table. The page and the API name a customer by a *reference*: one of
their complaints (its number, TS…, or its id). A phone number never appears in an address,
a log line or a link, and the reference is only as good as the reader's right to see that
complaint: a complaint outside the reader's scope is a 404, the same as a missing one.

The complaints listed are those of the same number within the reader's scope, each masked
by the one rule (``sees_personal_data``, which notes every unmasked read for the audit):
an agent sees the complaints they own in full and the others masked; supervisors see all
of them; the regulator's inspector sees all of them masked. The grouping is no phone
search: the reader supplies no number, only a complaint they may already read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from careloop.domain import privacy
from careloop.domain.errors import NotFound
from careloop.domain.lifecycle.tickets import OPEN_STATUSES
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.complaints.page_views import ClockReading, complaint_rows
from careloop.services.complaints.read_models import ComplaintView
from careloop.services.privacy.personal_data import sees_personal_data
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Staff

CUSTOMER_COMPLAINTS_SHOWN = 100
"""A customer with more complaints than this is a case for the quality team, not a page."""

_OPEN = {s.value for s in OPEN_STATUSES}


@dataclass(frozen=True)
class CustomerComplaint:
    complaint: ComplaintView
    worst_clock: ClockReading | None
    """The clock that matters most now, named (``domain.worklist``, as the work lists)."""
    owner_name: str
    """The first-question owner (首问责任人) by name."""


@dataclass(frozen=True)
class CustomerSummary:
    """The counts a supervisor reads first: how often, how angry, how far it went."""

    complaints: int
    open: int
    repeats: int
    """Complaints linked as a repeat of an earlier one (重复投诉)."""
    escalated: int
    """Complaints escalated (越级) at intake or as a repeat."""
    appeals: int
    """Complaints that came through the regulator (申诉转办)."""
    reopened: int
    """Times a dissatisfied callback reopened one of them."""
    satisfied: int
    dissatisfied: int
    unreachable: int
    """Callbacks that ended without reaching the customer (unreachable or declined)."""


@dataclass(frozen=True)
class CustomerFile:
    ref: str
    """The reference the reader came with, kept for links (never a phone number)."""
    phone: str
    name: str | None
    account: str | None
    tier: str
    unmasked: bool
    """Whether the reader sees this customer's identity in full (they see one of the
    customer's complaints unmasked); otherwise the page says how to reveal it, audited, on
    the complaint they came from."""
    anchor_id: int
    complaints: list[CustomerComplaint]
    """Newest first, at most ``CUSTOMER_COMPLAINTS_SHOWN``."""
    summary: CustomerSummary
    total: int


def customer_ref(number: str | None, complaint_id: int) -> str:
    """The reference a link uses: the complaint number people read (TS…), else its id."""
    return number or str(complaint_id)


_REF = re.compile(r"[A-Za-z0-9-]{1,32}")
"""What a complaint number or id looks like; anything else names nothing (and never
reaches a query: PostgreSQL refuses a NUL in text)."""


def _anchor(uow: UnitOfWork, ref: str, actor: Actor) -> Complaint:
    """The complaint a reference names, if the actor may read it (404 otherwise)."""
    cleaned = (ref or "").strip()
    if not _REF.fullmatch(cleaned):
        raise NotFound("complaint", cleaned[:32])
    if cleaned.isdigit():
        return load_complaint(uow, int(cleaned), actor)
    found = uow.session.scalar(
        select(Complaint).where(Complaint.number == cleaned, scope.visible_to(actor))
    )
    if found is None:
        raise NotFound("complaint", cleaned)
    return found


def customer_file(
    uow: UnitOfWork, ref: str, actor: Actor, now: datetime, lang: str
) -> CustomerFile:
    """The customer behind complaint `ref` and their complaints within the actor's scope."""
    uow.session.expire_all()
    anchor = _anchor(uow, ref, actor)
    same_caller = (Complaint.customer_phone == anchor.customer_phone, scope.visible_to(actor))
    rows = list(
        uow.session.scalars(
            select(Complaint)
            .where(*same_caller)
            .options(selectinload(Complaint.work_orders))
            .order_by(Complaint.accepted_at.desc(), Complaint.id.desc())
            .limit(CUSTOMER_COMPLAINTS_SHOWN)
        )
    )
    total = len(rows)
    if total == CUSTOMER_COMPLAINTS_SHOWN:
        total = (
            uow.session.scalar(select(func.count()).select_from(Complaint).where(*same_caller))
            or total
        )
    owners = {
        s.id: s.display_name
        for s in uow.session.scalars(
            select(Staff).where(Staff.id.in_({c.first_owner_id for c in rows}))
        )
    }
    clocks = sla.explain(uow, rows, now)
    listed = [
        CustomerComplaint(row.complaint, row.clock, owners.get(c.first_owner_id, "—"))
        for c, row in zip(rows, complaint_rows(rows, actor, lang, clocks, now), strict=True)
    ]
    # The identity: in full when the reader may see it on one of the customer's complaints
    # (they are involved with this customer), from the newest such complaint; otherwise
    # masked, name and account from the newest complaint that has them.
    seen = [c for c in rows if sees_personal_data(c, actor)]
    unmasked = bool(seen)
    pool = seen or rows or [anchor]
    named = next((c for c in pool if c.customer_name), pool[0])
    account = next((c for c in pool if c.customer_account), pool[0])
    return CustomerFile(
        ref=customer_ref(anchor.number, anchor.id),
        phone=privacy.shown(anchor.customer_phone, "phone", unmasked=unmasked) or "",
        name=privacy.shown(named.customer_name, "name", unmasked=unmasked),
        account=privacy.shown(account.customer_account, "account", unmasked=unmasked),
        tier=anchor.customer_tier,
        unmasked=unmasked,
        anchor_id=anchor.id,
        complaints=listed,
        summary=_summary(rows),
        total=total,
    )


def _summary(rows: list[Complaint]) -> CustomerSummary:
    outcomes = [c.callback_outcome for c in rows]
    return CustomerSummary(
        complaints=len(rows),
        open=sum(c.status in _OPEN for c in rows),
        repeats=sum(bool(c.is_repeat) for c in rows),
        escalated=sum(bool(c.escalated) for c in rows),
        appeals=sum(bool(c.regulator_transfer) for c in rows),
        reopened=sum(c.reopen_count or 0 for c in rows),
        satisfied=outcomes.count("satisfied"),
        dissatisfied=outcomes.count("dissatisfied"),
        unreachable=outcomes.count("unreachable") + outcomes.count("declined"),
    )
