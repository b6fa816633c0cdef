"""API tokens, the security audit trail, and the records that hold back guessing and flooding
(migration 0009): one-time codes, login throttles and rate-limit buckets shared by every process."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime

if TYPE_CHECKING:
    from careloop.store.models.org import Staff


class ApiToken(Base):
    """A login session: the bearer token of the API and the web's `careloop_session` cookie.

    Only the token's SHA-256 is stored, so a copy of the database hands out no sessions.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(lazy="joined")


class SecurityEvent(Base):
    """Audit trail of accounts and bulk data: logins, failures, lock-outs, exports.

    Append-only like `events` (database triggers refuse UPDATE and DELETE).
    """

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    username: Mapped[str] = mapped_column(String(100))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    client: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class OtpChallenge(Base):
    """A one-time code sent by SMS to prove a customer holds a phone number.

    The customer's browser holds a random challenge token (a cookie); only its SHA-256 is
    stored, and only an Argon2 hash of the code. ``attempts`` counts tries (a capped number
    burns the challenge) and ``used_at`` is stamped by the one verification that succeeds.
    """

    __tablename__ = "otp_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    """Normalised (digits only, no country code): the number the code was sent to."""
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Wrong passwords in a row for one username from one client address, and its lock.

    Per pair, not per account: someone guessing from one address locks only that address
    out of that username, never the account's owner elsewhere.
    """

    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Locks of this pair so far (within a day): each lasts twice as long as the last."""
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RateLimitBucket(Base):
    """One token bucket of the shared limiter; times are seconds since the epoch."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float, index=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    """Whether the last take was granted (set by the same upsert that spent it)."""
