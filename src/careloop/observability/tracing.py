"""Optional OpenTelemetry traces: on only when the ``otel`` extra is installed and
``CARELOOP_OTEL_ENDPOINT`` names an OTLP/HTTP collector (``http://collector:4318``).

One server span per request, named by method and route *template* (the same label as the
request histogram: no id or phone number in a span name), joined to the caller's trace by
its ``traceparent`` header. The probes and ``/metrics`` are left out: a span per scrape
would drown the traces that matter. Only the SDK and the exporter are needed (no
instrumentation packages), so the extra stays two pins.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careloop.api.security_headers import wrap_outermost
from careloop.config import Settings

log = logging.getLogger("careloop.tracing")

ENDPOINT_ENV = "CARELOOP_OTEL_ENDPOINT"
UNTRACED = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})


class RequestSpans:
    """A server span around each HTTP request (a plain ASGI middleware)."""

    def __init__(self, app: ASGIApp, tracer: Any) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNTRACED:
            await self.app(scope, receive, send)
            return
        from opentelemetry import propagate, trace

        from careloop.observability.metrics import route_label

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with self.tracer.start_as_current_span(
            scope["method"], context=propagate.extract(carrier), kind=trace.SpanKind.SERVER
        ) as span:
            try:
                await self.app(scope, receive, send_and_note)
            finally:
                route = route_label(scope)
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.request.method", scope["method"])
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(trace.Status(trace.StatusCode.ERROR))


def install(app: Any, exporter: Any = None) -> bool:
    """Trace ``app`` if its settings name a collector (``otel_endpoint``; or if handed an
    ``exporter``: the tests' in-memory one) and the extra is installed; True if traces are on."""
    settings: Settings = getattr(app.state, "settings", None) or Settings.from_env()
    endpoint = settings.otel_endpoint.strip()
    if not endpoint and exporter is None:
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        log.warning("%s is set but the otel extra is not installed: pip install 'careloop[otel]'",
                    ENDPOINT_ENV)  # fmt: skip
        return False
    name = settings.otel_service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("careloop")
    wrap_outermost(app, lambda inner: RequestSpans(inner, tracer))
    return True
