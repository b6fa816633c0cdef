"""`careloop sla ...` and `careloop worker`: policies, calendar days, sweeps and workers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from careloop import bootstrap
from careloop.cli import sla_due
from careloop.cli.shell import LANG, echo, instant, run, settings
from careloop.domain import time_bounds
from careloop.i18n import Translator
from careloop.services.access.actors import actor_for
from careloop.services.sla import calendar as sla_calendar
from careloop.services.sla import clocks as sla
from careloop.services.sla import policies as sla_policies
from careloop.services.sla import sweep as sla_sweep
from careloop.services.unit_of_work import UnitOfWork

sla_app = typer.Typer(
    help="SLA policies, the working calendar and the sweep.", no_args_is_help=True
)
calendar_app = typer.Typer(help="Holidays and make-up working days.")
policy_app = typer.Typer(help="Service commitments (versioned).", no_args_is_help=True)
sla_app.add_typer(calendar_app, name="calendar")
sla_app.add_typer(policy_app, name="policy")
sla_due.register(sla_app)

AsUser = Annotated[str, typer.Option("--as", help="Username of the member of staff acting")]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="Evaluate at this ISO instant (default: now)")
]


def _url() -> str:
    return settings().database_url


_MATCH_TERMS = ("category", "channel", "tier", "region", "escalated", "priority", "repeat", "area")
"""What a policy may match on (its ``match_*`` fields), as the JSON shows them."""


def _policy_dict(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "version": p.version,
        "name": p.name,
        "active": p.active,
        "rank": p.rank,
        "match": {
            k: getattr(p, f"match_{k}")
            for k in _MATCH_TERMS
            if getattr(p, f"match_{k}") is not None
        },
        "limits": p.limits,
        "warn_share": p.warn_share,
        "timezone": p.timezone,
        "hours": p.hours,
        "escalation": p.escalation,
    }


@policy_app.command("list")
def policy_list(all_versions: bool = typer.Option(False, "--all", help="Include retired")) -> None:
    """Active policies (with --all, every version)."""
    run(lambda uow: echo([_policy_dict(p) for p in sla_policies.list_policies(uow, all_versions)]))


@policy_app.command("set")
def policy_set(
    code: str,
    as_user: AsUser,
    spec: Annotated[str, typer.Option(help="JSON: name, limits, match_*, escalation ...")],
) -> None:
    """Create a policy or add its next version (open complaints keep theirs)."""
    raw = json.loads(spec)
    policy_spec = sla_policies.PolicySpec(**raw)

    def action(uow: UnitOfWork) -> None:
        row = sla_policies.save_policy(
            uow, code, policy_spec, actor_for(uow, as_user), datetime.now(UTC)
        )
        echo(_policy_dict(row))

    run(action)


@sla_app.command("reapply")
def reapply(complaint_id: int, as_user: AsUser, version: int = typer.Option(...)) -> None:
    """Hold an open complaint to today's matching policy (recorded as an event)."""

    def action(uow: UnitOfWork) -> None:
        c = sla.reapply_policy(
            uow, complaint_id, actor_for(uow, as_user), version, datetime.now(UTC)
        )
        echo({"id": c.id, "version": c.version, "sla_policy_id": c.sla_policy_id})

    run(action)


def _reminder_line(uow: UnitOfWork, moment: datetime) -> str | None:
    reminder = sla_calendar.notice_reminder(uow, moment, settings().timezone)
    if reminder is None:
        return None
    t = Translator(LANG)
    return t("cli.calendar.reminder", message=reminder.message(t.lang))


@calendar_app.callback(invoke_without_command=True)
def calendar_status(ctx: typer.Context, now: NowOpt = None) -> None:
    """Which years' notices are entered; from December, a reminder to enter next year's."""
    moment = instant(now)
    t = Translator(LANG)

    def action(uow: UnitOfWork) -> None:
        line = _reminder_line(uow, moment)
        if ctx.invoked_subcommand is None:
            years = [y.year for y in sla_calendar.list_years(uow)]
            span = f"{min(years)}–{max(years)}" if years else "—"
            typer.echo(t("cli.calendar.years_entered", span=span))
            typer.echo(line or t("cli.calendar.no_notice_due"))
            typer.echo(ctx.get_help())
        elif line and ctx.invoked_subcommand != "show":
            typer.echo(line, err=True)

    run(action)


