"""`careloop sla due` from the shell: the due instant, the rule in words and the assumed
years, by the same function the clocks run on. Only a policy's clock reads the database, so
only that case runs on both engines; each call is a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "careloop.cli"]


def _careloop(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": "zh"}
    return subprocess.run(
        [*CLI, "sla", "due", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "due.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def _json(url: str, *args: str) -> dict:  # type: ignore[type-arg]
    result = _careloop(url, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_fifteen_working_days_from_december_28_say_which_year_is_assumed(sqlite_url: str):
    answer = _json(sqlite_url, "--from", "2026-12-28T10:00+08:00", "--limit", "15 working days")
    # Past New Year's Day 2027 (a statutory holiday): 24:00 on Tuesday 2027-01-19.
    assert answer["due_at"] == "2027-01-20T00:00:00+08:00"
    assert answer["limit"] == {"count": "working_days", "days": 15}
    assert answer["fallback_years"] == [2027]
    assert "工作日" in answer["rule"]["zh"] and "working days" in answer["rule"]["en"]
    chinese = _json(sqlite_url, "--from", "2026-12-28T10:00+08:00", "--limit", "15个工作日")
    assert chinese["due_at"] == answer["due_at"]


def test_a_policys_clock_and_the_law_answer_alike(database_url: str):
    # The seeded default policy's reply limit is the law's 15 days: 2026-09-20 10:00 is due
    # at 24:00 on 10-08, after the National Day holiday.
    by_policy = _json(
        database_url, "--from", "2026-09-20T10:00+08:00", "--policy", "default", "--clock", "reply"
    )
    by_limit = _json(database_url, "--from", "2026-09-20T10:00+08:00", "--limit", "15天")
    assert by_policy["due_at"] == by_limit["due_at"] == "2026-10-09T00:00:00+08:00"
    assert by_policy["policy"] == "default v1" and by_policy["fallback_years"] == []
    outer = _json(
        database_url, "--from", "2026-09-20T10:00+08:00", "--policy", "default",
        "--clock", "appeal_accept",
    )  # fmt: skip
    assert outer["limit"] == {"count": "working_days", "days": 5}
    hours = _json(database_url, "--from", "2026-09-30T10:00+08:00", "--limit", "24 hours")
    assert hours["due_at"] == "2026-10-01T10:00:00+08:00"


def test_plain_text_says_the_end_of_the_day_in_chinese_by_default(sqlite_url: str):
    result = _careloop(sqlite_url, "--from", "2026-09-20T10:00+08:00", "--limit", "15 days")
    assert result.returncode == 0, result.stderr
    first, rule = result.stdout.splitlines()[:2]
    assert first.startswith("到期：2026-10-08 24:00")
    assert rule.startswith("计算规则：15 个自然日")


def test_bad_input_is_refused_in_one_readable_line(sqlite_url: str):
    cases = [
        (("--from", "2026-09-20T10:00", "--limit", "15天"), "时区"),
        (("--from", "2026-09-20T10:00+08:00", "--limit", "15 weeks"), "weeks"),
        (("--from", "2026-09-20T10:00+08:00"), "--limit"),
        (("--from", "2026-09-20T10:00+08:00", "--policy", "nope"), "nope"),
        (("--from", "2026-09-20T10:00+08:00", "--policy", "default", "--clock", "x"), "x"),
    ]
    for args, said in cases:
        result = _careloop(sqlite_url, *args)
        assert result.returncode == 1, (args, result.stdout)
        assert said in result.stderr and "Traceback" not in result.stderr, result.stderr
