"""Settings, one object (DESIGN.md): nothing else reads CareLoop's configuration.

Sources, the first that names a setting wins: the arguments a caller gives `Settings(...)`
(tests), the environment (``CARELOOP_PORT``), a ``.env`` file in the working directory,
a TOML file (``CARELOOP_CONFIG_FILE``, default ``careloop.toml`` in the working directory,
if there is one), then the defaults below. docs/settings.md lists every setting; its table
is generated from this model (scripts/settings_table.py), so the docstrings below are the
documentation.

A value that does not parse stops the process with one line naming the variable and the
value (`SettingsError`): the CLI prints it and exits 2, the ASGI factory raises it.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from careloop.domain.callbacks import DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT
from careloop.domain.language import Language, from_environment, normalise

PREFIX = "CARELOOP_"
CONFIG_FILE_ENV = "CARELOOP_CONFIG_FILE"
DEFAULT_CONFIG_FILE = Path("careloop.toml")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
NOTIFY_MODES = ("recording", "live")


class SettingsError(ValueError):
    """A setting that does not parse; its message is the one line a person reads."""


class Unacceptable(ValueError):
    """A validator's refusal in both languages: what the value should be (zh, en)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def config_file() -> Path:
    """The TOML file read below the environment and ``.env``: CARELOOP_CONFIG_FILE, else
    ``careloop.toml`` in the working directory (skipped when there is none)."""
    return Path(os.environ.get(CONFIG_FILE_ENV) or DEFAULT_CONFIG_FILE)


class _Sourced(BaseSettings):
    """The sources and their order, shared by `Settings` and the language look-up."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        # CARELOOP_OIDC_CLIENT_ID → oidc.client_id: split once, after the field's name.
        env_nested_delimiter="_",
        env_nested_max_split=1,
        env_file=".env",
        env_file_encoding="utf-8",
        # An empty variable (CARELOOP_PORT=) means "not set", as it always has.
        env_ignore_empty=True,
        # Other programs' variables in .env, and CARELOOP_* options of single commands
        # (CARELOOP_NEW_PASSWORD), are not settings.
        extra="ignore",
        frozen=True,
        use_attribute_docstrings=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = config_file()
        if os.environ.get(CONFIG_FILE_ENV) and not path.is_file():
            # Named on purpose, so its absence is a mistake, not "no file".
            raise Unacceptable("文件不存在", "names no file")
        toml = TomlConfigSettingsSource(settings_cls, toml_file=path)
        return init_settings, env_settings, dotenv_settings, toml


class _LanguageOnly(_Sourced):
    """CARELOOP_LANG alone, read even when another setting is broken: the language in which
    that setting's error is told."""

    lang: str = ""


class OidcSettings(BaseModel):
    """Single sign-on through an OpenID provider (docs/security.md); off while unconfigured.

    In the environment each field is ``CARELOOP_OIDC_<NAME>``; in careloop.toml, ``[oidc]``."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)

    issuer: str = ""
    """Exactly as the provider writes it in `iss` (a trailing slash included, if it has
    one); the issuer, the client id and its secret together turn single sign-on on."""
    client_id: str = ""
    """This site's client id at the provider."""
    client_secret: str = Field(default="", repr=False)
    """This site's client secret at the provider."""
    redirect_uri: str = ""
    """Empty: this server's own /auth/oidc/callback as the browser reached it (set it if a
    proxy changes the host)."""
    scopes: str = "openid profile"
    """The scopes asked for."""
    username_claim: str = "preferred_username"
    """The claim that names the account."""
    name_claim: str = "name"
    """The claim with the display name."""
    role_claim: str = "careloop_role"
    """A string or a list (groups); each value goes through `role_map`."""
    unit_claim: str = "org_unit"
    """The claim with an org-unit code."""
    role_map: Annotated[tuple[tuple[str, str], ...], NoDecode] = ()
    """A JSON object: the provider's role or group value → a CareLoop role, e.g.
    {"/careloop/hotline": "agent"}; empty: the claim holds CareLoop role names."""
    provision: bool = False
    """Create a staff account (without a password) for a username CareLoop does not know."""
    sync_claims: bool = False
    """The provider is the source of truth: an account's role and unit follow its claims.
    Off: the claims must match the account or the login is refused."""
    leeway_seconds: int = Field(default=60, ge=0)
    """Clock skew allowed when judging an ID token's exp and iat."""

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id and self.client_secret)

    @field_validator("role_map", mode="before")
    @classmethod
    def _role_map(cls, value: Any) -> Any:
        """JSON text (the environment) or a table (TOML); the roles are checked here, at
        start-up. A tuple given in code is the RelyingParty's to check."""
        if isinstance(value, str):
            if not value.strip():
                return ()
            try:
                value = json.loads(value)
            except ValueError:
                raise Unacceptable("应为 JSON 对象", "is not a JSON object") from None
            if not isinstance(value, dict):
                raise Unacceptable("应为 JSON 对象", "is not a JSON object")
        if isinstance(value, dict):
            from careloop.domain.vocabulary import ROLES

            unknown = sorted({str(role) for role in value.values()} - set(ROLES))
            if unknown:
                names = ", ".join(unknown)
                raise Unacceptable(
                    f"列出了 CareLoop 没有的角色：{names}", f"names roles CareLoop lacks: {names}"
                )
            return tuple((str(key), str(role)) for key, role in value.items())
        return value

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcSettings:
        """From CARELOOP_OIDC_* names as the environment spells them (a test's mapping)."""
        prefix = f"{PREFIX}OIDC_"
        values = {
            key[len(prefix) :].lower(): value
            for key, value in env.items()
            if key.upper().startswith(prefix) and value != ""
        }
        return cls.model_validate(values)


