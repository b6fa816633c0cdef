"""With JSON logging on, a real server's requests, the jobs they queue and SQL failures
that carry a customer's phone and ID number log them masked, each line under its request's
id: the acceptance test of the logs, on both engines (the jobs take different paths: run
in the request on SQLite, queued to a worker on PostgreSQL)."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy import text

from careloop import bootstrap, logs
from careloop.config import Settings
from tests.conftest import Api, LiveServer
from tests.integration.api.helpers import complaint_body

PHONE = "139 8765 4321"
ID_NUMBER = "11010519491231002X"
MASKED_PHONE = "139****4321"
MASKED_ID = "110105********002X"
LEAK = re.compile(rb"8765\D{0,6}4321|19491231")
"""Either number's hidden middle, however its digits were written or encoded."""
FORCED = "强制失败"
"""A complaint whose text holds this is refused by the database (the trigger below)."""

SPAM_TEXT = (
    f"我收到10657555123401发来的短信，内容为“您的积分即将清零，身份证{ID_NUMBER}已登记，"
    f"请回电{PHONE}”，回复TD退订无效。"
)


class JsonLoggedServer(LiveServer):
    """The app under uvicorn with the logging `careloop serve` gives it (its log_config)."""

    def __init__(self, app: object, stream: io.StringIO) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(
            app,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=self.port,
            log_level="info",
            log_config=logs.dict_config(Settings(log_format="json"), stream=stream),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the process logs, with its logging as it was put back afterwards."""
    names = ["", *logs.ADOPTED_LOGGERS, *logs.QUIET_LOGGERS]
    saved = {
        name: (
            logging.getLogger(name).handlers[:],
            logging.getLogger(name).level,
            logging.getLogger(name).propagate,
        )
        for name in names
    }
    yield io.StringIO()
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def _refuse_in_the_database(app: Any, backend: str) -> None:
    """A failure of the database itself, not of our code: inserting a spam report (what the
    queued handler of a spam complaint does) and a complaint marked FORCED are refused."""
    statements = {
        "sqlite": [
            "CREATE TRIGGER refuse_report BEFORE INSERT ON spam_reports "
            "BEGIN SELECT RAISE(ABORT, 'spam reports refused'); END",
            f"CREATE TRIGGER refuse_complaint BEFORE INSERT ON complaints "
            f"WHEN NEW.description LIKE '%{FORCED}%' "
            "BEGIN SELECT RAISE(ABORT, 'complaint refused'); END",
        ],
        # PostgreSQL quotes the refused values in its message: the masking must catch them.
        "postgresql": [
            "CREATE FUNCTION refuse_report() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'report refused: % from %', NEW.text, NEW.reporter_phone; END $$",
            "CREATE TRIGGER refuse_report BEFORE INSERT ON spam_reports "
            "FOR EACH ROW EXECUTE FUNCTION refuse_report()",
            "CREATE FUNCTION refuse_complaint() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'complaint refused: %', NEW.description; END $$",
            f"CREATE TRIGGER refuse_complaint BEFORE INSERT ON complaints FOR EACH ROW "
            f"WHEN (NEW.description LIKE '%{FORCED}%') EXECUTE FUNCTION refuse_complaint()",
        ],
    }[backend]
    with app.state.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_requests_jobs_and_sql_failures_log_json_lines_with_no_unmasked_number(
    app: Any, database_url: str, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = bootstrap.backend_of(database_url)
    _refuse_in_the_database(app, backend)
    with JsonLoggedServer(app, captured) as live:
        api = Api(live.url)
        agent = api.as_("agent1")
        search = agent.get(
            "/api/v1/complaints?phone=139%208765%204321", headers={"X-Request-ID": "req-search"}
        )
        bad = agent.post(
            f"/api/v1/complaints?ref={ID_NUMBER}",
            json=complaint_body(category=None, description=f"回电 {PHONE}，证件 {ID_NUMBER}"),
            headers={"X-Request-ID": "req-bad"},
        )
        spam = agent.post(
            "/api/v1/complaints",
            json=complaint_body(
                category="spam.sms",
                description=SPAM_TEXT,
                customer={"phone": PHONE, "name": "孙女士", "tier": "gold"},
            ),
            headers={"X-Request-ID": "req-spam"},
        )
        forced = agent.post(
            "/api/v1/complaints",
            json=complaint_body(description=f"{FORCED}：回电 {PHONE}，证件 {ID_NUMBER}"),
            headers={"X-Request-ID": "req-sql"},
        )
        unnamed = agent.get("/healthz", headers={"X-Request-ID": f"id {PHONE}"})
        if backend == "postgresql":
            # The spam complaint's handler was queued, not run: a worker takes it.
            from careloop.jobs.queue import run_worker

            monkeypatch.setenv("CARELOOP_DATABASE_URL", database_url)
            worker = threading.Thread(target=run_worker, args=(database_url, True, "logs-test"))
            worker.start()
            worker.join()
            bootstrap.platform(database_url).dispose()

    assert search.status_code == 200 and search.headers["X-Request-ID"] == "req-search"
    assert bad.status_code == 422 and bad.headers["X-Request-ID"] == "req-bad"
    assert spam.status_code == 201, spam.text
    assert forced.status_code == 500 and forced.headers["X-Request-ID"] == "req-sql"
    generated = unnamed.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # a number in the header is not taken

    raw = captured.getvalue().encode()
    assert not LEAK.search(raw), [line for line in raw.splitlines() if LEAK.search(line)]
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(e) for e in lines)
    by_id: dict[str, list[dict[str, Any]]] = {}
    for entry in lines:
        by_id.setdefault(entry.get("request_id", ""), []).append(entry)

    def access(rid: str) -> str:
        (line,) = [e["message"] for e in by_id[rid] if e["logger"] == "uvicorn.access"]
        return str(line)

    assert f"phone={MASKED_PHONE}" in access("req-search")
    assert f"ref={MASKED_ID}" in access("req-bad") and '" 422' in access("req-bad")
    assert access(generated).endswith('" 200')
    # The job: its handler failed on the database's refusal, and says so under the id of
    # the request that queued it (in the worker, on PostgreSQL).
    (job,) = [e for e in by_id["req-spam"] if e["logger"] == "careloop.events"]
    assert "SpamComplaintRecorder failed" in job["message"]
    assert "refused" in job["exc_info"]
    assert "[SQL parameters hidden due to hide_parameters=True]" in job["exc_info"]
    # The forced SQL error in a request: logged with its traceback, parameters hidden.
    (failure,) = [e for e in by_id["req-sql"] if e["logger"] == "careloop.api"]
    assert "complaint refused" in failure["exc_info"]
    assert "[SQL parameters hidden due to hide_parameters=True]" in failure["exc_info"]
    if backend == "postgresql":
        # The queue's own lines about the job name the request too.
        queue_lines = [e for e in by_id["req-spam"] if e["logger"].startswith("procrastinate.")]
        assert any("ended with status: Success" in e["message"] for e in queue_lines)
        # PostgreSQL quoted the refused values: they reached the log, masked.
        assert MASKED_PHONE in job["exc_info"] and MASKED_ID in job["exc_info"]
        assert MASKED_PHONE in failure["exc_info"] and MASKED_ID in failure["exc_info"]
