"""GET /api/v1/reports/{kind}: the same reports as downloads, for those allowed to read them."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def test_supervisor_downloads_each_format_and_an_agent_may_not(api):  # type: ignore[no-untyped-def]
    with api.as_("super1") as client:
        for fmt, media in (("html", "text/html"), ("xlsx", "spreadsheetml"), ("pdf", "pdf")):
            r = client.get("/api/v1/reports/daily", params={"date": "2026-09-27", "format": fmt})
            assert r.status_code == 200, r.text
            assert media in r.headers["content-type"]
        book = load_workbook(io.BytesIO(r.content if fmt == "xlsx" else client.get(
            "/api/v1/reports/monthly", params={"date": "2026-09-27", "format": "xlsx"}
        ).content))  # fmt: skip
        assert "indicators" in book.sheetnames
    with api.as_("agent1") as client:
        r = client.get("/api/v1/reports/daily", params={"date": "2026-09-27"})
        assert r.status_code == 403
