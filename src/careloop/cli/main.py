"""`careloop`: serve, load demo data, migrate, and work complaints from the shell.

Errors print one line in the user's language (CARELOOP_LANG=en for English) and exit 1.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from careloop import bootstrap
from careloop.cli.privacy import privacy_app
from careloop.cli.reports import import_app, report_app
from careloop.cli.screenshots import screenshots_command
from careloop.cli.shell import LANG, echo, fail, platform, run, settings
from careloop.cli.shell import now as _now
from careloop.cli.sla import sla_app
from careloop.cli.sla import worker as sla_worker
from careloop.domain import time_bounds
from careloop.domain.errors import DomainError
from careloop.services.access.actors import SYSTEM, Actor, actor_for
from careloop.services.complaints import intake, lifecycle, queries, work_orders
from careloop.services.unit_of_work import UnitOfWork

app = typer.Typer(
    help="CareLoop: closed-loop complaint handling for telecom operators.", no_args_is_help=True
)
complaint_app = typer.Typer(
    help="Create and move complaints through their stages.", no_args_is_help=True
)
work_order_app = typer.Typer(help="A responsible unit's work orders.", no_args_is_help=True)
app.add_typer(complaint_app, name="complaint")
app.add_typer(work_order_app, name="work-order")
app.add_typer(sla_app, name="sla")
app.add_typer(report_app, name="report")
app.add_typer(import_app, name="import")
app.add_typer(privacy_app, name="privacy")
app.command("worker")(sla_worker)
app.command("screenshots")(screenshots_command)

AsUser = Annotated[str, typer.Option("--as", help="Username of the member of staff acting")]
Version = Annotated[int, typer.Option(help="The version you read (optimistic lock)")]


def _summary(uow: UnitOfWork, complaint_id: int) -> dict[str, Any]:
    uow.expire_all()
    # The shell has the database itself: the CLI reads the whole tree (SYSTEM scope).
    c = queries.get_complaint(uow, complaint_id, SYSTEM)
    return {
        "id": c.id,
        "number": c.number,
        "version": c.version,
        "status": c.status,
        "category": c.category,
        "first_owner": c.first_owner.username,
        "reply_due_at": c.reply_due_at,
        "is_repeat": c.is_repeat,
        "work_orders": [
            {
                "id": w.id,
                "seq": w.seq,
                "unit": w.unit.code,
                "status": w.status,
                "version": w.version,
                "due_at": w.due_at,
            }
            for w in c.work_orders
        ],
    }


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    shared = platform()
    bootstrap.migrate(shared)
    typer.echo(f"schema up to date: {bootstrap.redacted(shared.database_url)}")


@app.command()
def demo(
    count: Annotated[int, typer.Option(help="Complaints to generate", min=1)] = 3000,
    days: Annotated[int, typer.Option(help="Days of history", min=1, max=3650)] = 90,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data")] = 20261123,
    if_empty: Annotated[bool, typer.Option(help="Only load into an empty database")] = False,
) -> None:
    """Generate a realistic province with complaints and load it through the services."""
    from careloop.demo.load import load_demo

    shared = platform()
    bootstrap.migrate(shared)
    result = load_demo(
        shared.session_factory,
        count=count,
        days=days,
        seed=seed,
        end=_now(),
        only_if_empty=if_empty,
        progress=lambda msg: typer.echo(msg),
    )
    typer.echo(result)


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


@app.command()
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
    typer.echo(f"CareLoop on {bootstrap.redacted(config.database_url)}")
    base = f"http://{host}:{port}"
    typer.echo(f"Open {base}/  (the workbench: log in as a member of staff)")
    typer.echo(f"API explorer {base}/docs  (API: {base}/api/v1/complaints)")
    if workers > 1:
        # The forms' anti-forgery tokens must verify in whichever process gets the post:
        # without a configured key, the processes share one made for this run.
        os.environ.setdefault("CARELOOP_SECRET_KEY", secrets.token_hex(32))
        # Each worker process builds its own app from the same environment (an app factory:
        # uvicorn forks before the app, its engine and its rate limiter exist).
        uvicorn.run("careloop.api.app:create_app", factory=True, **options)
        return
    uvicorn.run(create_app(config), **options)


@app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="Staff username")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="CARELOOP_NEW_PASSWORD",
            help="New password (prompted; or CARELOOP_NEW_PASSWORD)",
        ),
    ],
) -> None:
    """Set a member of staff's password; unlocks the account and ends their sessions."""
    from careloop.services.access import auth

    run(lambda uow: auth.set_password(uow, username, password, _now()))
    typer.echo(f"password set for {username}")


