"""Settings from the environment, one object (DESIGN.md): nothing else reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("CARELOOP_DATA_DIR", "var"))
    return f"sqlite:///{data_dir / 'careloop.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    timezone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8000
    max_page_size: int = 200
    max_body_bytes: int = 2 * 1024 * 1024
    session_hours: float = 12.0
    max_failed_logins: int = 5
    lockout_minutes: float = 15.0
    login_rate_per_minute: int = 20
    """Login attempts per client address and per username; 0 turns the limit off."""
    intake_rate_per_minute: int = 120
    """New complaints per member of staff; 0 turns the limit off."""
    batch_items_per_minute: int = 6000
    """Complaints per caller through the bulk intake (imports, feeds): a budget of its own,
    so that an import is not held to a hotline agent's pace; 0 turns the limit off."""
    max_export_rows: int = 10_000
    retention_days: int = 1095
    """Days an archived complaint keeps its customer's personal data before the purge
    anonymises it (PIPL; why three years: domain/retention.py)."""

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=env.get("CARELOOP_DATABASE_URL") or _default_database_url(),
            timezone=env.get("CARELOOP_TIMEZONE", "Asia/Shanghai"),
            host=env.get("CARELOOP_HOST", "127.0.0.1"),
            port=int(env.get("CARELOOP_PORT", "8000")),
            max_page_size=int(env.get("CARELOOP_MAX_PAGE_SIZE", "200")),
            max_body_bytes=int(env.get("CARELOOP_MAX_BODY_BYTES", str(2 * 1024 * 1024))),
            session_hours=float(env.get("CARELOOP_SESSION_HOURS", "12")),
            max_failed_logins=int(env.get("CARELOOP_MAX_FAILED_LOGINS", "5")),
            lockout_minutes=float(env.get("CARELOOP_LOCKOUT_MINUTES", "15")),
            login_rate_per_minute=int(env.get("CARELOOP_LOGIN_RATE_PER_MINUTE", "20")),
            intake_rate_per_minute=int(env.get("CARELOOP_INTAKE_RATE_PER_MINUTE", "120")),
            batch_items_per_minute=int(env.get("CARELOOP_BATCH_ITEMS_PER_MINUTE", "6000")),
            max_export_rows=int(env.get("CARELOOP_MAX_EXPORT_ROWS", "10000")),
            retention_days=int(env.get("CARELOOP_RETENTION_DAYS", "1095")),
        )
