"""Accounts: password login, opaque session tokens, login back-off, and the security audit trail.

A login hands out a random token; only its SHA-256 is stored (`api_tokens`), so neither a
database copy nor a log line holds a usable session. The same token is the API's bearer
token and the web's `careloop_session` cookie. Passwords are hashed with Argon2id
(argon2-cffi). Wrong passwords are counted per (username, client address): the fifth in a
row locks that address out of that username for 15 minutes, each further lock of the pair
twice as long (both configurable); nobody can lock the account's owner out from elsewhere.
An administrator lifts the locks (`unlock`). Each failure, lock and unlock is a security
event.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, or_, select, update

from careloop.domain.errors import DomainError, InvalidInput
from careloop.services.access.actors import Actor, actor_at
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import ApiToken, OrgUnit, SecurityEvent, Staff
from careloop.store.models.access import LoginThrottle
from careloop.store.upsert import insert_for

MAX_FAILED_LOGINS = 5
"""Wrong passwords in a row, for one username from one client address, before that address
is locked out of that username."""

LOCKOUT = timedelta(minutes=15)
"""The first lock of a (username, address) pair; each further one lasts twice as long."""
MAX_LOCKOUT = timedelta(days=1)
THROTTLE_MEMORY = timedelta(days=1)
"""A pair's count and its locks are forgotten after a day without a wrong password."""
SESSION_TTL = timedelta(hours=12)
"""A working day and a half: the web session and the API token end with the shift."""

PASSWORD_MIN_CHARS = 8

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that a wrong username costs as much
    time as a wrong password and response times don't reveal who has an account. Made on
    first use, not at import: every CLI call and worker would pay an Argon2 hash otherwise."""
    return PasswordHasher().hash(secrets.token_hex(16))


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
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
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
    """Check the password and open a session; failures are counted and audited.

    Known and unknown usernames go the same way (one Argon2 check, the same answers, the
    same back-off), so neither the answer nor its time tells who has an account.
    """
    policy = policy or LoginPolicy()
    address = _client_key(client)
    staff = uow.session.scalar(select(Staff).where(Staff.username == username))
    known = staff if staff is not None and staff.active else None
    staff_id = staff.id if staff is not None else None
    locked_until = _locked_until(uow, username, address, now)
    if locked_until is not None:
        record_security_event(
            uow,
            "login_refused_locked",
            username,
            now,
            staff_id,
            client,
            {"locked_until": locked_until.isoformat()},
        )
        uow.commit()
        raise DomainError("account_locked", until=locked_until.isoformat(timespec="minutes"))
    if known is None or not _verify(known.password_hash, password):
        if known is None:
            _verify(None, password)
        failures, lock = _count_failure(uow, username, address, now, policy)
        reason = "wrong_password" if known is not None else "unknown_user"
        record_security_event(
            uow,
            "login_failed",
            username,
            now,
            staff_id,
            client,
            {"reason": reason, "failed_in_a_row": failures},
        )
        if lock is not None:
            record_security_event(
                uow,
                "account_locked",
                username,
                now,
                staff_id,
                client,
                {"locked_until": lock.isoformat(), "client": address},
            )
        uow.commit()
        if lock is not None:
            raise DomainError("account_locked", until=lock.isoformat(timespec="minutes"))
        raise DomainError("login_failed")
    _forget_failures(uow, username, address)
    return open_session(uow, known, now, client, policy)


def _client_key(client: str | None) -> str:
    return (client or "unknown")[:100]


def _locked_until(uow: UnitOfWork, username: str, address: str, now: datetime) -> datetime | None:
    """The end of this (username, client address) pair's back-off lock, if it is locked."""
    until = uow.session.scalar(
        select(LoginThrottle.locked_until).where(
            LoginThrottle.username == username[:64], LoginThrottle.client == address
        )
    )
    return until if until is not None and until > now else None


def _count_failure(
    uow: UnitOfWork, username: str, address: str, now: datetime, policy: LoginPolicy
) -> tuple[int, datetime | None]:
    """Count a wrong password for the pair (one atomic upsert); the `max_failed`-th in a
    row locks the pair for `lockout`, doubled for each earlier lock of the pair (at most a
    day). Returns the failures in a row and the lock's end if this one locked it."""
    _prune_throttles(uow, now)
    table = LoginThrottle.__table__
    insert = insert_for(uow.session)
    failures, locks = uow.session.execute(
        insert(table)
        .values(username=username[:64], client=address, failures=1, locks=0, updated_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.username, table.c.client],
            set_={"failures": table.c.failures + 1, "updated_at": now},
        )
        .returning(table.c.failures, table.c.locks)
    ).one()
    if policy.max_failed <= 0 or failures < policy.max_failed:
        return failures, None
    until = now + min(policy.lockout * 2 ** min(locks, 16), MAX_LOCKOUT)
    uow.session.execute(
        update(table)
        .where(table.c.username == username[:64], table.c.client == address)
        .values(failures=0, locks=table.c.locks + 1, locked_until=until, updated_at=now)
    )
    return failures, until


def _prune_throttles(uow: UnitOfWork, now: datetime) -> None:
    """Pairs untouched for a day and not locked are forgotten (their count starts again)."""
    uow.session.execute(
        delete(LoginThrottle)
        .where(
            LoginThrottle.updated_at < now - THROTTLE_MEMORY,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
        .execution_options(synchronize_session=False)
    )


def _forget_failures(uow: UnitOfWork, username: str, address: str) -> None:
    """A right password from this address ends its count and its back-off."""
    uow.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.username == username[:64], LoginThrottle.client == address)
        .execution_options(synchronize_session=False)
    )


def unlock(
    uow: UnitOfWork, username: str, now: datetime, by: str, client: str | None = None
) -> int:
    """Lift every back-off lock and count of `username`, from every address (an
    administrator's unlock, `careloop unlock`, `careloop set-password`); audited. Returns
    how many (username, address) pairs were cleared."""
    cleared = _clear_throttles(uow, username)
    staff = uow.session.scalar(select(Staff).where(Staff.username == username))
    if staff is not None:
        staff.failed_logins = 0
        staff.locked_until = None
    record_security_event(
        uow,
        "account_unlocked",
        username,
        now,
        staff.id if staff is not None else None,
        client,
        {"by": by[:100], "pairs": cleared},
    )
    uow.commit()
    return cleared


def _clear_throttles(uow: UnitOfWork, username: str) -> int:
    result = uow.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.username == username[:64])
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


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


def login(
    uow: UnitOfWork, username: str, password: str, now: datetime, client: str | None = None
) -> str:
    """The public contract: a token for `username`, or `login_failed` / `account_locked`."""
    return login_session(uow, username, password, now, client).token


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
    objects (token, staff, unit): the ORM's loading was most of its cost.
    """
    if not _well_formed(token):
        raise DomainError("unknown_actor", username="(token)")
    row = uow.session.execute(
        select(
            ApiToken.revoked_at,
            ApiToken.expires_at,
            Staff.id,
            Staff.username,
            Staff.display_name,
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
    return actor_at(
        uow, row.id, row.username, row.role, row.org_unit_id, row.path, row.display_name
    )


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
    cleared = _clear_throttles(uow, username)
    if cleared:
        detail = {"by": "set-password", "pairs": cleared}
        record_security_event(uow, "account_unlocked", username, now, staff.id, None, detail)
    for row in uow.session.scalars(
        select(ApiToken).where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
    ):
        row.revoked_at = now
    record_security_event(uow, "password_set", username, now, staff.id)
    uow.commit()
