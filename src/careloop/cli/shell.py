"""What every `careloop` command shares: the platform, one-line errors, JSON output.

A broken rule prints one line in the user's language (CARELOOP_LANG=en for English) on
stderr and exits 1; results print as indented JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, NoReturn, TypeVar

import typer
from rich.progress import Progress

from careloop import bootstrap
from careloop.config import Settings
from careloop.domain import time_bounds
from careloop.domain.errors import DomainError
from careloop.i18n import Translator
from careloop.services.unit_of_work import UnitOfWork

T = TypeVar("T")
LANG = Settings.cli_language()


def settings() -> Settings:
    return Settings.from_env()


def platform() -> bootstrap.Platform:
    return bootstrap.platform(settings().database_url)


def refuse(message: str, lang: str = LANG) -> NoReturn:
    """One line on stderr in the reader's language ("错误：…" / "error: …"), exit status 1.
    No internal code in it: a script branches on the exit status or asks for --json."""
    typer.echo(Translator(lang)("cli.error", message=message), err=True)
    raise typer.Exit(1) from None


def fail(exc: DomainError, lang: str = LANG) -> NoReturn:
    refuse(exc.message(lang), lang)


def run(action: Callable[[UnitOfWork], T]) -> T:
    """Run one use case; a rule broken becomes one readable line and exit code 1."""
    try:
        with platform().unit_of_work() as uow:
            return action(uow)
    except DomainError as exc:
        fail(exc)


def now() -> datetime:
    return datetime.now(UTC)


def instant(value: str | None) -> datetime:
    """`--now`: an ISO instant from outside (the one rule for outside times), or now."""
    if not value:
        return now()
    try:
        return time_bounds.parse_instant("--now", value)
    except DomainError as exc:
        fail(exc)


def day(option: str, value: str) -> date:
    """A day given on the command line (YYYY-MM-DD), by the one rule for outside times."""
    try:
        return time_bounds.parse_day(option, value)
    except DomainError as exc:
        fail(exc)


def progress_bar(lang: str) -> Progress:
    """A progress bar for long work (demo load, imports), on stderr so that a command's
    answer on stdout stays clean; drawn only on a terminal (a log or a pipe gets the stage
    lines and the answer, not a hundred redraws)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    t = Translator(lang)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(t("cli.progress.left")),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def stage(bar: Progress, label: str) -> Callable[[int, int], None]:
    """A new line on ``bar`` and the ``advance(done, total)`` callback the services take."""
    task = bar.add_task(label, total=None)
    return lambda done, total: bar.update(task, completed=done, total=total)


def echo(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
