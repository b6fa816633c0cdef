"""`careloop migrate` and `careloop demo`: the schema and the demo province."""

from __future__ import annotations

from typing import Annotated

import typer

from careloop import bootstrap
from careloop.cli.shell import LANG, now, platform, progress_bar
from careloop.i18n import Translator


def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    shared = platform()
    bootstrap.migrate(shared)
    t = Translator(LANG)
    typer.echo(t("cli.migrate.done", url=bootstrap.redacted(shared.database_url)))


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
    t = Translator(LANG)
    with progress_bar(LANG) as bar:
        task = bar.add_task(t("cli.demo.progress"), total=count)

        result = load_demo(
            shared.session_factory,
            count=count,
            days=days,
            seed=seed,
            end=now(),
            only_if_empty=if_empty,
            progress=bar.console.print,
            advance=lambda done, total: bar.update(task, completed=done, total=total),
        )
    typer.echo(result)
