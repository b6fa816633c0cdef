"""`careloop surveys ...`: post-service surveys from the shell — send the due ones now,
print results, opt a number out. The same services as the job runner and /api/v1/surveys."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

import typer

from careloop.cli.shell import LANG, day, echo, fail, instant, now, platform, run
from careloop.cli.transition_commands import AsUser
from careloop.domain.errors import DomainError
from careloop.domain.indicators.periods import period_of
from careloop.jobs.runner import public_url
from careloop.services.access.actors import actor_for
from careloop.services.surveys import answers, results, sending
from careloop.services.unit_of_work import UnitOfWork

surveys_app = typer.Typer(
    help="Post-service surveys (满意度自动调查): send the due ones, results, opt-outs.",
    no_args_is_help=True,
)


@surveys_app.command("send-due")
def send_due(
    at: Annotated[
        str | None, typer.Option("--now", help="Act as if it were this instant (ISO, with zone)")
    ] = None,
) -> None:
    """Throttle and send every survey due by now (what the job runner does each round)."""
    moment = instant(at)
    p = platform()
    try:
        report = sending.send_due_surveys(p.session_factory, p.adapters, moment, public_url())
    except DomainError as exc:
        fail(exc)
    echo(report.as_dict())


@surveys_app.command("results")
def show_results(
    as_user: AsUser,
    date_: Annotated[
        str | None, typer.Option("--date", help="A day of the period, YYYY-MM-DD (default today)")
    ] = None,
    period: Annotated[
        str, typer.Option(help="day, week, tenday or month (the period containing the date)")
    ] = "month",
    by: Annotated[str, typer.Option(help="unit or agent")] = "unit",
    region: Annotated[str | None, typer.Option(help="Org unit code within your scope")] = None,
) -> None:
    """Surveys sent, answered, response rate, satisfaction and mean scores per unit or agent."""
    when = day("--date", date_) if date_ else now().date()
    if period not in ("day", "week", "tenday", "month"):
        fail(DomainError("invalid_input", field="period", reason="day / week / tenday / month"))
    if by not in ("unit", "agent"):
        fail(DomainError("invalid_input", field="by", reason="unit / agent"))
    kind: Literal["day", "week", "tenday", "month"] = period  # type: ignore[assignment]
    grouping: Literal["unit", "agent"] = by  # type: ignore[assignment]

    def action(uow: UnitOfWork) -> None:
        found = results.survey_results(
            uow, actor_for(uow, as_user), period_of(kind, when), grouping, region, LANG
        )
        echo(asdict(found))

    run(action)


@surveys_app.command("opt-out")
def opt_out(phone: str) -> None:
    """The number never gets a survey again (audited on its latest complaint)."""

    def action(uow: UnitOfWork) -> None:
        receipt = answers.opt_out(uow, phone, now(), source="staff")
        echo({"opted_out": True, "already": receipt.already, "at": receipt.at})

    run(action)
