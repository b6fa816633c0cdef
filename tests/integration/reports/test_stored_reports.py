"""A closed period's report is made once and served from storage; a supervisor may have it
made again (audited), nobody else; the running day's report is always made afresh."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from careloop.store.models import SecurityEvent


def test_a_closed_day_is_made_once_and_remade_only_by_a_supervisor(api, database_url):  # type: ignore[no-untyped-def]
    params = {"date": "2026-09-27", "format": "html"}
    with api.as_("super1") as client:
        first = client.get("/api/v1/reports/daily", params=params)
        assert first.status_code == 200, first.text
        assert first.headers["X-Report-Stored"] == "false"
        again = client.get("/api/v1/reports/daily", params=params)
        assert again.headers["X-Report-Stored"] == "true"
        assert again.content == first.content
        assert again.headers["X-Report-Generated"] == first.headers["X-Report-Generated"]
        remade = client.get("/api/v1/reports/daily", params={**params, "regenerate": "true"})
        assert remade.status_code == 200
        assert remade.headers["X-Report-Stored"] == "false"
        today = client.get("/api/v1/reports/daily", params={**params, "date": "2026-09-28"})
        assert today.headers["X-Report-Stored"] == "false"
        today_again = client.get("/api/v1/reports/daily", params={**params, "date": "2026-09-28"})
        assert today_again.headers["X-Report-Stored"] == "false"  # the running day moves
    with api.as_("lead1") as client:
        stored = client.get("/api/v1/reports/daily", params=params)
        assert stored.status_code == 200  # lead1's scope (C1) is a report of its own
        refused = client.get("/api/v1/reports/daily", params={**params, "regenerate": "true"})
        assert refused.status_code == 403
    engine = create_engine(database_url)
    with engine.connect() as db:
        kinds = db.scalars(
            select(SecurityEvent.username).where(SecurityEvent.kind == "report_regenerated")
        ).all()
    engine.dispose()
    assert kinds == ["super1"]
