"""The optional traces (the ``otel`` extra): one span per request, named by route template
and joined to the caller's trace. Skipped where the extra is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.observability import tracing
from tests.conftest import LiveServer

memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
CALLER = "0af7651916cd43dd8448eb211c80319c"


def test_a_request_becomes_one_span_named_by_its_route_template(
    tmp_path: Path, sqlite_template: Path
):
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    app = create_app(Settings(database_url=f"sqlite:///{target}"))
    spans = memory.InMemorySpanExporter()
    assert tracing.install(app, exporter=spans)
    try:
        with LiveServer(app) as server:
            parent = {"traceparent": f"00-{CALLER}-b7ad6b7169203331-01"}
            httpx.get(f"{server.url}/api/v1/complaints/13800001111", headers=parent)
            httpx.get(f"{server.url}/livez")  # probes are not traced
    finally:
        app.state.engine.dispose()
    (span,) = spans.get_finished_spans()
    assert span.name == "GET /api/v1/complaints/{complaint_id}"
    assert format(span.context.trace_id, "032x") == CALLER
    assert span.attributes["http.response.status_code"] == 401
    assert "13800001111" not in str(dict(span.attributes))
