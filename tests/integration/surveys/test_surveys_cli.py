"""`careloop surveys` from the shell: send the due ones at a given instant, opt a number
out, read the results; a bad number or instant is one line and exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from careloop import bootstrap
from tests.integration.surveys.helpers import close_complaint, in_process_events

CLI = [sys.executable, "-m", "careloop.cli"]


def careloop(url: str, *args: str, lang: str = "zh") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": lang}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def test_surveys_from_the_shell(sqlite_url: str) -> None:
    from datetime import UTC, datetime

    platform = bootstrap.build(sqlite_url)
    in_process_events(platform)
    close_complaint(platform, datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    platform.dispose()

    sent = careloop(sqlite_url, "surveys", "send-due", "--now", "2026-11-27T10:30+08:00")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["sent"] == 1

    results = careloop(sqlite_url, "surveys", "results", "--as", "super1", "--date", "2026-11-27")
    assert results.returncode == 0, results.stderr
    assert json.loads(results.stdout)["total"]["sent"] == 1

    out = careloop(sqlite_url, "surveys", "opt-out", "138 1234 5678")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["already"] is False
    assert json.loads(careloop(sqlite_url, "surveys", "opt-out", "13812345678").stdout)["already"]

    bad = careloop(sqlite_url, "surveys", "opt-out", "12345")
    assert bad.returncode == 1
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "不是有效的手机号" in bad.stderr
    bad_time = careloop(sqlite_url, "surveys", "send-due", "--now", "2026-11-27T10:30")
    assert bad_time.returncode == 1 and len(bad_time.stderr.strip().splitlines()) == 1
    refused = careloop(sqlite_url, "surveys", "results", "--as", "agent1", "--by", "agent")
    assert refused.returncode == 1 and "无权" in refused.stderr
