"""`careloop sla ...` and `careloop worker`: policies, calendar days, sweeps and workers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from careloop import bootstrap
from careloop.cli.shell import echo, instant, run, settings
from careloop.domain import time_bounds
from careloop.services.access.actors import actor_for
from careloop.services.sla import calendar as sla_calendar
from careloop.services.sla import clocks as sla
from careloop.services.sla import policies as sla_policies
from careloop.services.sla import sweep as sla_sweep
from careloop.services.unit_of_work import UnitOfWork

sla_app = typer.Typer(
    help="SLA policies, the working calendar and the sweep.", no_args_is_help=True
)
calendar_app = typer.Typer(help="Holidays and make-up working days.", no_args_is_help=True)
policy_app = typer.Typer(help="Service commitments (versioned).", no_args_is_help=True)
sla_app.add_typer(calendar_app, name="calendar")
sla_app.add_typer(policy_app, name="policy")

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


@calendar_app.command("show")
def calendar_show(year: int) -> None:
    """The days entered for a year, and whether the year is covered."""

    def action(uow: UnitOfWork) -> None:
        covered = {y.year: y.source for y in sla_calendar.list_years(uow)}
        echo(
            {
                "year": year,
                "covered": year in covered,
                "source": covered.get(year, "fallback: weekends only"),
                "days": [
                    {"day": d.day, "kind": d.kind, "name": d.name, "source": d.source}
                    for d in sla_calendar.list_days(uow, year)
                ],
            }
        )

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
