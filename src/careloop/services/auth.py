"""Accounts: password login, opaque session tokens, lock-out, and the security audit trail.

A login hands out a random token; only its SHA-256 is stored (`api_tokens`), so neither a
database copy nor a log line holds a usable session. The same token is the API's bearer
token and the web's `careloop_session` cookie. Passwords are hashed with Argon2id
(argon2-cffi). Wrong passwords are counted per account: the fifth in a row locks it for 15
minutes (both configurable); each failure and each lock is a security event.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from careloop.domain.errors import DomainError, InvalidInput
from careloop.services.actors import Actor, actor_at
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import ApiToken, OrgUnit, SecurityEvent, Staff

MAX_FAILED_LOGINS = 5
"""Wrong passwords in a row before the account locks."""

LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
"""A working day and a half: the web session and the API token end with the shift."""

PASSWORD_MIN_CHARS = 8

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong username costs as much
# time as a wrong password and response times don't reveal who has an account.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failed: int = MAX_FAILED_LOGINS
    lockout: timedelta = LOCKOUT
    session_ttl: timedelta = SESSION_TTL


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    expires_at: datetime
    username: str
    role: str


def hash_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN_CHARS:
        raise InvalidInput(
            "password",
            f"至少 {PASSWORD_MIN_CHARS} 个字符 / at least {PASSWORD_MIN_CHARS} characters",
        )
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def record_security_event(
    uow: UnitOfWork,
    kind: str,
    username: str,
    now: datetime,
    staff_id: int | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    uow.session.add(
        SecurityEvent(
            at=now,
            kind=kind,
            username=username[:100],
            staff_id=staff_id,
            client=(client or None) and client[:100],
            detail=detail,
        )
    )


def login_session(
    uow: UnitOfWork,
    username: str,
    password: str,
    now: datetime,
    client: str | None = None,
    policy: LoginPolicy | None = None,
) -> Session:
    """Check the password and open a session; failures are counted and audited."""
    policy = policy or LoginPolicy()
    staff = uow.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active:
        _verify(None, password)
        record_security_event(
            uow, "login_failed", username, now, client=client, detail={"reason": "unknown_user"}
        )
        uow.commit()
        raise DomainError("login_failed")
    if staff.locked_until is not None and staff.locked_until > now:
        record_security_event(
            uow,
            "login_refused_locked",
            username,
            now,
            staff.id,
            client,
            {"locked_until": staff.locked_until.isoformat()},
        )
        uow.commit()
        raise DomainError("account_locked", until=staff.locked_until.isoformat(timespec="minutes"))
    if not _verify(staff.password_hash, password):
        staff.failed_logins = (staff.failed_logins or 0) + 1
        record_security_event(
            uow,
            "login_failed",
            username,
            now,
            staff.id,
            client,
            {"reason": "wrong_password", "failed_in_a_row": staff.failed_logins},
        )
        if staff.failed_logins >= policy.max_failed:
            staff.locked_until = now + policy.lockout
            staff.failed_logins = 0
            record_security_event(
                uow,
                "account_locked",
                username,
                now,
                staff.id,
                client,
                {"locked_until": staff.locked_until.isoformat()},
            )
            uow.commit()
            raise DomainError(
                "account_locked", until=staff.locked_until.isoformat(timespec="minutes")
            )
        uow.commit()
        raise DomainError("login_failed")
    staff.failed_logins = 0
    staff.locked_until = None
    return open_session(uow, staff, now, client, policy)


def open_session(
    uow: UnitOfWork,
    staff: Staff,
    now: datetime,
    client: str | None = None,
    policy: LoginPolicy | None = None,
    detail: dict[str, Any] | None = None,
) -> Session:
    """Hand a session to someone already authenticated (a checked password, or an identity
    provider's verified ID token: services.oidc): one token row and one `login` event."""
    policy = policy or LoginPolicy()
    token = secrets.token_urlsafe(32)
    expires_at = now + policy.session_ttl
    uow.session.add(
        ApiToken(
            token_hash=token_hash(token), staff_id=staff.id, created_at=now, expires_at=expires_at
        )
    )
    record_security_event(uow, "login", staff.username, now, staff.id, client, detail)
    uow.commit()
    return Session(token, expires_at, staff.username, staff.role)


def login(uow: UnitOfWork, username: str, password: str, now: datetime) -> str:
    """The public contract: a token for `username`, or `login_failed` / `account_locked`."""
    return login_session(uow, username, password, now).token


def _well_formed(token: str) -> bool:
    return bool(token) and len(token) <= 200


def _alive(revoked_at: datetime | None, expires_at: datetime, now: datetime) -> bool:
    """A token is live until it is revoked (logout) or expires, whichever comes first."""
    return revoked_at is None and expires_at > now


def _live_token(uow: UnitOfWork, token: str, now: datetime) -> ApiToken | None:
    if not _well_formed(token):
        return None
    row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or not _alive(row.revoked_at, row.expires_at, now):
        return None
    return row


def actor_for_token(uow: UnitOfWork, token: str, now: datetime) -> Actor:
    """The acting person behind a bearer token or session cookie (401 if none is valid).

    Asked on every request, so as one row of plain columns rather than three loaded
    objects (token, staff, unit): the ORM's loading was most of its cost (issue 7).
    """
    if not _well_formed(token):
        raise DomainError("unknown_actor", username="(token)")
    row = uow.session.execute(
        select(
            ApiToken.revoked_at,
            ApiToken.expires_at,
            Staff.id,
            Staff.username,
            Staff.role,
            Staff.org_unit_id,
            Staff.active,
            OrgUnit.path,
        )
        .join(Staff, Staff.id == ApiToken.staff_id)
        .join(OrgUnit, OrgUnit.id == Staff.org_unit_id)
        .where(ApiToken.token_hash == token_hash(token))
    ).one_or_none()
    if row is None or not _alive(row.revoked_at, row.expires_at, now) or not row.active:
        raise DomainError("unknown_actor", username="(token)")
    return actor_at(uow, row.id, row.username, row.role, row.org_unit_id, row.path)


def logout(uow: UnitOfWork, token: str, now: datetime, client: str | None = None) -> None:
    """End the session; logging out twice, or with a dead token, is harmless."""
    row = _live_token(uow, token, now)
    if row is None:
        return
    row.revoked_at = now
    record_security_event(uow, "logout", row.staff.username, now, row.staff_id, client)
    uow.commit()


def set_password(uow: UnitOfWork, username: str, password: str, now: datetime) -> None:
    """Set a password (admin CLI); unlocks the account and ends its open sessions."""
    staff = uow.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise DomainError("unknown_actor", username=username)
    staff.password_hash = hash_password(password)
    staff.failed_logins = 0
    staff.locked_until = None
    for row in uow.session.scalars(
        select(ApiToken).where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
    ):
        row.revoked_at = now
    record_security_event(uow, "password_set", username, now, staff.id)
    uow.commit()
