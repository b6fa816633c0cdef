"""`careloop set-password` and `careloop unlock`: staff accounts from the shell."""

from __future__ import annotations

from typing import Annotated

import typer

from careloop.cli.shell import LANG, now, run
from careloop.i18n import Translator


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

    run(lambda uow: auth.set_password(uow, username, password, now()))
    t = Translator(LANG)
    typer.echo(t("cli.staff.password_set", username=username))


def unlock(username: Annotated[str, typer.Argument(help="Staff username")]) -> None:
    """Lift a username's login back-off locks from every address (an audited event)."""
    from careloop.services.access import auth

    cleared = run(lambda uow: auth.unlock(uow, username, now(), by="cli"))
    t = Translator(LANG)
    typer.echo(t("cli.staff.unlocked", username=username, cleared=cleared))
