"""Customer self-service: a one-time code by SMS, then the customer's own complaints.

No staff login: the customer proves they hold the phone number by a six-digit code sent
through the notify outbox (the recording adapter by default, so tests and demos send
nothing). The code itself is never stored: the page keeps an HMAC of phone, code and
expiry in a cookie (``challenge``), so any worker sharing the secret can check it.
A customer acts as the ``customer`` role, which the lifecycle table allows to rate the
callback (satisfied closes, dissatisfied reopens) and nothing a staff member does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from careloop.domain.complaints import mask_phone, normalize_phone
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.notify.adapters import Adapter, Message
from careloop.services import lifecycle
from careloop.services.actors import Actor
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Notification

CODE_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(minutes=30)
CUSTOMER_LIST_LIMIT = 50


def customer_actor(phone: str) -> Actor:
    """The customer as the audit trail records them: role ``customer``, the number masked."""
    return Actor(
        staff_id=None,
        username=f"customer:{mask_phone(phone)}",
        role="customer",
        org_unit_id=None,
        org_path="/",
        scope_path="/",
    )


def _sign(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "|".join(parts).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Challenge:
    phone: str
    expires_at: datetime
    signature: str

    def encode(self) -> str:
        return f"{self.phone}|{self.expires_at.isoformat()}|{self.signature}"


def send_code(
    uow: UnitOfWork, raw_phone: str, now: datetime, secret: bytes, adapter: Adapter
) -> Challenge:
    """Put a one-time code in the SMS outbox, deliver it, and return the signed challenge."""
    phone = normalize_phone(raw_phone)
    code = f"{secrets.randbelow(10**6):06d}"
    expires = now + CODE_TTL
    row = Notification(
        dedup_key=f"otp:{phone}:{now.isoformat()}:{secrets.token_hex(4)}",
        kind="otp",
        channel="sms",
        recipient=f"tel:{phone}",
        subject="CareLoop",
        body=f"您的投诉查询验证码为 {code}，10 分钟内有效。Your CareLoop code: {code}",
        status="pending",
        created_at=now,
        send_after=now,
    )
    uow.session.add(row)
    uow.session.flush()
    try:
        adapter.send(Message(row.id, row.channel, row.recipient, row.subject, row.body))
    except Exception as exc:  # the outbox keeps the failure; the customer may ask again
        row.status, row.error = "failed", str(exc)[:2000]
    else:
        row.status, row.sent_at = "sent", now
    row.adapter = adapter.name
    uow.commit()
    return Challenge(phone, expires, _sign(secret, "code", phone, code, expires.isoformat()))


def verify_code(encoded: str | None, code: str, now: datetime, secret: bytes) -> str:
    """The verified phone number, or ``invalid_input`` on a wrong or expired code."""
    try:
        phone, expires_raw, signature = (encoded or "").split("|")
        expires = datetime.fromisoformat(expires_raw)
    except ValueError:
        raise InvalidInput("code", "请先获取验证码 / ask for a code first") from None
    expected = _sign(secret, "code", phone, code.strip(), expires_raw)
    if expires <= now or not hmac.compare_digest(expected, signature):
        raise InvalidInput("code", "验证码错误或已过期 / wrong or expired code")
    return phone


def session_value(phone: str, now: datetime, secret: bytes) -> str:
    expires = (now + SESSION_TTL).isoformat()
    return f"{phone}|{expires}|{_sign(secret, 'session', phone, expires)}"


def session_phone(value: str | None, now: datetime, secret: bytes) -> str | None:
    try:
        phone, expires_raw, signature = (value or "").split("|")
        expires = datetime.fromisoformat(expires_raw)
    except ValueError:
        return None
    good = hmac.compare_digest(_sign(secret, "session", phone, expires_raw), signature)
    return phone if good and expires > now else None


def customer_complaints(uow: UnitOfWork, phone: str) -> list[Complaint]:
    """The customer's own complaints, newest first (merged duplicates left out)."""
    return list(
        uow.session.scalars(
            select(Complaint)
            .where(Complaint.customer_phone == phone, Complaint.status != "merged")
            .options(selectinload(Complaint.work_orders))
            .order_by(Complaint.accepted_at.desc())
            .limit(CUSTOMER_LIST_LIMIT)
        )
    )


def rate_callback(
    uow: UnitOfWork,
    complaint_id: int,
    phone: str,
    satisfied: bool,
    comment: str | None,
    now: datetime,
) -> Complaint:
    """The customer's own answer to the callback (回访): satisfied closes, not reopens."""
    complaint = uow.session.get(Complaint, complaint_id)
    if complaint is None or complaint.customer_phone != phone:
        raise NotFound("complaint", complaint_id)
    try:
        return lifecycle.callback(
            uow, complaint_id, customer_actor(phone), complaint.version, now, satisfied, comment
        )
    except DomainError:
        uow.rollback()
        raise
