"""The monthly spam report's download form on /spam: offered to the roles the report's route
admits (report.read), last month by default, and what it sends is a file, not a page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.integration.web.helpers import web_client


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the form and its permission do not depend on the engine."""
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def test_the_report_form_is_offered_to_report_readers_and_downloads_last_month(
    server: LiveServer,
) -> None:
    lead = web_client(server.url, "lead1")
    page = lead.get("/spam").text
    form = re.search(r'<form method="get" action="(/spam/report)".*?</form>', page, re.S)
    assert form, "a report reader is offered the download"
    month = re.search(r'name="month" value="(\d{4}-\d{2})"', form.group(0))
    assert month and month.group(1) == "2026-08"  # the test clock stands in September 2026
    assert 'value="xlsx"' in form.group(0) and 'value="pdf"' in form.group(0)
    xlsx = lead.get(form.group(1), params={"month": month.group(1), "format": "xlsx"})
    assert xlsx.status_code == 200, xlsx.text[:300]
    assert "attachment" in xlsx.headers["content-disposition"]
    assert xlsx.content[:2] == b"PK"  # a workbook, not an error page
    agent = web_client(server.url, "agent1").get("/spam").text
    assert 'action="/spam/report"' not in agent and "垃圾短信举报" in agent