class Settings(_Sourced):
    """Everything a CareLoop process is configured by (environment, .env, careloop.toml)."""

    data_dir: Path = Path("var")
    """CareLoop's data directory: the SQLite file and the trained spam classifier's versions
    (spam-models/) live there."""
    database_url: str = Field(default="", validate_default=True)
    """SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/careloop. Empty:
    SQLite, careloop.sqlite3 in the data directory."""
    timezone: str = "Asia/Shanghai"
    """The business calendar's time zone."""
    host: str = "127.0.0.1"
    """Where `careloop serve` listens."""
    port: int = Field(default=8000, ge=1, le=65535)
    """The port `careloop serve` listens on."""
    max_page_size: int = Field(default=200, ge=1)
    """The most rows one page of a list answers."""
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1)
    """Larger request bodies are refused with 413."""
    session_hours: float = Field(default=12.0, gt=0)
    """How long a login (token, cookie) lasts."""
    max_failed_logins: int = Field(default=5, ge=1)
    """Wrong passwords in a row for one username from one client address before that
    address waits `lockout_minutes` for that username (docs/security.md)."""
    lockout_minutes: float = Field(default=15.0, ge=0)
    """How long a locked-out address waits (twice as long for each further lock within a
    day, at most a day); `careloop unlock USER` lifts it."""
    login_rate_per_minute: int = Field(default=20, ge=0)
    """Login attempts per client address and per username; 0 turns the limit off."""
    intake_rate_per_minute: int = Field(default=120, ge=0)
    """New complaints per member of staff; 0 turns the limit off."""
    batch_items_per_minute: int = Field(default=6000, ge=0)
    """Complaints per caller through the bulk intake (imports, feeds): a budget of its own,
    so that an import is not held to a hotline agent's pace; 0 turns the limit off."""
    max_export_rows: int = Field(default=10_000, ge=1)
    """The largest export."""
    otp_codes_per_phone_hour: int = Field(default=5, ge=0)
    """One-time codes sent to one phone number (however it is written) per hour; 0: off."""
    otp_codes_per_client_hour: int = Field(default=30, ge=0)
    """One-time codes asked for from one client address per hour; 0 turns the limit off."""
    redis_url: str = ""
    """Keep the rate limits' buckets in this Redis (redis://host:6379/0); empty: in the
    database. Either way every API process shares them."""
    redis_prefix: str = "careloop:"
    """Prefix of CareLoop's Redis keys (several sites or tests may share one Redis)."""
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    retention_days: int = Field(default=1095, ge=1)
    """Days an archived complaint keeps its customer's personal data before the purge
    anonymises it (PIPL; why three years: domain/retention.py)."""
    secret_key: str = Field(default="", repr=False)
    """Signs the web forms' anti-forgery tokens and the customer's self-service session;
    empty: a random key per process (then every process of one site needs the same
    CARELOOP_SECRET_KEY, see docs/security.md)."""
    public_api_docs: bool = False
    """Serve /openapi.json and /docs without a login (off: the API's map is for staff)."""
    callback_attempts: int = Field(default=DEFAULT_MAX_ATTEMPTS, ge=1, le=MAX_ATTEMPTS_LIMIT)
    """Unreachable callback attempts before a complaint is closed as unreachable (1–10;
    the retry schedule between them: domain/callbacks.py)."""
    live_refresh_seconds: int = 20
    """How often the work lists (the agent's and the unit's queue) fetch their rows again
    while open, so a unit's completed work order shows without a reload (at least 1)."""
    log_format: Literal["text", "json"] = Field(default="text", validate_default=True)
    """``text`` (a line for people) or ``json`` (one JSON object per line, for a log
    collector); either way personal data is masked (careloop.logs)."""
    log_level: str = Field(default="", validate_default=True)
    """The least severe log lines written: DEBUG, INFO, WARNING, ERROR. Empty: INFO for the
    server and the worker, WARNING for one-shot commands (whose answer is one line)."""
    lang: Language = "zh"
    """The language of the CLI's messages: ``en`` (or en_US…) for English, else Chinese.
    The shell's own LANG is not read: a server's en_US.UTF-8 would switch every operator's
    messages to English."""
    public_url: str = ""
    """Where customers reach this site: the base of the surveys' one-time links. Empty: the
    address `careloop serve` listens on (host and port)."""
    metrics_token: str = Field(default="", repr=False)
    """The bearer token a scraper sends to /metrics; empty: only loopback callers may read
    them (docs/operations.md)."""
    ready_timeout_seconds: float = 2.0
    """Seconds /readyz waits for its checks (at least 0.1): below the orchestrator's probe
    timeout, so a hung database is "not ready", not a hang."""
    otel_endpoint: str = ""
    """An OTLP/HTTP collector for request traces (http://collector:4318; needs the otel
    extra); empty: no traces."""
    otel_service_name: str = "careloop"
    """The service.name the traces carry."""
    notify: Literal["recording", "live"] = Field(default="recording", validate_default=True)
    """``recording`` (the outbox row is the record, nothing is sent) or ``live``: send
    through each channel whose address is set below. Sending for real is asked for twice."""
    sms_gateway_url: str = ""
    """The operator's SMS gateway (HTTP JSON) for live notifications."""
    smtp_host: str = ""
    """The mail server for live notifications by e-mail."""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    """The mail server's port."""
    mail_from: str = "careloop@localhost"
    """The sender of notification e-mails."""
    webhook_url: str = ""
    """Where live webhook notifications are posted (JSON)."""
    config_file: Path = DEFAULT_CONFIG_FILE
    """The TOML file read below the environment and .env (in the environment only; a
    missing careloop.toml is skipped, a missing named file is an error)."""

    @field_validator("database_url")
    @classmethod
    def _sqlite_in_data_dir(cls, value: str, info: Any) -> str:
        if value.strip():
            return value.strip()
        data_dir = info.data.get("data_dir", Path("var"))
        return f"sqlite:///{Path(data_dir) / 'careloop.sqlite3'}"

    @field_validator("live_refresh_seconds")
    @classmethod
    def _at_least_a_second(cls, value: int) -> int:
        return max(1, value)

    @field_validator("ready_timeout_seconds")
    @classmethod
    def _at_least_a_tenth(cls, value: float) -> float:
        return max(0.1, value)

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> str:
        word = str(value).strip().lower() or "text"
        if word not in LOG_FORMATS:
            raise _one_of(LOG_FORMATS)
        return word

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> str:
        word = str(value).strip().upper()
        if word and word not in LOG_LEVELS:
            raise _one_of(LOG_LEVELS)
        return word

    @field_validator("notify", mode="before")
    @classmethod
    def _notify(cls, value: Any) -> str:
        word = str(value).strip().lower() or "recording"
        if word not in NOTIFY_MODES:
            raise _one_of(NOTIFY_MODES)
        return word

    @field_validator("lang", mode="before")
    @classmethod
    def _lang(cls, value: Any) -> Language:
        return normalise(str(value))

    @staticmethod
    def cli_language() -> Language:
        """The language of the CLI's messages (`lang`), read from the same sources but on its
        own: a broken setting elsewhere is then told in the language asked for."""
        try:
            return normalise(_LanguageOnly().lang)
        except (ValueError, OSError):  # a broken file: from_env tells what is wrong
            return from_environment(os.environ.get(f"{PREFIX}LANG"))

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process; `SettingsError` (one line) if one does not parse.

        Read once per state of their sources: a worker asks for them on every job, and
        parsing ``.env`` and the TOML file each time cost milliseconds a job. A changed
        variable or file (tests, an edited ``.env``) is read afresh."""
        key = _sources_key()
        cached = _READ.get(key)
        if cached is not None:
            return cached
        settings = cls._read()
        _READ.clear()
        _READ[key] = settings
        return settings

    @classmethod
    def _read(cls) -> Settings:
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, cls.cli_language())) from None
        except Unacceptable as exc:
            raise SettingsError(_line(CONFIG_FILE_ENV, str(config_file()), exc, cls)) from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(_file_line(str(config_file()), str(exc))) from None
        except (SourceError, OSError) as exc:
            raise SettingsError(_file_line("", str(exc))) from None


_READ: dict[tuple[object, ...], Settings] = {}
"""The last settings read, by the state of their sources (one entry: a process has one)."""


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def _sources_key() -> tuple[object, ...]:
    """What the settings are read from: the working directory, the CARELOOP_* variables and
    the two files' modification times and sizes."""
    variables = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX)))
    try:
        where = os.getcwd()
    except OSError:  # the working directory was removed: read afresh, as before
        where = object()
    return (where, variables, _stat(Path(".env")), _stat(config_file()))