@app.command()
def unlock(username: Annotated[str, typer.Argument(help="Staff username")]) -> None:
    """Lift a username's login back-off locks from every address (an audited event)."""
    from careloop.services.access import auth

    cleared = run(lambda uow: auth.unlock(uow, username, _now(), by="cli"))
    typer.echo(f"unlocked {username} ({cleared} address(es) cleared)")


@app.command()
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


# --- complaints ------------------------------------------------------------------------


@complaint_app.command("create")
def complaint_create(
    as_user: AsUser,
    phone: Annotated[str, typer.Option(help="Customer phone")],
    category: Annotated[str, typer.Option(help="Second-level category code")],
    region: Annotated[str, typer.Option(help="City or county code")],
    text: Annotated[str, typer.Option(help="The complaint in the customer's words")],
    channel: Annotated[str, typer.Option()] = "hotline",
    product: Annotated[str, typer.Option()] = "mobile",
    name: Annotated[str | None, typer.Option(help="Customer name")] = None,
    tier: Annotated[str, typer.Option()] = "standard",
    priority: Annotated[str, typer.Option()] = "normal",
    source_ref: Annotated[str | None, typer.Option(help="Call id, regulator case no.")] = None,
    escalated: Annotated[bool, typer.Option(help="越级 complaint")] = False,
    key: Annotated[str | None, typer.Option(help="Idempotency key")] = None,
) -> None:
    """Accept a complaint (受理); you become its first-question owner."""
    draft = intake.NewComplaint(
        channel=channel,
        customer_phone=phone,
        category=category,
        description=text,
        region_code=region,
        product=product,
        customer_name=name,
        customer_tier=tier,
        priority=priority,
        source_ref=source_ref,
        escalated=escalated,
    )

    def action(uow: UnitOfWork) -> None:
        result = intake.accept_complaint(uow, draft, actor_for(uow, as_user), _now(), key)
        summary = _summary(uow, result.complaint.id)
        summary["created"] = result.created
        echo(summary)

    run(action)


@complaint_app.command("import")
def complaint_import(
    file: Annotated[
        Path, typer.Argument(help=".csv or .xlsx; first row: column names (docs/api.md)")
    ],
    as_user: AsUser,
    channel: Annotated[str, typer.Option(help="Channel for rows without one")] = "hotline",
) -> None:
    """Accept complaints from a spreadsheet (bulk intake); prints a line per row.

    Re-running an import creates nothing again: each row's idempotency key is its `key`
    column, or the file name and row number. Exit code 1 if any row failed.
    """
    from careloop.services.complaints.intake_import import import_file

    if not file.is_file():
        typer.echo(f"error: no such file {file}", err=True)
        raise typer.Exit(1)
    shared = platform()
    try:
        with shared.unit_of_work() as uow:
            actor = actor_for(uow, as_user)
        rows = import_file(shared.unit_of_work, file, actor, _now(), channel)
    except DomainError as exc:
        fail(exc)
    counts = {"created": 0, "replayed": 0, "error": 0}
    for row in rows:
        result = row.result
        counts[result.outcome] += 1
        if result.complaint is not None:
            c = result.complaint
            typer.echo(f"row {row.row}\t{result.outcome}\t{c.number}\tid={c.id}\tkey={row.key}")
        elif result.error is not None:
            where = f" {result.error.field}:" if result.error.field else ""
            typer.echo(
                f"row {row.row}\terror\t[{result.error.code}]{where} "
                f"{result.error.message(LANG)}\tkey={row.key}"
            )
    typer.echo(
        f"created {counts['created']}, replayed {counts['replayed']}, errors {counts['error']}"
    )
    if counts["error"]:
        raise typer.Exit(1)


