"""Settings from the environment, one object (DESIGN.md): nothing else reads os.environ."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from careloop.domain.language import Language, from_environment


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("CARELOOP_DATA_DIR", "var"))
    return f"sqlite:///{data_dir / 'careloop.sqlite3'}"


def data_dir() -> Path:
    """CareLoop's data directory (CARELOOP_DATA_DIR, default ``var``): the SQLite file and
    the trained spam classifier's versions (``spam-models/``) live there."""
    return Path(os.environ.get("CARELOOP_DATA_DIR", "var"))


def _role_map(raw: str) -> tuple[tuple[str, str], ...]:
    """CARELOOP_OIDC_ROLE_MAP is a JSON object: the provider's group or role value → a role."""
    if not raw.strip():
        return ()
    from careloop.domain.vocabulary import ROLES

    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("CARELOOP_OIDC_ROLE_MAP must be a JSON object")
    unknown = sorted({str(role) for role in data.values()} - set(ROLES))
    if unknown:
        raise ValueError(f"CARELOOP_OIDC_ROLE_MAP names roles CareLoop lacks: {unknown}")
    return tuple((str(key), str(value)) for key, value in data.items())


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise ValueError(f"CARELOOP_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}: {raw!r}")
    return value


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value and value not in LOG_LEVELS:
        raise ValueError(f"CARELOOP_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}: {raw!r}")
    return value


@dataclass(frozen=True)
class OidcSettings:
    """Single sign-on through an OpenID provider (docs/security.md); off while unconfigured."""

    issuer: str = ""
    """Exactly as the provider writes it in `iss` (a trailing slash included, if it has one)."""
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = ""
    """Empty: this server's own /auth/oidc/callback as the browser reached it."""
    scopes: str = "openid profile"
    username_claim: str = "preferred_username"
    name_claim: str = "name"
    role_claim: str = "careloop_role"
    """A string or a list (groups); each value goes through `role_map`."""
    unit_claim: str = "org_unit"
    """An org-unit code."""
    role_map: tuple[tuple[str, str], ...] = ()
    """Provider value → CareLoop role; empty: the claim holds CareLoop role names."""
    provision: bool = False
    """Create a staff account (without a password) for a username CareLoop does not know."""
    sync_claims: bool = False
    """The provider is the source of truth: an account's role and unit follow its claims.
    Off: the claims must match the account or the login is refused."""
    leeway_seconds: int = 60
    """Clock skew allowed when judging an ID token's exp and iat."""

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcSettings:
        return cls(
            issuer=env.get("CARELOOP_OIDC_ISSUER", ""),
            client_id=env.get("CARELOOP_OIDC_CLIENT_ID", ""),
            client_secret=env.get("CARELOOP_OIDC_CLIENT_SECRET", ""),
            redirect_uri=env.get("CARELOOP_OIDC_REDIRECT_URI", ""),
            scopes=env.get("CARELOOP_OIDC_SCOPES", "openid profile"),
            username_claim=env.get("CARELOOP_OIDC_USERNAME_CLAIM", "preferred_username"),
            name_claim=env.get("CARELOOP_OIDC_NAME_CLAIM", "name"),
            role_claim=env.get("CARELOOP_OIDC_ROLE_CLAIM", "careloop_role"),
            unit_claim=env.get("CARELOOP_OIDC_UNIT_CLAIM", "org_unit"),
            role_map=_role_map(env.get("CARELOOP_OIDC_ROLE_MAP", "")),
            provision=env.get("CARELOOP_OIDC_PROVISION", "") == "1",
            sync_claims=env.get("CARELOOP_OIDC_SYNC_CLAIMS", "") == "1",
            leeway_seconds=int(env.get("CARELOOP_OIDC_LEEWAY_SECONDS", "60")),
        )


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
    otp_codes_per_phone_hour: int = 5
    """One-time codes sent to one phone number (however it is written) per hour; 0: off."""
    otp_codes_per_client_hour: int = 30
    """One-time codes asked for from one client address per hour; 0 turns the limit off."""
    redis_url: str = ""
    """Keep the rate limits' buckets in this Redis (redis://host:6379/0); empty: in the
    database. Either way every API process shares them."""
    redis_prefix: str = "careloop:"
    """Prefix of CareLoop's Redis keys (several sites or tests may share one Redis)."""
    oidc: OidcSettings = field(default_factory=OidcSettings)
    retention_days: int = 1095
    """Days an archived complaint keeps its customer's personal data before the purge
    anonymises it (PIPL; why three years: domain/retention.py)."""
    secret_key: str = ""
    """Signs the web forms' anti-forgery tokens; empty: a random key per process (then every
    process of one site needs the same CARELOOP_SECRET_KEY, see docs/security.md)."""
    public_api_docs: bool = False
    """Serve /openapi.json and /docs without a login (off: the API's map is for staff)."""
    callback_attempts: int = 3
    """Unreachable callback attempts before a complaint is closed as unreachable (1–10;
    the retry schedule between them: domain/callbacks.py)."""
    live_refresh_seconds: int = 20
    """How often the work lists (the agent's and the unit's queue) fetch their rows again
    while open, so a unit's completed work order shows without a reload (at least 1)."""
    log_format: str = "text"
    """``text`` (a line for people) or ``json`` (one JSON object per line, for a log
    collector); either way personal data is masked (careloop.logs)."""
    log_level: str = ""
    """The least severe log lines written: DEBUG, INFO, WARNING, ERROR. Empty: INFO for the
    server and the worker, WARNING for one-shot commands (whose answer is one line)."""

    @staticmethod
    def cli_language() -> Language:
        """The language of the CLI's messages: CARELOOP_LANG (`en` for English), else zh.
        The shell's own LANG is not read: a server's en_US.UTF-8 would switch every
        operator's messages to English."""
        return from_environment(os.environ.get("CARELOOP_LANG"))

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
            otp_codes_per_phone_hour=int(env.get("CARELOOP_OTP_CODES_PER_PHONE_HOUR", "5")),
            otp_codes_per_client_hour=int(env.get("CARELOOP_OTP_CODES_PER_CLIENT_HOUR", "30")),
            redis_url=env.get("CARELOOP_REDIS_URL", ""),
            redis_prefix=env.get("CARELOOP_REDIS_PREFIX", "careloop:"),
            oidc=OidcSettings.from_env(env),
            retention_days=int(env.get("CARELOOP_RETENTION_DAYS", "1095")),
            secret_key=env.get("CARELOOP_SECRET_KEY", ""),
            public_api_docs=env.get("CARELOOP_PUBLIC_API_DOCS", "") == "1",
            callback_attempts=int(env.get("CARELOOP_CALLBACK_ATTEMPTS", "3")),
            live_refresh_seconds=max(1, int(env.get("CARELOOP_LIVE_REFRESH_SECONDS", "20"))),
            log_format=_log_format(env.get("CARELOOP_LOG_FORMAT", "text")),
            log_level=_log_level(env.get("CARELOOP_LOG_LEVEL", "")),
        )
