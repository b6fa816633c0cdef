"""Optional OpenTelemetry traces: on only when the ``otel`` extra is installed and
``CARELOOP_OTEL_ENDPOINT`` names an OTLP/HTTP collector (``http://collector:4318``).

Spans for every request (by route template) and every SQL statement (its text, never its
parameters: those carry phone numbers). The probes and ``/metrics`` are left out: a span
per scrape would drown the traces that matter.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger("careloop.tracing")

ENDPOINT_ENV = "CARELOOP_OTEL_ENDPOINT"
SERVICE_ENV = "CARELOOP_OTEL_SERVICE_NAME"
EXCLUDED = "livez,readyz,healthz,metrics,static"


def install(app: Any) -> bool:
    """Instrument ``app`` if configured and installed; True if traces are on."""
    endpoint = os.environ.get(ENDPOINT_ENV, "").strip()
    if not endpoint:
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("%s is set but the otel extra is not installed: pip install 'careloop[otel]'",
                    ENDPOINT_ENV)  # fmt: skip
        return False
    name = os.environ.get(SERVICE_ENV, "careloop")
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED)
    SQLAlchemyInstrumentor().instrument(
        engine=app.state.platform.engine, tracer_provider=provider, enable_commenter=False
    )
    return True