@calendar_app.command("show")
def calendar_show(
    year: int,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    now: NowOpt = None,
) -> None:
    """Every day of YEAR that is not an ordinary weekday or weekend: rest day or make-up
    working day, and whether the notice, the statutory rule or an assumption says so."""

    moment = instant(now)
    t = Translator(LANG)

    def action(uow: UnitOfWork) -> None:
        view = sla_calendar.year_view(uow, year)
        days = [
            {"day": d.day, "kind": d.kind, "name": d.name, "source": d.source} for d in view.days
        ]
        if as_json:
            echo(
                {
                    "year": year,
                    "notice_entered": view.notice_entered,
                    "assumed": "none"
                    if view.notice_entered
                    else "bridge days and make-up working days (weekend rule)",
                    "days": days,
                }
            )
            return
        if view.notice_entered:
            typer.echo(t("cli.calendar.notice_entered", year=year))
        else:
            typer.echo(t("cli.calendar.notice_assumed", year=year))
        weekdays = [
            t("cli.calendar.mon"), t("cli.calendar.tue"), t("cli.calendar.wed"),
            t("cli.calendar.thu"), t("cli.calendar.fri"), t("cli.calendar.sat"),
            t("cli.calendar.sun"),
        ]  # fmt: skip
        for d in view.days:
            # Keys from the day's kind and source codes (rest/work; notice/statutory/assumed).
            kind = t.get(f"cli.calendar.kind.{d.kind}", d.kind)
            source = t.get(f"cli.calendar.source.{d.source}", d.source)
            typer.echo(
                t(
                    "cli.calendar.day",
                    day=d.day.isoformat(),
                    weekday=weekdays[d.day.weekday()],
                    kind=kind,
                    name=d.name,
                    source=source,
                )
            )

        line = _reminder_line(uow, moment)
        if line:
            typer.echo(line)

    run(action)


@calendar_app.command("import-notice")
def calendar_import_notice(
    year: int,
    file: Annotated[typer.FileText, typer.Argument(help="The notice as text ('-': stdin)")],
    as_user: AsUser,
) -> None:
    """Enter YEAR's State Council notice from FILE: one line per day or range, e.g.
    '2027-02-06..2027-02-13 rest 春节' or '2027-02-14 work 春节调休' (docs/calendar.md).
    It replaces the days entered for YEAR; open complaints' due dates move at once."""
    text = file.read()

    def action(uow: UnitOfWork) -> None:
        result = sla_calendar.import_notice(
            uow, year, text, actor_for(uow, as_user), datetime.now(UTC)
        )
        echo(result.__dict__)

    run(action)


@calendar_app.command("set-day")
def calendar_set_day(
    day: str,
    as_user: AsUser,
    kind: Annotated[str, typer.Option(help="holiday or workday (make-up working day)")],
    name: Annotated[str, typer.Option(help="e.g. 国庆节")],
) -> None:
    """Enter or correct one day."""
    run(
        lambda uow: echo(
            sla_calendar.set_day(
                uow,
                time_bounds.parse_day("day", day),
                kind,
                name,
                actor_for(uow, as_user),
                datetime.now(UTC),
            ).day
        )
    )


@calendar_app.command("remove-day")
def calendar_remove_day(day: str, as_user: AsUser) -> None:
    """Take one entered day out again (it follows the statutory or weekend rule)."""
    run(
        lambda uow: sla_calendar.remove_day(
            uow, time_bounds.parse_day("day", day), actor_for(uow, as_user), datetime.now(UTC)
        )
    )


@calendar_app.command("cover-year")
def calendar_cover_year(year: int, as_user: AsUser) -> None:
    """Mark a year's notice as fully entered: its days stop being a guess."""
    run(
        lambda uow: echo(
            sla_calendar.mark_year_covered(
                uow, year, actor_for(uow, as_user), datetime.now(UTC)
            ).year
        )
    )


@calendar_app.command("import")
def calendar_import(year: int, as_user: AsUser) -> None:
    """Seed a year from chinese-calendar; an unknown year is reported, not a crash."""

    def action(uow: UnitOfWork) -> None:
        result = sla_calendar.import_year(uow, year, actor_for(uow, as_user), datetime.now(UTC))
        echo(result.__dict__)

    run(action)


@sla_app.command("sweep")
def sweep(
    now: NowOpt = None,
    enqueue: bool = typer.Option(False, help="Defer chunk jobs to the PostgreSQL queue instead"),
    chunk_size: int = typer.Option(50, min=1, max=1000),
) -> None:
    """Evaluate every clock once: warn, breach and escalate (each exactly once)."""
    moment = instant(now)
    if enqueue:
        from careloop.jobs.queue import enqueue_sweep

        echo({"chunks": enqueue_sweep(_url(), moment, chunk_size), "now": moment})
        return
    from careloop.jobs.runner import InProcessRunner

    echo(InProcessRunner(_url()).run_once(moment))


def worker(
    once: bool = typer.Option(False, help="Stop when there is nothing left to do"),
    in_process: bool = typer.Option(
        False, "--in-process", help="Run the scheduler in this process instead of the queue"
    ),
    interval: float = typer.Option(60.0, help="Seconds between rounds (in-process runner)"),
    now: NowOpt = None,
    name: str | None = typer.Option(None, help="Worker name in the queue's records"),
) -> None:
    """Run background jobs: Procrastinate workers on PostgreSQL, else the in-process runner."""
    url = _url()
    on_postgres = bootstrap.backend_of(url) == "postgresql"
    if on_postgres and not in_process:
        from careloop.jobs.queue import run_worker

        run_worker(url, once=once, name=name)
        return
    from careloop.jobs.runner import InProcessRunner

    runner = InProcessRunner(url, interval=interval)
    if once:
        echo(runner.run_once(instant(now) if now else None))
        return
    runner.run_forever()


__all__ = ["sla_app", "sla_sweep", "worker"]