@complaint_app.command("show")
def complaint_show(complaint_id: int, events: bool = False) -> None:
    """Show a complaint (and with --events its audit trail)."""

    def action(uow: UnitOfWork) -> None:
        summary = _summary(uow, complaint_id)
        if events:
            summary["events"] = [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "before": e.before,
                    "after": e.after,
                    "note": e.note,
                }
                for e in queries.events_of(uow, complaint_id, SYSTEM)
            ]
        echo(summary)

    run(action)


@complaint_app.command("list")
def complaint_list(
    status: Annotated[list[str] | None, typer.Option(help="Status (repeatable)")] = None,
    category: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
) -> None:
    """List complaints, newest first, with the total count."""

    def action(uow: UnitOfWork) -> None:
        page = queries.list_complaints(
            uow,
            queries.ComplaintFilter(status=status or [], category=category, region=region),
            limit,
            0,
            actor=SYSTEM,
        )
        typer.echo(f"total: {page.total}")
        for c in page.items:
            typer.echo(
                f"{c.id}\t{c.number}\t{c.status}\t{c.category}\t{c.accepted_at:%Y-%m-%d %H:%M}"
            )

    run(action)


def _do(complaint_id: int, as_user: str, call: Callable[[UnitOfWork, Actor], object]) -> None:
    def action(uow: UnitOfWork) -> None:
        call(uow, actor_for(uow, as_user))
        echo(_summary(uow, complaint_id))

    run(action)


@complaint_app.command("handle")
def complaint_handle(complaint_id: int, as_user: AsUser, version: Version) -> None:
    """Start handling (处理)."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.handle(uow, complaint_id, a, version, _now()),
    )


@complaint_app.command("dispatch")
def complaint_dispatch(
    complaint_id: int,
    as_user: AsUser,
    version: Version,
    unit: Annotated[str, typer.Option(help="Responsible unit code")],
    due_hours: Annotated[float | None, typer.Option(help="Hours allowed (default 48)")] = None,
    instructions: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Dispatch to a responsible unit (派单)."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: work_orders.dispatch(
            uow, complaint_id, a, version, _now(), unit, instructions, None, due_hours
        ),
    )


@complaint_app.command("pause")
def complaint_pause(
    complaint_id: int, as_user: AsUser, version: Version, reason: Annotated[str, typer.Option()]
) -> None:
    """Wait on the customer; the reply clock pauses."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.pause(uow, complaint_id, a, version, _now(), reason),
    )


@complaint_app.command("resume")
def complaint_resume(complaint_id: int, as_user: AsUser, version: Version) -> None:
    """Resume handling."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.resume(uow, complaint_id, a, version, _now()),
    )


@complaint_app.command("reply")
def complaint_reply(
    complaint_id: int, as_user: AsUser, version: Version, text: Annotated[str, typer.Option()]
) -> None:
    """Reply to the customer (答复)."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.reply(uow, complaint_id, a, version, _now(), text),
    )


@complaint_app.command("callback")
def complaint_callback(
    complaint_id: int,
    as_user: AsUser,
    version: Version,
    satisfied: Annotated[bool, typer.Option("--satisfied/--dissatisfied")],
    comment: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record the callback (回访); --dissatisfied reopens the complaint."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.callback(
            uow, complaint_id, a, version, _now(), satisfied, comment
        ),
    )


@complaint_app.command("archive")
def complaint_archive(complaint_id: int, as_user: AsUser, version: Version) -> None:
    """Archive a closed complaint (归档)."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.archive(uow, complaint_id, a, version, _now()),
    )


@complaint_app.command("cancel")
def complaint_cancel(
    complaint_id: int, as_user: AsUser, version: Version, reason: Annotated[str, typer.Option()]
) -> None:
    """Cancel: the customer withdrew."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.cancel(uow, complaint_id, a, version, _now(), reason),
    )


