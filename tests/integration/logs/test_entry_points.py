"""Every entry point logs through the one masking set-up: the worker's INFO lines reach
stderr as JSON under a round's id, and `careloop serve` hands uvicorn the same
configuration for its own lines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from careloop import logs


def test_the_workers_info_lines_are_written_as_json_under_a_rounds_id(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "worker.sqlite3"
    shutil.copy(sqlite_template, database)
    env = {
        **os.environ,
        "CARELOOP_DATABASE_URL": f"sqlite:///{database}",
        "CARELOOP_LOG_FORMAT": "json",
    }
    env.pop("CARELOOP_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-m", "careloop.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    (round_line,) = [e for e in entries if e["logger"] == "careloop.jobs"]
    assert round_line["level"] == "INFO" and round_line["message"].startswith("SLA round:")
    assert round_line["request_id"]


def test_careloop_serve_hands_uvicorn_the_masking_log_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from careloop.cli import app as cli

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append(kw))
    monkeypatch.setenv("CARELOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    monkeypatch.setenv("CARELOOP_LOG_FORMAT", "json")
    monkeypatch.delenv("CARELOOP_LOG_LEVEL", raising=False)
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    (options,) = calls
    config = options["log_config"]
    assert isinstance(config, dict)
    assert config["formatters"]["careloop"]["()"] == "careloop.logs.JsonFormatter"
    assert config["root"]["level"] == "INFO"
    for name in ("uvicorn.access", "uvicorn.error"):
        # uvicorn's own handlers are dropped: its lines reach ours, masked.
        assert config["loggers"][name] == {"handlers": [], "propagate": True, "level": "NOTSET"}
    assert config == logs.dict_config()
