"""Logging for every entry point (API server, web, CLI, job worker), configured once.

Personal data never reaches a log line (DESIGN.md): the masking is done by the formatter,
on the final text of each record (message with its arguments, exception text and stack,
extra fields), so it covers every logger that propagates to the root, ours (``careloop.*``
at any depth) and the libraries' alike: uvicorn's access and error logs, SQLAlchemy's,
Procrastinate's. A filter on one logger would miss its children and never sees the
traceback, which is formatted after filters run. Handlers that are not ours (a test
runner's capture, an operator's Sentry) get records whose message and arguments were masked
as the record was made (``mask_records``); only a traceback depends on our formatter. The
rule is the one every output uses, ``domain.privacy.shown``; numbers in a URL's query
string are judged decoded.

Each line carries the id of the request it belongs to (``X-Request-ID``, see
``api.request_ids``), held in a context variable: the services a request calls log with it,
and a job the request queues takes it along (jobs/queue.py), so an operator can follow one
complaint's intake from the access log to the worker that ran its handlers.

``CARELOOP_LOG_FORMAT`` picks ``text`` (for people) or ``json`` (one object per line, for a
collector); ``CARELOOP_LOG_LEVEL`` the least severe level written (config.py).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import unquote_plus

from careloop.config import Settings
from careloop.domain.privacy import shown

REQUEST_ID: ContextVar[str | None] = ContextVar("careloop_request_id", default=None)
"""The id of the request (or queued job) the running code serves; None outside one."""

_REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")

QUIET_LOGGERS = {"sqlalchemy": "WARNING", "httpx": "WARNING", "httpcore": "WARNING"}
"""Libraries whose INFO lines are per statement or per call: SQLAlchemy would echo every
query once the root is at INFO; they still report warnings and errors."""

ADOPTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate")
"""Loggers that come with handlers of their own (uvicorn's default config does not
propagate): they lose them and propagate to the root, through the masking formatter."""


# --- masking ---------------------------------------------------------------------------------


def masked(value: Any) -> Any:
    """`value` with personal data masked; numbers and other non-text values as they are.

    URL-encoded text is judged decoded (a space is `%20` or `+` in a query string), and
    given back decoded only when something in it had to be masked.
    """
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    plain = shown(text, "text", unmasked=False) or ""
    if plain != text:
        return plain
    decoded = unquote_plus(text) if ("%" in text or "+" in text) else text
    hidden = shown(decoded, "text", unmasked=False) or ""
    if hidden != decoded:
        return hidden
    return value


def _masked_tree(value: Any) -> Any:
    """A JSON-ready copy of `value`, every text in it masked; an integer that reads as a
    phone or ID number (a customer's number stored as a number) becomes masked text."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        hidden = masked(str(value))
        return value if hidden == str(value) else hidden
    if isinstance(value, Mapping):
        return {str(masked(str(k))): _masked_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked_tree(v) for v in value]
    return masked(value if isinstance(value, str) else str(value))


# --- request ids -----------------------------------------------------------------------------


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(offered: str | None) -> str:
    """The id a request runs under: the caller's ``X-Request-ID`` when it is a plain token
    (letters, digits, ``._:-``, at most 128) that reads as no personal data, else a new one.
    A caller's header is echoed and written to every line: it must not carry a log
    injection (new lines, quotes) nor a customer's number."""
    if offered and _REQUEST_ID_SHAPE.fullmatch(offered) and masked(offered) == offered:
        return offered
    return new_request_id()


@contextmanager
def request_context(request_id: str | None) -> Iterator[str]:
    """Run the block under `request_id` (a new one if None); the previous id afterwards."""
    rid = request_id or new_request_id()
    token = REQUEST_ID.set(rid)
    try:
        yield rid
    finally:
        REQUEST_ID.reset(token)


def _request_id_of(record: logging.LogRecord) -> str | None:
    given = getattr(record, "request_id", None) or REQUEST_ID.get()
    if given:
        return str(given)
    # The queue's own lines about a job (started, ended, failed) are logged outside the
    # task; they name the job, whose arguments carry the id of the request that queued it.
    job = getattr(record, "job", None)
    arguments = job.get("task_kwargs") if isinstance(job, Mapping) else None
    carried = arguments.get("request_id") if isinstance(arguments, Mapping) else None
    return str(carried) if carried else None


# --- formatters ------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


class TextFormatter(logging.Formatter):
    """A line for people: time, level, logger, request id, message (and traceback), masked
    as a whole after formatting."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None) -> None:
        super().__init__(
            fmt or "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", datefmt
        )

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = _request_id_of(record) or "-"
        return str(masked(super().format(record)))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, ``request_id``, ``exc_info`` and ``stack_info`` when present, then every
    extra field the call passed; each value masked before encoding."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id_of(record)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry.setdefault(key, value)
        return json.dumps(_masked_tree(entry), ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the process's stderr as it is when a line is written, not as it was when
    logging was configured (a test runner or a daemon may replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


# --- every handler's records ----------------------------------------------------------------

_records_masked = False


def mask_records() -> None:
    """Mask the message and the arguments of every log record as it is made, for every
    logger and every handler, ours or not (a test runner's capture, an operator's Sentry or
    syslog handler, uvicorn's own access formatter when it is run without our config).

    Each text argument is masked on its own and keeps its place, so a formatter that reads
    ``record.args`` (uvicorn's access log does) still finds them; a traceback is text only
    a formatter makes, so only ours mask it. Idempotent."""
    global _records_masked
    if _records_masked:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(masked(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {
                key: masked(arg) if isinstance(arg, str) else arg
                for key, arg in record.args.items()
            }
        return record

    logging.setLogRecordFactory(factory)
    _records_masked = True


# --- configuration ---------------------------------------------------------------------------

_configured = False


def dict_config(
    settings: Settings | None = None,
    stream: IO[str] | None = None,
    default_level: str = "INFO",
) -> dict[str, Any]:
    """The logging configuration of a CareLoop process, as ``logging.config.dictConfig``
    takes it; uvicorn applies it in each of its worker processes (``log_config``), so the
    server's own lines go through the same masking formatter. `stream`: write there instead
    of stderr (tests); `default_level`: the level when CARELOOP_LOG_LEVEL is not set."""
    settings = settings or Settings.from_env()
    level = settings.log_level or default_level
    formatter = JsonFormatter if settings.log_format == "json" else TextFormatter
    handler: dict[str, Any] = {"formatter": "careloop", "level": level}
    if stream is None:
        handler["()"] = f"{__name__}.StderrHandler"
    else:
        handler.update({"class": "logging.StreamHandler", "stream": stream})
    # NOTSET: an adopted logger takes the root's level, whatever level its library gave it
    # before (uvicorn sets its access log's level when a server is configured).
    loggers: dict[str, Any] = {
        name: {"handlers": [], "propagate": True, "level": "NOTSET"} for name in ADOPTED_LOGGERS
    }
    for name, quiet in QUIET_LOGGERS.items():
        loggers[name] = {"level": quiet}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"careloop": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"careloop": handler},
        "root": {"level": level, "handlers": ["careloop"]},
        "loggers": loggers,
    }


def configure(
    settings: Settings | None = None,
    *,
    stream: IO[str] | None = None,
    default_level: str = "INFO",
    force: bool = False,
) -> bool:
    """Configure logging for this process, once; True if it did.

    Nothing happens a second time, nor when the root logger already has handlers that are
    not ours (a host application or the test runner formats its own lines), as with
    ``logging.basicConfig``; `force` configures anyway."""
    global _configured
    mask_records()
    root = logging.getLogger()
    if not force and (_configured or root.handlers):
        return False
    logging.config.dictConfig(dict_config(settings, stream, default_level))
    _configured = True
    return True