@complaint_app.command("reject")
def complaint_reject(
    complaint_id: int, as_user: AsUser, version: Version, reason: Annotated[str, typer.Option()]
) -> None:
    """Reject: not a complaint (不予受理)."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.reject(uow, complaint_id, a, version, _now(), reason),
    )


@complaint_app.command("merge")
def complaint_merge(
    complaint_id: int,
    as_user: AsUser,
    version: Version,
    into: Annotated[int, typer.Option(help="Complaint that carries on")],
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Merge into another complaint."""
    _do(
        complaint_id,
        as_user,
        lambda uow, a: lifecycle.merge(uow, complaint_id, a, version, _now(), into, reason),
    )


@complaint_app.command("note")
def complaint_note(
    complaint_id: int, as_user: AsUser, text: Annotated[str, typer.Option()]
) -> None:
    """Add an internal note."""
    _do(
        complaint_id, as_user, lambda uow, a: lifecycle.add_note(uow, complaint_id, a, _now(), text)
    )


# --- work orders ------------------------------------------------------------------------


def _wo(work_order_id: int, as_user: str, call: Callable[[UnitOfWork, Actor], object]) -> None:
    def action(uow: UnitOfWork) -> None:
        call(uow, actor_for(uow, as_user))
        order = work_orders.load_work_order(uow, work_order_id, SYSTEM)
        echo(_summary(uow, order.complaint_id))

    run(action)


@work_order_app.command("accept")
def work_order_accept(work_order_id: int, as_user: AsUser, version: Version) -> None:
    """The unit accepts the work order (接单)."""
    _wo(
        work_order_id,
        as_user,
        lambda uow, a: work_orders.accept(uow, work_order_id, a, version, _now()),
    )


@work_order_app.command("complete")
def work_order_complete(
    work_order_id: int, as_user: AsUser, version: Version, result: Annotated[str, typer.Option()]
) -> None:
    """The unit completes the work order (办结)."""
    _wo(
        work_order_id,
        as_user,
        lambda uow, a: work_orders.complete(uow, work_order_id, a, version, _now(), result),
    )


@work_order_app.command("return")
def work_order_return(
    work_order_id: int, as_user: AsUser, version: Version, reason: Annotated[str, typer.Option()]
) -> None:
    """The unit returns the work order with a reason (退单)."""
    _wo(
        work_order_id,
        as_user,
        lambda uow, a: work_orders.return_to_owner(uow, work_order_id, a, version, _now(), reason),
    )


@work_order_app.command("transfer")
def work_order_transfer(
    work_order_id: int,
    as_user: AsUser,
    version: Version,
    unit: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option()],
) -> None:
    """Transfer the work order to another unit (转派)."""
    _wo(
        work_order_id,
        as_user,
        lambda uow, a: work_orders.transfer(uow, work_order_id, a, version, _now(), unit, reason),
    )


counts_app = typer.Typer(
    help="The early warning's pre-aggregated daily counts.", no_args_is_help=True
)
app.add_typer(counts_app, name="counts")


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return time_bounds.parse_day(name, value)  # the one rule for outside times
    except DomainError as exc:
        fail(exc)


@counts_app.command("rebuild")
def counts_rebuild(
    from_: Annotated[str | None, typer.Option("--from", help="First local day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last local day (YYYY-MM-DD)")] = None,
) -> None:
    """Count days again after history was loaded by SQL (past the services).

    Without dates every day is forgotten and the early warning's window (the 35 days ending
    yesterday) counted again; with dates, the days between them are (a missing --from
    forgets from the first day and counts from the window's first; a missing --to, up to
    yesterday). Days not counted here are counted by the next report that reads them.
    """
    from careloop.services.monitoring import daily_counts, early_warning

    first, last = _date_option(from_, "--from"), _date_option(to, "--to")
    now = _now()
    yesterday = now.astimezone(daily_counts.LOCAL_TZ).date() - timedelta(days=1)
    window_first = yesterday - timedelta(days=early_warning.WINDOW_LENGTH - 1)
    recount = (first or window_first, last or yesterday)
    run(lambda uow: echo(daily_counts.rebuild(uow, first, last, recount, now)))


def main() -> None:  # pragma: no cover - console entry
    app()
