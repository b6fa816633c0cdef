"""The reports show complaint text masked, whatever the format, and survive any stored text.

The daily report lists the complaints behind each early-warning flag with their text, in
which customers dictate phone, ID and card numbers. A report is masked by default for every
reader (the regulator's inspector included, in HTML, XLSX and PDF); supervisors and
administrators may ask for it unmasked, and that read is a security event naming the
complaints. Text stored with formulas, control and invisible characters renders in every
format (no 500) and never as a live formula.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import SecurityEvent
from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, create
from tests.integration.privacy.hostile import (
    PERSONAL,
    SPACED_PHONE,
    hostile_text,
    leaked,
    store_text,
)

DAY = "2026-09-28"  # the test clock's day (Asia/Shanghai)
BURST = 6
"""Complaints in one cell on one day against an empty baseline: one early-warning flag."""


def _burst(api: Api, database_url: str) -> list[int]:
    agent = api.as_("agent1")
    ids = [
        create(agent, customer={"phone": f"1390000{i:04d}"}, description=PERSONAL)["id"]
        for i in range(BURST)
    ]
    store_text(database_url, ids[0], description=hostile_text(database_url) + " " + PERSONAL)
    return ids


def _text_of(fmt: str, body: bytes, tmp_path: Path) -> str:
    if fmt == "html":
        return body.decode("utf-8")
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(body))
        return "\n".join(
            str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
        )
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: apt-get install -y poppler-utils")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(body)
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _security_events(database_url: str, kind: str) -> list[SecurityEvent]:
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            rows = uow.session.scalars(
                select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)
            )
            found = list(rows)
            uow.session.expunge_all()
            return found
    finally:
        engine.dispose()


def test_inspectors_daily_report_is_masked_in_html_xlsx_and_pdf(
    api: Api, database_url: str, tmp_path: Path
):
    _burst(api, database_url)
    with api.as_("inspector") as inspector:
        for fmt in ("html", "xlsx", "pdf"):
            response = inspector.get("/api/v1/reports/daily", params={"date": DAY, "format": fmt})
            assert response.status_code == 200, (fmt, response.text[:300])
            assert response.headers["X-Personal-Data"] == "masked"
            text = _text_of(fmt, response.content, tmp_path)
            assert "139****4321" in text, fmt  # the flag's complaints are there, masked
            assert leaked(text) == [], fmt


def test_report_xlsx_holds_no_live_formula_and_every_format_survives_stored_control_text(
    api: Api, database_url: str, tmp_path: Path
):
    _burst(api, database_url)
    with api.as_("super1") as supervisor:
        for fmt in ("html", "xlsx", "pdf"):
            for personal_data in ("masked", "unmasked"):
                response = supervisor.get(
                    "/api/v1/reports/daily",
                    params={"date": DAY, "format": fmt, "personal_data": personal_data},
                )
                assert response.status_code == 200, (fmt, personal_data, response.text[:300])
                if fmt != "xlsx":
                    continue
                sheet = load_workbook(io.BytesIO(response.content))["warning_complaints"]
                cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
                assert all(c.data_type != "f" for c in cells)
                texts = [str(c.value) for c in cells if isinstance(c.value, str)]
                assert any(t.startswith("'=HYPERLINK") for t in texts), texts
                assert not any(ch in t for t in texts for ch in "\x01\x0b\x1b\u200b\u202e")


def test_only_supervisors_and_admins_get_an_unmasked_report_and_the_read_is_audited(
    api: Api, database_url: str, tmp_path: Path
):
    ids = _burst(api, database_url)
    for user in ("inspector", "lead1"):
        response = api.as_(user).get(
            "/api/v1/reports/daily", params={"date": DAY, "personal_data": "unmasked"}
        )
        assert_problem(response, 403, "role_not_allowed")
    assert _security_events(database_url, "personal_data_read") == []

    masked = api.as_("super1").get("/api/v1/reports/daily", params={"date": DAY})
    assert leaked(masked.text) == []
    assert _security_events(database_url, "personal_data_read") == []

    unmasked = api.as_("super1").get(
        "/api/v1/reports/daily", params={"date": DAY, "personal_data": "unmasked"}
    )
    assert unmasked.status_code == 200
    assert unmasked.headers["X-Personal-Data"] == "unmasked"
    assert SPACED_PHONE in unmasked.text
    (event,) = _security_events(database_url, "personal_data_read")
    assert event.username == "super1"
    assert event.detail is not None
    assert event.detail["via"] == "api" and event.detail["report"] == "daily"
    assert event.detail["complaints"] == sorted(ids)


def test_report_command_is_masked_unless_an_allowed_reader_asks_and_is_audited(
    api: Api, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from careloop.cli import app as cli

    ids = _burst(api, database_url)
    monkeypatch.setenv("CARELOOP_DATABASE_URL", database_url)
    runner = CliRunner()
    args = ["report", "daily", "--date", DAY, "--out"]

    result = runner.invoke(cli, [*args, str(tmp_path / "plain")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "plain" / f"careloop-daily-{DAY}.html").read_text(encoding="utf-8")
    assert "139****4321" in html and leaked(html) == []

    refused = runner.invoke(cli, [*args, str(tmp_path / "x"), "--unmasked", "--as", "inspector"])
    assert refused.exit_code == 1
    assert not (tmp_path / "x").exists()
    anonymous = runner.invoke(cli, [*args, str(tmp_path / "y"), "--unmasked"])
    assert anonymous.exit_code == 1
    assert _security_events(database_url, "personal_data_read") == []

    result = runner.invoke(cli, [*args, str(tmp_path / "full"), "--unmasked", "--as", "admin"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "full" / f"careloop-daily-{DAY}.html").read_text(encoding="utf-8")
    assert SPACED_PHONE in html
    (event,) = _security_events(database_url, "personal_data_read")
    assert event.username == "admin" and event.detail is not None
    assert event.detail["via"] == "cli" and event.detail["complaints"] == sorted(ids)
    assert sorted(event.detail["formats"]) == ["html", "pdf", "xlsx"]
