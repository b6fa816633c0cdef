"""`careloop complaint add-call` and `chase`: the shell follows up an open complaint as the
API and the intake form do (services.complaints.follow_ups)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli.test_cli import _careloop, _ok


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def test_a_call_is_added_once_per_key_and_a_chase_is_counted_from_the_shell(sqlite_url: str):
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
        "宽带断网",
    )
    cid = str(c["id"])
    added = _ok(
        url,
        "complaint",
        "add-call",
        "--as",
        "agent2",
        cid,
        "--text",
        "再次来电",
        "--channel",
        "wechat",
        "--key",
        "k1",
    )
    assert (added["action"], added["calls_added"], added["replayed"]) == ("add_call", 1, False)
    again = _ok(
        url, "complaint", "add-call", "--as", "agent2", cid, "--text", "再次来电", "--key", "k1"
    )
    assert again["replayed"] is True and again["event_id"] == added["event_id"]
    chased = _ok(url, "complaint", "chase", "--as", "agent2", cid, "--note", "很急")
    assert chased["chases"] == 1 and chased["recipients"] == ["staff:agent1"]
    refused = _careloop(url, "complaint", "chase", "--as", "inspector", cid, lang="zh")
    assert refused.returncode != 0 and "无权执行「催办」" in refused.stderr
