"""Records that hold back guessing and flooding, shared by every process (migration 0009).

- ``otp_challenges``: one per one-time code sent to a customer; the code only as an Argon2
  hash, its wrong tries counted and its use stamped, so a code works once, in any process.
- ``login_throttles``: wrong passwords in a row per (username, client address), and the
  back-off lock of that pair; a pair for an unknown username is kept the same way, so the
  answers do not tell who has an account.
- ``rate_limit_buckets``: token buckets of the shared rate limiter (services.rate_limits),
  one row per key, spent by one atomic upsert.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from careloop.store.models import Base
from careloop.store.types import UTCDateTime


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


def insert_for(session_or_dialect: Session | str) -> Any:
    """The dialect's ``insert`` (with ``on_conflict_do_update``) for an upsert."""
    name = (
        session_or_dialect
        if isinstance(session_or_dialect, str)
        else session_or_dialect.get_bind().dialect.name
    )
    return postgresql.insert if name == "postgresql" else sqlite.insert