def setting_fields(
    model: type[BaseModel] = Settings, loc: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], FieldInfo]]:
    """Every setting as (its path in the model, its field), nested tables flattened: the
    documentation's table and the deployment checks list these."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from setting_fields(annotation, (*loc, name))
        else:
            yield (*loc, name), field


def environment_variables() -> frozenset[str]:
    """The names of every setting in the environment (CARELOOP_OIDC_ISSUER, …)."""
    return frozenset(environment_name(loc) for loc, _ in setting_fields())


def data_dir() -> Path:
    """CareLoop's data directory (CARELOOP_DATA_DIR, default ``var``): the SQLite file and
    the trained spam classifier's versions (``spam-models/``) live there."""
    return Settings.from_env().data_dir


# --- one line per broken setting -------------------------------------------------------------


def _one_of(choices: tuple[str, ...]) -> Unacceptable:
    return Unacceptable(f"应为 {'、'.join(choices)} 之一", f"is not one of {', '.join(choices)}")


def environment_name(loc: tuple[str | int, ...]) -> str:
    """The variable of a field: ("oidc", "role_map") → CARELOOP_OIDC_ROLE_MAP."""
    return PREFIX + "_".join(str(part) for part in loc).upper()


# What a value should have been, by pydantic's error type: (zh, en).
_EXPECTED: dict[str, tuple[str, str]] = {
    "int_parsing": ("应为整数", "is not a whole number"),
    "int_from_float": ("应为整数", "is not a whole number"),
    "int_type": ("应为整数", "is not a whole number"),
    "float_parsing": ("应为数字", "is not a number"),
    "float_type": ("应为数字", "is not a number"),
    "bool_parsing": ("应为 1 或 0（true 或 false）", "is not 1 or 0 (true or false)"),
    "bool_type": ("应为 1 或 0（true 或 false）", "is not 1 or 0 (true or false)"),
    "string_type": ("应为文本", "is not text"),
    "model_type": ("应为一组设置（TOML 表）", "is not a table of settings"),
}


