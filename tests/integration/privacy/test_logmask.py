"""Access and error logs mask phone numbers however they are written, without logging errors."""

from __future__ import annotations

import logging

import httpx
import pytest
from uvicorn.logging import AccessFormatter

from careloop.api import logmask
from tests.conftest import LiveServer


class Capture(logging.Handler):
    """A real handler with uvicorn's access formatter that keeps lines and its own errors."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
        self.lines: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception as exc:  # what logging.Handler.handleError would print
            self.errors.append(repr(exc))


@pytest.fixture
def access_log():  # type: ignore[no-untyped-def]
    logmask.install()
    logger = logging.getLogger("uvicorn.access")
    handler = Capture()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/complaints?phone=13812345678",
        "/api/v1/complaints?phone=138%201234%205678",
        "/api/v1/complaints?phone=138+1234+5678",
        "/api/v1/complaints?phone=%2B86-138-1234-5678",
    ],
)
def test_an_access_log_line_with_a_phone_number_is_masked_and_logs_no_error(access_log, path):
    # Exactly the call uvicorn's protocols make for every request.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200
    )
    assert access_log.errors == []
    (line,) = access_log.lines
    assert "138****5678" in line and "GET /api/v1/complaints?phone=" in line
    assert "1234" not in line.replace("138****5678", "")


def test_a_preformatted_error_line_is_masked(caplog: pytest.LogCaptureFixture):
    logmask.install()
    with caplog.at_level(logging.INFO, logger="careloop"):
        logging.getLogger("careloop").warning("callback failed for 139 8765 4321 (%s)", "x")
        logging.getLogger("careloop").warning("id %(id)s", {"id": "11010119900307123X"})
    assert [r.getMessage() for r in caplog.records] == [
        "callback failed for 139****4321 (x)",
        "id 110101********123X",
    ]


def test_the_running_server_logs_a_spaced_number_masked(app) -> None:  # type: ignore[no-untyped-def]
    live = LiveServer(app)  # configures uvicorn's loggers (at warning level)
    logger = logging.getLogger("uvicorn.access")
    level = logger.level
    logger.setLevel(logging.INFO)
    handler = Capture()
    logger.addHandler(handler)
    try:
        with live:
            httpx.get(f"{live.url}/api/v1/complaints?phone=138%201234%205678", timeout=30)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert handler.errors == []
    assert any("phone=138****5678" in line for line in handler.lines), handler.lines
    assert not any("1234" in line.replace("138****5678", "") for line in handler.lines)
