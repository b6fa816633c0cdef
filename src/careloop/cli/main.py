"""`careloop`: serve, load demo data, migrate, and work complaints from the shell.

One Typer app; each context's commands live in their own module. Errors print one line in
the user's language (CARELOOP_LANG=en for English) and exit 1; a setting that does not parse
(docs/settings.md) prints one line naming it and exits 2.
"""

from __future__ import annotations

import typer

from careloop import logs
from careloop.cli.accountability import accountability_app
from careloop.cli.complaints import complaint_app
from careloop.cli.counts import counts_app
from careloop.cli.csi import csi_app
from careloop.cli.database import demo, migrate
from careloop.cli.incidents import incidents_app
from careloop.cli.inspections import inspections_app
from careloop.cli.org import set_area
from careloop.cli.privacy import privacy_app
from careloop.cli.rectification import rectification_app
from careloop.cli.reply_templates import templates_app
from careloop.cli.reports import import_app, report_app
from careloop.cli.screenshots import screenshots_command
from careloop.cli.server import serve, up
from careloop.cli.sla import sla_app, worker
from careloop.cli.spam import spam_app
from careloop.cli.staff import set_password, unlock
from careloop.cli.surveys import surveys_app
from careloop.cli.work_orders import work_order_app
from careloop.config import Settings, SettingsError

app = typer.Typer(
    help="CareLoop: closed-loop complaint handling for telecom operators.", no_args_is_help=True
)


@app.callback()
def _logging(ctx: typer.Context) -> None:
    # Every command logs through the one masking set-up (careloop.logs), to stderr: the
    # server and the worker at INFO, a one-shot command (its answer one line) at WARNING,
    # unless CARELOOP_LOG_LEVEL says otherwise. `up` loads the demo first like `demo` (a
    # replay of thousands of closed complaints is no log), then `serve` hands uvicorn its
    # own configuration at INFO.
    long_running = ctx.invoked_subcommand in ("serve", "worker")
    # Settings are read once here, before any command: a value that does not parse is one
    # line naming the variable, and exit 2 (a usage error, as Click's own), not a traceback.
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    logs.configure(settings, default_level="INFO" if long_running else "WARNING")


# `--help` lists commands in this order, then the sub-apps.
app.command("worker")(worker)
app.command("screenshots")(screenshots_command)
app.command("migrate")(migrate)
app.command("demo")(demo)
app.command("serve")(serve)
app.command("set-password")(set_password)
app.command("unlock")(unlock)
app.command("set-area")(set_area)
app.command("up")(up)
app.add_typer(complaint_app, name="complaint")
app.add_typer(work_order_app, name="work-order")
app.add_typer(sla_app, name="sla")
app.add_typer(report_app, name="report")
app.add_typer(import_app, name="import")
app.add_typer(privacy_app, name="privacy")
app.add_typer(counts_app, name="counts")
app.add_typer(incidents_app, name="incidents")
app.add_typer(templates_app, name="templates")
app.add_typer(surveys_app, name="surveys")
app.add_typer(csi_app, name="csi")
app.add_typer(spam_app, name="spam")
app.add_typer(inspections_app, name="inspections")
app.add_typer(accountability_app, name="accountability")
app.add_typer(rectification_app, name="rectification")


def main() -> None:  # pragma: no cover - console entry
    app()
