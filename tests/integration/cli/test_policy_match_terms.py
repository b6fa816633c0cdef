"""`careloop sla policy`: a commitment for repeat complaints in rural regions set and listed
from the shell, and a wrong term refused in words with a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "careloop.cli"]
SPEC = {
    "name": "农村重复投诉4小时答复",
    "limits": {"reply": {"minutes": 240, "basis": "calendar"}},
    "rank": 10,
    "match_repeat": True,
    "match_area": "rural",
}


def _careloop(url: str, *args: str, lang: str = "zh") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": lang}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def test_a_rural_repeat_policy_is_set_and_listed_with_its_terms(sqlite_url: str):
    spec = json.dumps(SPEC, ensure_ascii=False)
    saved = _careloop(sqlite_url, "sla", "policy", "set", "REPEAT-RURAL", "--as", "admin",
                      "--spec", spec)  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    assert json.loads(saved.stdout)["match"] == {"repeat": True, "area": "rural"}
    listed = _careloop(sqlite_url, "sla", "policy", "list")
    assert listed.returncode == 0, listed.stderr
    (policy,) = [p for p in json.loads(listed.stdout) if p["code"] == "REPEAT-RURAL"]
    assert policy["match"] == {"repeat": True, "area": "rural"}


def test_an_unknown_area_is_refused_naming_the_field_and_the_choices(sqlite_url: str):
    spec = json.dumps({**SPEC, "match_area": "town"}, ensure_ascii=False)
    refused = _careloop(sqlite_url, "sla", "policy", "set", "BAD", "--as", "admin",
                        "--spec", spec)  # fmt: skip
    assert refused.returncode != 0
    assert "适用城乡" in refused.stderr and "rural（农村）" in refused.stderr
