"""`careloop counts rebuild`: the early warning's pre-aggregated daily counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer

from careloop.cli.shell import LANG, day, echo, now, progress_bar, run, stage
from careloop.i18n import Translator

counts_app = typer.Typer(
    help="The early warning's pre-aggregated daily counts.", no_args_is_help=True
)


def _date_option(value: str | None, name: str) -> date | None:
    return None if value is None else day(name, value)


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
    moment = now()
    yesterday = moment.astimezone(daily_counts.LOCAL_TZ).date() - timedelta(days=1)
    window_first = yesterday - timedelta(days=early_warning.WINDOW_LENGTH - 1)
    recount = (first or window_first, last or yesterday)
    # The answer is printed once the bar is gone (as the demo load and the import do): on a
    # terminal it then stands whole below the finished bar, not torn by its redraws.
    with progress_bar(LANG) as bar:
        result = run(
            lambda uow: daily_counts.rebuild(
                uow,
                first,
                last,
                recount,
                moment,
                advance=stage(bar, Translator(LANG)("cli.counts.rebuilding")),
            )
        )
    echo(result)
