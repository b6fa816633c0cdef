"""`careloop serve` and `careloop up`: the API and the pages under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from careloop import bootstrap, logs
from careloop.cli.database import demo, migrate
from careloop.cli.shell import settings

SERVER_LIMITS = {
    "timeout_keep_alive": 5,
    "limit_concurrency": 1000,
    "h11_max_incomplete_event_size": 16 * 1024,
    "server_header": False,
}
"""uvicorn's own defences, per process. An idle keep-alive connection is closed after 5 s;
past 1 000 open connections and requests the process answers 503 at once instead of
queueing without bound; the ``Server`` header does not name the software. uvicorn has no
header or body read timeout, and its fast parser (httptools, issue 7) no header size limit
(the h11 one applies only with ``--http h11``): the reverse proxy in front provides those
(docs/security.md, production topology)."""


def server_options(
    host: str,
    port: int,
    workers: int,
    limit_concurrency: int,
    timeout_keep_alive: int,
    forwarded_allow_ips: str | None = None,
) -> dict[str, Any]:
    """What `careloop serve` hands uvicorn.run (besides the app)."""
    return {
        **SERVER_LIMITS,
        "host": host,
        "port": port,
        "limit_concurrency": limit_concurrency,
        "timeout_keep_alive": timeout_keep_alive,
        "log_level": "info",
        **({"workers": workers} if workers > 1 else {}),
        **({"forwarded_allow_ips": forwarded_allow_ips} if forwarded_allow_ips else {}),
    }


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes (PostgreSQL; rate limits are per process: see docs/security.md)",
        ),
    ] = 1,
    limit_concurrency: Annotated[
        int,
        typer.Option(min=1, help="Open connections and requests per process before 503"),
    ] = int(SERVER_LIMITS["limit_concurrency"]),
    timeout_keep_alive: Annotated[
        int, typer.Option(min=1, help="Seconds an idle keep-alive connection stays open")
    ] = int(SERVER_LIMITS["timeout_keep_alive"]),
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Reverse proxies (comma-separated addresses) whose X-Forwarded-For and "
            "-Proto are believed (default: 127.0.0.1)"
        ),
    ] = None,
) -> None:
    """Serve the API (and the web pages) with uvicorn."""
    import secrets

    import uvicorn

    from careloop.api.app import create_app

    config = settings()
    host = host or config.host
    port = port or config.port
    options = server_options(
        host, port, workers, limit_concurrency, timeout_keep_alive, forwarded_allow_ips
    )
    # uvicorn applies it in each worker process: its access and error lines are masked and
    # written in CARELOOP_LOG_FORMAT like ours.
    log_config = logs.dict_config(config)
    typer.echo(f"CareLoop on {bootstrap.redacted(config.database_url)}")
    base = f"http://{host}:{port}"
    typer.echo(f"Open {base}/  (the workbench: log in as a member of staff)")
    typer.echo(f"API explorer {base}/docs  (API: {base}/api/v1/complaints)")
    if workers > 1:
        # The forms' anti-forgery tokens must verify in whichever process gets the post:
        # without a configured key (environment, .env or careloop.toml), the processes share
        # one made for this run, handed down in the environment their Settings read first.
        if not config.secret_key:
            os.environ["CARELOOP_SECRET_KEY"] = secrets.token_hex(32)
        # Each worker counts its requests in files of one shared directory; /metrics, in
        # whichever worker it lands, sums them all (prometheus_client's multiprocess mode).
        from careloop.observability.metrics import prepare_multiprocess

        prepare_multiprocess(workers)
        # Each worker process builds its own app from the same environment (an app factory:
        # uvicorn forks before the app, its engine and its rate limiter exist).
        uvicorn.run("careloop.api.app:create_app", factory=True, log_config=log_config, **options)
        return
    uvicorn.run(create_app(config), log_config=log_config, **options)


def up(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Migrate, load the demo data if the database is empty, and serve: the quick start."""
    migrate()
    demo(count=3000, days=90, seed=20261123, if_empty=True)
    typer.echo(
        "Demo staff, password careloop-demo: hz_agent1 (hotline agent), hz_xh_net (back "
        "office), supervisor1 (quality supervisor), admin, inspector (regulator, read-only)"
    )
    serve(host=host, port=port)
