"""Personal data on the way out: who sees it unmasked, and the audited unmask action.

The rule is `domain.privacy`; this module supplies the facts it needs (how the actor is
involved in the complaint) and applies it to complaints, audit events and notes, so that
the API, the pages and the exports mask the same fields the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from careloop.domain import permissions, privacy
from careloop.domain.errors import InvalidInput
from careloop.services import audit, scope
from careloop.services.actors import Actor
from careloop.services.lifecycle import load_complaint
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint

_FIELD_KINDS: dict[str, privacy.PersonalKind] = {
    "customer_phone": "phone",
    "customer_name": "name",
    "customer_account": "account",
    "description": "text",
    "reply_text": "text",
    "note": "text",
    "comment": "text",
    "text": "text",
    "instructions": "text",
    "result": "text",
    "reason": "text",
}
"""Personal fields of an event's before/after snapshot: the customer's, and free text that
may quote them (complaint, reply, notes, callback comments, work-order texts)."""


def sees_personal_data(complaint: Complaint, actor: Actor) -> bool:
    owns, handles = scope.involvement(complaint, actor)
    return privacy.may_see_personal_data(actor.role, owns=owns, handles=handles)


def mask_fields(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Mask the personal fields of an event's before/after snapshot."""
    if not data:
        return data
    masked = dict(data)
    for key, value in data.items():
        kind = _FIELD_KINDS.get(key)
        if kind is not None and isinstance(value, str):
            masked[key] = privacy.shown(value, kind, unmasked=False)
    return masked


@dataclass(frozen=True, slots=True)
class CustomerData:
    complaint_id: int
    phone: str
    name: str | None
    account: str | None


def unmask(
    uow: UnitOfWork, complaint_id: int, actor: Actor, now: datetime, reason: str
) -> CustomerData:
    """Show one complaint's personal data in full; the complaint's audit trail records who,
    when and why (never the data itself)."""
    permissions.check_permission("personal_data.unmask", actor.role)
    cleaned = (reason or "").strip()
    if not cleaned or len(cleaned) > 500:
        raise InvalidInput("reason", "请说明查看原因（1–500 字）/ say why (1–500 characters)")
    complaint = load_complaint(uow, complaint_id, actor)
    uow.session.add(
        audit.record(
            complaint,
            actor,
            "unmask",
            now,
            after={"fields": ["customer_phone", "customer_name", "customer_account"]},
            note=cleaned,
        )
    )
    uow.commit()
    return CustomerData(
        complaint.id, complaint.customer_phone, complaint.customer_name, complaint.customer_account
    )
