"""Callback outcomes from the shell: an unreachable attempt, a declined callback, and an
appeal outcome refused on a complaint the regulator did not transfer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "careloop.cli"]


def _careloop(url: str, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": lang}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def _ok(url: str, *args: str) -> dict:  # type: ignore[type-arg]
    result = _careloop(url, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def test_callback_outcomes_from_the_shell(sqlite_url: str):
    url = sqlite_url
    c = _ok(
        url,
        *("complaint", "create", "--as", "agent1", "--phone", "13812345678"),
        *("--category", "broadband.outage", "--region", "C1-K1", "--text", "宽带断网两天"),
    )
    cid = str(c["id"])
    c = _ok(
        url,
        "complaint",
        "reply",
        cid,
        "--as",
        "agent1",
        "--version",
        str(c["version"]),
        "--text",
        "已修复",
    )
    c = _ok(
        url,
        *("complaint", "callback-unreachable", cid, "--as", "agent1"),
        *("--version", str(c["version"]), "--comment", "无人接听"),
    )
    assert c["status"] == "replied" and c["callback_attempts"] == 1
    assert c["callback_next_at"] and c["callback_outcome"] is None

    refused = _careloop(
        url,
        *("complaint", "appeal-outcome", cid, "--as", "agent1"),
        *("--version", str(c["version"]), "--outcome", "settled"),
        lang="zh",
    )
    assert refused.returncode == 1
    assert "管局转办" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1

    c = _ok(
        url, "complaint", "callback-declined", cid, "--as", "agent1", "--version", str(c["version"])
    )
    assert c["status"] == "closed" and c["callback_outcome"] == "declined"
    shown = _ok(url, "complaint", "show", cid, "--events", "--json")
    assert [e["action"] for e in shown["events"]][-2:] == [
        "callback_unreachable",
        "callback_declined",
    ]
