"""`careloop privacy purge`: the retention rule as a command an operator schedules.

Run it daily (cron or a systemd timer, e.g. ``careloop privacy purge --as admin`` at
03:00): each run anonymises what fell due since the last one (``services.retention``),
prints one line per complaint and one summary line, in Chinese or, with CARELOOP_LANG=en,
in English, and is recorded as a security event. It is not part of the SLA rounds of
``careloop worker``: those run every minute, this once a day, and it acts as a named
administrator, not as the system.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from careloop.cli.shell import LANG, fail, platform, settings
from careloop.domain.errors import DomainError, InvalidInput
from careloop.i18n import Translator
from careloop.services.access.actors import actor_for
from careloop.services.privacy import retention

privacy_app = typer.Typer(help="Personal data: the retention rule (PIPL).", no_args_is_help=True)


def _instant(value: str | None) -> datetime:
    """Now, or an earlier instant (to replay a missed day); never a later one, which would
    anonymise complaints before their period is over."""
    wall_clock = datetime.now(UTC)
    if not value:
        return wall_clock
    t = Translator(LANG)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput("--now", t("cli.privacy.needs_offset"))
    if moment > wall_clock + timedelta(minutes=1):
        raise InvalidInput("--now", t("cli.privacy.not_later_than_now"))
    return moment


@privacy_app.command("purge")
def purge_command(
    as_user: Annotated[
        str, typer.Option("--as", help="Username of the administrator running the purge")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be anonymised; change nothing")
    ] = False,
    days: Annotated[
        int | None,
        typer.Option(help="Retention period in days (default: CARELOOP_RETENTION_DAYS, 1095)"),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Complaints per transaction")
    ] = retention.DEFAULT_BATCH_SIZE,
    now: Annotated[
        str | None, typer.Option("--now", help="Evaluate at this ISO instant (default: now)")
    ] = None,
) -> None:
    """Anonymise the personal data of complaints archived longer than the retention period."""
    shared = platform()
    try:
        moment = _instant(now)
        with shared.unit_of_work() as uow:
            actor = actor_for(uow, as_user)
        run = retention.purge(
            shared.unit_of_work,
            actor,
            moment,
            settings().retention_days if days is None else days,
            dry_run=dry_run,
            batch_size=batch_size,
        )
    except DomainError as exc:
        fail(exc)
    t = Translator(LANG)
    for due in run.complaints:
        what = {
            "number": due.number or "-",
            "id": due.id,
            "archived": f"{due.archived_at:%Y-%m-%d}",
        }
        typer.echo(
            t("cli.privacy.would_anonymise", **what)
            if dry_run
            else t("cli.privacy.anonymised", **what)
        )
    summary = {
        "cutoff": f"{run.cutoff:%Y-%m-%d %H:%M} UTC",
        "days": run.retention_days,
        "count": run.count,
        "batches": run.batches,
    }
    typer.echo(t("cli.privacy.dry_run", **summary) if dry_run else t("cli.privacy.done", **summary))
