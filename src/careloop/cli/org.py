"""`careloop set-area`: whether a region is urban or rural, from the shell."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from careloop.cli.shell import echo, now, run
from careloop.services.access.actors import actor_for


def set_area(
    code: Annotated[str, typer.Argument(help="Region code, e.g. ZJ-LS-QT")],
    area: Annotated[str, typer.Argument(help="urban (城市), rural (农村) or inherit (as parent)")],
    as_user: Annotated[str, typer.Option("--as", help="An administrator's username")] = "admin",
) -> None:
    """Set a region urban or rural: repair is due within 48 h urban, 72 h rural (audited)."""
    from careloop.services.org import setup as org

    unit = run(
        lambda uow: org.set_unit_area(
            uow, code, None if area == "inherit" else area, actor_for(uow, as_user), now()
        )
    )
    echo(asdict(unit))
