"""Customer self-service: a one-time code by SMS, then the customer's own complaints.

No staff login: the customer proves they hold the phone number by a six-digit code sent by
SMS. The code is kept only as an Argon2 hash in ``otp_challenges``, with its tries and the
time it was used, so it works once, for at most ``MAX_CODE_ATTEMPTS`` tries and
``CODE_TTL``, whichever process checks it; the customer's browser holds a random challenge
token (stored as its SHA-256) that names the challenge.

The SMS goes through the notify adapter at once. Its outbox row records that a code was
sent (time, masked number, adapter, delivery status) with the code redacted: the code is
only in the adapter call. Such a row is never ``pending``, so the outbox's delivery loop
never resends it; a code that failed to go out is asked for again by the customer (it
would have expired before a later retry anyway). One-time-code rows are never listed.

A customer acts as the ``customer`` role, which the lifecycle table allows to rate the
callback (satisfied closes, dissatisfied reopens) and nothing a staff member does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from careloop.domain.complaints import mask_phone, normalize_phone
from careloop.domain.errors import DomainError, NotFound
from careloop.notify.adapters import Adapter, Message
from careloop.services.access.actors import Actor
from careloop.services.complaints import lifecycle
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Notification
from careloop.store.models.access import OtpChallenge

ONE_TIME_CODE_KIND = "otp"
"""The outbox kind of one-time-code SMS: never shown in any list."""

CODE_TTL = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
"""Tries of one challenge, right or wrong; after them it is burned and a new code is due."""
CHALLENGE_MEMORY = timedelta(days=1)
"""Challenges are deleted a day after they expire (they hold a phone number)."""
SESSION_TTL = timedelta(minutes=30)
CUSTOMER_LIST_LIMIT = 50
REDACTED = "******"

# Argon2id at OWASP's lower setting (19 MiB, 2 passes): a copy of the table does not give
# the codes of live challenges back within their ten minutes on ordinary hardware.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def phone_limit_key(raw_phone: str) -> str:
    """The rate-limit key of a phone number: one per number however it is written (spaces,
    dashes, +86), and a hash, so no number sits in the limiter's table or in Redis."""
    return hashlib.sha256(f"phone:{normalize_phone(raw_phone)}".encode()).hexdigest()[:40]


def sms_text(code: str) -> str:
    return f"您的投诉查询验证码为 {code}，10 分钟内有效。Your CareLoop code: {code}"


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    """For the customer's browser only (a cookie); the database keeps its SHA-256."""
    expires_at: datetime


def send_code(uow: UnitOfWork, raw_phone: str, now: datetime, adapter: Adapter) -> Challenge:
    """Start a challenge for the phone number and send its code by SMS."""
    phone = normalize_phone(raw_phone)
    code = f"{secrets.randbelow(10**6):06d}"
    token = secrets.token_urlsafe(32)
    _forget_old_challenges(uow, now)
    challenge = OtpChallenge(
        token_hash=_token_hash(token),
        phone=phone,
        code_hash=_code_hasher.hash(code),
        created_at=now,
        expires_at=now + CODE_TTL,
        attempts=0,
    )
    row = Notification(
        dedup_key=f"{ONE_TIME_CODE_KIND}:{challenge.token_hash[:60]}",
        kind=ONE_TIME_CODE_KIND,
        channel="sms",
        recipient=f"tel:{mask_phone(phone)}",
        subject="CareLoop",
        body=sms_text(REDACTED),
        status="pending",
        created_at=now,
        send_after=now,
    )
    uow.session.add_all([challenge, row])
    uow.session.flush()
    message = Message(row.id, row.channel, f"tel:{phone}", row.subject, sms_text(code))
    try:
        adapter.send(message)
    except Exception as exc:  # the outbox keeps the failure; the customer may ask again
        row.status, row.error = "failed", str(exc).replace(code, REDACTED)[:2000]
    else:
        row.status, row.sent_at = "sent", now
    row.adapter = adapter.name
    uow.commit()
    return Challenge(token, challenge.expires_at)


def _forget_old_challenges(uow: UnitOfWork, now: datetime) -> None:
    uow.session.execute(
        delete(OtpChallenge)
        .where(OtpChallenge.expires_at < now - CHALLENGE_MEMORY)
        .execution_options(synchronize_session=False)
    )


def verify_code(uow: UnitOfWork, token: str | None, code: str, now: datetime) -> str:
    """The verified phone number; the challenge is used up by this one success.

    The try is counted before the code is checked, in one conditional UPDATE, so parallel
    tries cannot pass the cap; the success stamps ``used_at`` only if nobody did first.
    Raises ``otp_wrong`` (tries left) or ``otp_invalid`` (no such challenge, expired, used,
    or out of tries: ask for a new code).
    """
    if not token:
        raise DomainError("otp_invalid")
    table = OtpChallenge.__table__
    tried = uow.session.execute(
        update(table)
        .where(
            table.c.token_hash == _token_hash(token),
            table.c.used_at.is_(None),
            table.c.attempts < MAX_CODE_ATTEMPTS,
            table.c.expires_at > now,
        )
        .values(attempts=table.c.attempts + 1)
        .returning(table.c.id, table.c.phone, table.c.code_hash, table.c.attempts)
    ).one_or_none()
    if tried is None:
        uow.rollback()
        raise DomainError("otp_invalid")
    if not _code_matches(tried.code_hash, code):
        uow.commit()
        left = MAX_CODE_ATTEMPTS - tried.attempts
        raise DomainError("otp_wrong", left=left) if left > 0 else DomainError("otp_invalid")
    used = uow.session.execute(
        update(table).where(table.c.id == tried.id, table.c.used_at.is_(None)).values(used_at=now)
    )
    uow.commit()
    if getattr(used, "rowcount", 0) != 1:
        raise DomainError("otp_invalid")
    phone: str = tried.phone
    return phone


def _code_matches(code_hash: str, code: str) -> bool:
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return False
    try:
        return _code_hasher.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


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