def _expected(error: ErrorDetails) -> tuple[str, str]:
    kind, ctx = error["type"], error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, Unacceptable):
        return cause.zh, cause.en
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    bounds = {
        "greater_than_equal": ("应不小于 {}", "is below {}", "ge"),
        "greater_than": ("应大于 {}", "is not above {}", "gt"),
        "less_than_equal": ("应不大于 {}", "is above {}", "le"),
        "less_than": ("应小于 {}", "is not below {}", "lt"),
    }
    if kind in bounds:
        zh, en, key = bounds[kind]
        return zh.format(ctx.get(key)), en.format(ctx.get(key))
    return f"无效（{error['msg']}）", f"is not valid ({error['msg']})"


def _where(loc: tuple[str | int, ...]) -> str:
    """The variable, or the TOML key when the value came from the file alone."""
    name = environment_name(loc)
    if name in {key.upper() for key in os.environ}:
        return name
    path = config_file()
    try:
        table: Any = tomllib.loads(path.read_text("utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        return name
    for part in loc:
        if not isinstance(table, dict) or part not in table:
            return name
        table = table[part]
    return f"{path}: {'.'.join(str(part) for part in loc)}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _one_line(exc: ValidationError, language: Language) -> str:
    parts = []
    for error in exc.errors():
        zh, en = _expected(error)
        name, value = _where(error["loc"]), _shown(error.get("input"))
        parts.append(
            f"{name} {zh}，实际为 {value}" if language == "zh" else f"{name}: {value} {en}"
        )
    return _prefixed("；".join(parts) if language == "zh" else "; ".join(parts), language)


def _line(name: str, value: str, exc: Unacceptable, settings: type[Settings]) -> str:
    language = settings.cli_language()
    if language == "zh":
        return _prefixed(f"{name} {exc.zh}，实际为 {value!r}", language)
    return _prefixed(f"{name}: {value!r} {exc.en}", language)


def _file_line(path: str, message: str) -> str:
    language = Settings.cli_language()
    text = " ".join(message.split())
    return _prefixed(f"{path}: {text}" if path else text, language)


def _prefixed(text: str, language: Language) -> str:
    return f"配置错误：{text}" if language == "zh" else f"Settings error: {text}"
