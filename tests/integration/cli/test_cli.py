"""The `careloop` command: a complaint taken through its stages from the shell."""

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


def test_complaint_through_its_stages_from_the_shell(sqlite_url: str):
    url = sqlite_url
    c = _ok(
        url,
        "complaint",
        "create",
        "--as",
        "agent1",
        "--phone",
        "13812345678",
        "--category",
        "broadband.outage",
        "--region",
        "C1-K1",
        "--text",
        "宽带断网两天",
        "--key",
        "cli-1",
    )
    assert c["created"] is True and c["status"] == "accepted"
    cid = str(c["id"])
    again = _ok(
        url,
        "complaint",
        "create",
        "--as",
        "agent1",
        "--phone",
        "13812345678",
        "--category",
        "broadband.outage",
        "--region",
        "C1-K1",
        "--text",
        "宽带断网两天",
        "--key",
        "cli-1",
    )
    assert again["created"] is False and again["id"] == c["id"]
    c = _ok(
        url,
        "complaint",
        "dispatch",
        cid,
        "--as",
        "agent1",
        "--version",
        str(c["version"]),
        "--unit",
        "C1-K1-NET",
        "--due-hours",
        "24",
    )
    order = c["work_orders"][0]
    c = _ok(
        url,
        "work-order",
        "complete",
        str(order["id"]),
        "--as",
        "net1",
        "--version",
        str(order["version"]),
        "--result",
        "已修复",
    )
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
        "complaint",
        "callback",
        cid,
        "--as",
        "agent1",
        "--version",
        str(c["version"]),
        "--satisfied",
    )
    c = _ok(url, "complaint", "archive", cid, "--as", "super1", "--version", str(c["version"]))
    assert c["status"] == "archived" and c["first_owner"] == "agent1"
    shown = _ok(url, "complaint", "show", cid, "--events", "--json")
    assert shown["events"][-1]["action"] == "archive"

    # For a person: the complaint in the operator's language, words instead of codes and
    # Beijing times instead of UTC stamps.
    zh = _careloop(url, "complaint", "show", cid, "--events", lang="zh")
    assert zh.returncode == 0, zh.stderr
    assert "状态" in zh.stdout and "已归档" in zh.stdout and "宽带" in zh.stdout
    assert "处理轨迹" in zh.stdout and "归档" in zh.stdout and "回访满意" in zh.stdout
    for code in ("archived", "broadband.outage", "+00:00", "Status"):
        assert code not in zh.stdout
    en = _careloop(url, "complaint", "show", cid, lang="en")
    assert en.returncode == 0, en.stderr
    assert "Status" in en.stdout and "Archived" in en.stdout
    assert "状态" not in en.stdout and "archived" not in en.stdout


def test_broken_rule_is_one_line_and_exit_1(sqlite_url: str):
    c = _ok(
        sqlite_url,
        "complaint",
        "create",
        "--as",
        "agent1",
        "--phone",
        "13812345678",
        "--category",
        "billing.dispute",
        "--region",
        "C1",
        "--text",
        "多扣费",
    )
    result = _careloop(
        sqlite_url,
        "complaint",
        "archive",
        str(c["id"]),
        "--as",
        "super1",
        "--version",
        str(c["version"]),
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: Cannot archive: the complaint is 'Accepted'"
    ]
    bad = _careloop(
        sqlite_url,
        "complaint",
        "create",
        "--as",
        "agent1",
        "--phone",
        "123",
        "--category",
        "billing.dispute",
        "--region",
        "C1",
        "--text",
        "x",
        lang="zh",
    )
    assert bad.returncode == 1 and "客户电话" in bad.stderr and "customer.phone" not in bad.stderr
