"""The complaint export: robust to any stored text, masked by role, audited only when done."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import SecurityEvent
from tests.conftest import Api
from tests.integration.api.helpers import create
from tests.integration.privacy.hostile import PERSONAL, hostile_text, leaked, store_text


def security_events(database_url: str, *kinds: str) -> list[tuple[str, str, dict]]:
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            rows = uow.session.scalars(
                select(SecurityEvent)
                .where(SecurityEvent.kind.in_(kinds))
                .order_by(SecurityEvent.id)
            )
            return [(e.kind, e.username, e.detail or {}) for e in rows]
    finally:
        engine.dispose()


def _stored_hostile(api: Api, database_url: str) -> list[int]:
    agent = api.as_("agent1")
    ids = [create(agent, description=PERSONAL)["id"] for _ in range(2)]
    store_text(database_url, ids[0], description=hostile_text(database_url) + PERSONAL)
    return ids


def test_export_of_stored_control_and_formula_text_succeeds_inert_in_csv_and_xlsx(
    api: Api, database_url: str
):
    _stored_hostile(api, database_url)
    for user in ("agent1", "super1"):
        client = api.as_(user)
        csv_answer = client.get("/api/v1/complaints/export", params={"format": "csv"})
        assert csv_answer.status_code == 200, csv_answer.text
        rows = list(csv.reader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
        descriptions = [r[-1] for r in rows[1:]]
        assert any(d.startswith("'=HYPERLINK") for d in descriptions), descriptions
        assert not any(ch in d for d in descriptions for ch in "\x00\x01\x1b\u200b\u202e")

        xlsx_answer = client.get("/api/v1/complaints/export", params={"format": "xlsx"})
        assert xlsx_answer.status_code == 200, xlsx_answer.text
        sheet = load_workbook(io.BytesIO(xlsx_answer.content)).active
        assert sheet is not None
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
        assert all(c.data_type != "f" for c in cells)
        if user == "agent1":
            assert leaked(csv_answer.text) == []
    assert [(k, u) for k, u, _ in security_events(database_url, "export", "export_failed")] == [
        ("export", "agent1"),
        ("export", "agent1"),
        ("export", "super1"),
        ("export", "super1"),
    ]


def test_a_failed_export_is_audited_as_failed_never_as_done(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    from careloop.services.complaints import exports

    create(api.as_("agent1"))

    def broken(*args: object) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "_render", broken)
    answer = api.as_("super1").get("/api/v1/complaints/export", params={"format": "xlsx"})
    assert answer.status_code == 500
    assert "disk full" not in answer.text
    events = security_events(database_url, "export", "export_failed")
    assert [(k, u) for k, u, _ in events] == [("export_failed", "super1")]
    assert events[0][2]["error"] == "RuntimeError"


def test_an_unmasked_export_names_the_complaints_it_carried(api: Api, database_url: str):
    ids = _stored_hostile(api, database_url)
    assert api.as_("agent1").get("/api/v1/complaints/export").headers["X-Personal-Data"] == (
        "masked"
    )
    assert api.as_("super1").get("/api/v1/complaints/export").headers["X-Personal-Data"] == (
        "unmasked"
    )
    (agent, supervisor) = security_events(database_url, "export")
    assert agent[2]["masked"] is True and "complaints" not in agent[2]
    assert supervisor[2]["masked"] is False and supervisor[2]["complaints"] == sorted(ids)
