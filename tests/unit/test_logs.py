"""The log formatters mask personal data in every part of a record and tag it with its
request id; a caller's request id is taken only when it is a plain token."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from careloop import logs
from careloop.config import Settings

PHONE = "139 8765 4321"
ID_NUMBER = "11010519491231002X"
LEAKS = re.compile(r"8765|19491231")
"""The hidden middle of either number, however the digits around it were written."""


def _record(msg: str, *args: object, **fields: object) -> logging.LogRecord:
    record = logging.LogRecord("careloop.sla.sweep", logging.ERROR, __file__, 1, msg, args, None)
    record.__dict__.update(fields)
    return record


def _failed_record() -> logging.LogRecord:
    try:
        raise RuntimeError(f"gateway refused {PHONE} / {ID_NUMBER}")
    except RuntimeError:
        record = logging.getLogger("careloop.jobs").makeRecord(
            "careloop.jobs",
            logging.ERROR,
            __file__,
            1,
            "sending to %s failed",
            ("13987654321",),
            exc_info=sys.exc_info(),
            sinfo=f"Stack (most recent call last):\n  notify({ID_NUMBER!r})",
        )
    record.customer = {"phone": 13987654321, "ids": [ID_NUMBER], f"k{ID_NUMBER}": 1}
    return record


def test_a_json_line_masks_message_arguments_traceback_stack_and_extra_fields() -> None:
    line = logs.JsonFormatter().format(_failed_record())
    entry = json.loads(line)
    assert entry["message"] == "sending to 139****4321 failed"
    assert "RuntimeError: gateway refused 139****4321 / 110105********002X" in entry["exc_info"]
    assert "110105********002X" in entry["stack_info"]
    assert entry["customer"]["phone"] == "139****4321"  # a number stored as an integer
    assert entry["customer"]["ids"] == ["110105********002X"]
    assert "k110105********002X" in entry["customer"]
    assert not LEAKS.search(line), line


def test_a_text_line_masks_the_message_and_its_traceback() -> None:
    line = logs.TextFormatter().format(_failed_record())
    assert "sending to 139****4321 failed" in line and "Traceback" in line
    assert "110105********002X" in line
    assert not LEAKS.search(line), line


def test_an_access_line_with_an_encoded_number_is_masked_in_both_formats() -> None:
    # Exactly the record uvicorn's protocols make for every request.
    paths = ("/c?phone=139%208765%204321", "/c?phone=139+8765+4321", "/c?p=%2B86-139-8765-4321")
    for path in paths:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", path, "1.1", 200),
            None,
        )
        for formatter in (logs.JsonFormatter(), logs.TextFormatter()):
            line = formatter.format(record)
            assert "139****4321" in line and not LEAKS.search(line), line


def test_uvicorns_own_access_formatter_still_formats_a_record_we_saw() -> None:
    """The masking works on the formatted text and leaves the record's arguments in shape:
    uvicorn's formatter unpacks them, so a handler of its own keeps working beside ours."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/c?phone=13987654321", "1.1", 200),
        None,
    )
    logs.JsonFormatter().format(record)
    assert "GET /c?phone=" in AccessFormatter('"%(request_line)s" %(status_code)s').format(record)


def test_every_line_carries_the_request_id_it_was_logged_under() -> None:
    formatter = logs.JsonFormatter()
    assert "request_id" not in json.loads(formatter.format(_record("outside")))
    with logs.request_context("req-7") as rid:
        assert rid == "req-7" and logs.current_request_id() == "req-7"
        assert json.loads(formatter.format(_record("inside")))["request_id"] == "req-7"
        assert "[req-7]" in logs.TextFormatter().format(_record("inside"))
    assert logs.current_request_id() is None
    assert "[-]" in logs.TextFormatter().format(_record("outside"))


def test_the_queues_line_about_a_job_carries_the_id_the_job_was_queued_under() -> None:
    job = {"id": 1, "task_name": "careloop:events.deliver", "task_kwargs": {"request_id": "r-9"}}
    entry = json.loads(logs.JsonFormatter().format(_record("Job ended", job=job)))
    assert entry["request_id"] == "r-9"
    assert "request_id" not in json.loads(logs.JsonFormatter().format(_record("x", job={})))


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("0f3c9a1e-8b1d-4c4e-9a55-3f1e2b7c9d10", True),
        ("lb-42:7.1", True),
        (None, False),
        ("", False),
        ("x" * 129, False),
        ("id\nforged line", False),
        ('"quoted"', False),
        ("13987654321", False),  # a customer's number would be echoed and logged
        (ID_NUMBER, False),
    ],
)
def test_a_callers_request_id_is_kept_only_when_it_is_a_plain_token(
    offered: str | None, kept: bool
) -> None:
    accepted = logs.accepted_request_id(offered)
    assert (accepted == offered) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:\-]{1,128}", accepted)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    names = [*logs.ADOPTED_LOGGERS, *logs.QUIET_LOGGERS]
    saved = (root.handlers[:], root.level)
    others = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level) for n in names}
    propagate = {n: logging.getLogger(n).propagate for n in names}
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, (handlers, level) in others.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate[name]


def test_configure_routes_every_logger_through_one_masking_handler_once(
    restored_logging: None,
) -> None:
    buffer = io.StringIO()
    settings = Settings(log_format="json", log_level="INFO")
    # A uvicorn server configured earlier in the process leaves its access log at its own
    # level: the configuration must take it back to the root's.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    assert logs.configure(settings, stream=buffer, force=True)
    assert not logs.configure(settings)  # once per process
    logging.getLogger("careloop.sla.calendar").info("holiday notice for %s", PHONE)
    logging.getLogger("uvicorn.access").info("GET /c?phone=%s", "13987654321")
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 1")  # per statement: quiet
    logging.getLogger("careloop.reports").debug("below the level")
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [entry["logger"] for entry in lines] == ["careloop.sla.calendar", "uvicorn.access"]
    assert not LEAKS.search(buffer.getvalue())


def test_the_stderr_handler_writes_to_stderr_as_it_is_now(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = logs.StderrHandler()
    handler.setFormatter(logs.TextFormatter())
    handler.emit(_record("written now: %s", PHONE))
    assert "written now: 139****4321" in capsys.readouterr().err
