"""`careloop incidents`: open an incident, a complaint linked at intake, one bulk reply and
the report, from the shell."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli.test_cli import _careloop, _ok, sqlite_url  # noqa: F401


def test_an_incident_from_the_shell(sqlite_url: str, tmp_path: Path):  # noqa: F811
    url = sqlite_url
    opened = _ok(
        url, "incidents", "open", "--as", "super1", "--title", "东区断网",
        "--answer", "抢修中，预计今晚恢复", "--regions", "C1-K1", "--categories", "broadband",
    )  # fmt: skip
    assert opened["status"] == "open" and opened["counts"]["linked"] == 0
    iid = str(opened["id"])
    c = _ok(
        url, "complaint", "create", "--as", "agent1", "--phone", "13812345678",
        "--category", "broadband.outage", "--region", "C1-K1", "--text", "宽带断网两天",
    )  # fmt: skip
    shown = _ok(url, "incidents", "show", iid, "--as", "inspector")
    assert shown["linked_total"] == 1 and shown["linked"][0]["id"] == c["id"]
    assert "13812345678" not in str(shown["linked"])  # the inspector reads it masked
    done = _ok(
        url, "incidents", "bulk-reply", iid, "--as", "agent1", "--version", str(opened["version"])
    )
    assert done["replied"] == [c["id"]] and done["notices_queued"] == 1
    report = _ok(url, "incidents", "report", iid, "--as", "lead1")
    # Sent, or waiting out the quiet hours (21:00–08:00 Beijing) at the real clock.
    assert report["linked"] == 1 and report["notices_sent"] + report["notices_pending"] == 1
    target = tmp_path / "incident.csv"
    _ok(url, "incidents", "report", iid, "--as", "lead1", "--format", "csv", "--out", str(target))
    assert "East district" in target.read_text("utf-8-sig")  # CARELOOP_LANG=en
    refused = _careloop(url, "incidents", "resolve", iid, "--as", "agent1", "--version", "1")
    assert refused.returncode == 1, refused.stdout
    assert "may not" in refused.stderr and refused.stderr.strip().count("\n") == 0
    resolved = _ok(url, "incidents", "resolve", iid, "--as", "super1", "--version", "3")
    assert resolved == {"status": "resolved"}
