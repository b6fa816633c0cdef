"""What the operator's tools ask of a running process: ``/livez``, ``/readyz``, ``/metrics``.

A channel like the API and the pages (it reads through ``services.observability``, never a
session of its own), mounted on the same app by :func:`install`. docs/operations.md lists
the probes, the metric names, the multiprocess set-up and the optional OpenTelemetry extra.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from careloop.observability import metrics, probes, tracing


def install(app: FastAPI, clock: Callable[[], datetime]) -> None:
    """Mount the probes and ``/metrics``, time every request, and trace if configured.

    Call after the app's other middleware: the request timer wraps the whole stack, so a
    500 from the error middleware is timed and counted too."""
    app.include_router(probes.router)
    app.include_router(metrics.router)
    metrics.install(app, clock)
    tracing.install(app)
