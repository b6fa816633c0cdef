"""Shell commands made from a lifecycle's transition table (domain/lifecycle/tickets.py).

The table says which actions exist; a small spec per command adds what the table cannot:
the command's help, the options it asks for beyond the record, its version and `--as`,
and the use case it calls. The record's id, `--as`, `--version`, running the use case in
one unit of work and printing the result are the same for every command, written once
here. A transition the shell does not offer is named with the reason why, so a new
transition in the table fails a unit test until someone decides (tests/unit/cli).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from careloop.cli.shell import echo, now, run
from careloop.services.access.actors import Actor, actor_for
from careloop.services.unit_of_work import UnitOfWork

AsUser = Annotated[str, typer.Option("--as", help="Username of the member of staff acting")]
Version = Annotated[int, typer.Option(help="The version you read (optimistic lock)")]

UseCase = Callable[..., object]
"""(uow, record id, actor, version or None, now, *options in the spec's order) → anything."""


@dataclass(frozen=True, slots=True)
class Option:
    """One option beyond the record's id, `--as` and `--version`."""

    name: str
    annotation: Any
    default: Any = inspect.Parameter.empty


REASON = Option("reason", Annotated[str, typer.Option()])
"""A required `--reason` (pause, cancel, reject, return, transfer)."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    command: str
    help: str
    call: UseCase
    options: tuple[Option, ...] = ()
    transitions: tuple[str, ...] = ()
    """The transitions this command fires; empty: the one named like the command."""
    versioned: bool = True

    def fires(self) -> tuple[str, ...]:
        return self.transitions or (self.command,)


def uncovered(
    table: Iterable[str], specs: Iterable[CommandSpec], not_offered: Mapping[str, str]
) -> set[str]:
    """Transitions of `table` no command fires and nobody decided to leave out."""
    fired = {name for spec in specs for name in spec.fires()}
    return set(table) - fired - set(not_offered)


def add_transition_commands(
    app: typer.Typer,
    table: Iterable[str],
    specs: Iterable[CommandSpec],
    record: str,
    show: Callable[[UnitOfWork, int], Any],
) -> None:
    """One command per spec, in the specs' order (the order `--help` has always listed);
    `record` names the id argument and `show` prints the result. A command must fire a
    transition of `table` (whether every transition has a command is a unit test's job,
    `uncovered`: a new transition must not stop the CLI from loading)."""
    specs = tuple(specs)
    unknown = {name for spec in specs for name in spec.fires()} - set(table)
    if unknown:
        raise ValueError(f"commands for transitions the table lacks: {sorted(unknown)}")
    for spec in specs:
        app.command(spec.command)(_command(spec, record, show))


def _command(
    spec: CommandSpec, record: str, show: Callable[[UnitOfWork, int], Any]
) -> Callable[..., None]:
    def command(**values: Any) -> None:
        record_id: int = values.pop(record)
        as_user: str = values.pop("as_user")
        version: int | None = values.pop("version", None)

        def action(uow: UnitOfWork) -> None:
            actor: Actor = actor_for(uow, as_user)
            options = (values[o.name] for o in spec.options)  # positionally, in spec order
            spec.call(uow, record_id, actor, version, now(), *options)
            echo(show(uow, record_id))

        run(action)

    P = inspect.Parameter
    parameters = [
        P(record, P.POSITIONAL_OR_KEYWORD, annotation=int),
        P("as_user", P.KEYWORD_ONLY, annotation=AsUser),
    ]
    if spec.versioned:
        parameters.append(P("version", P.KEYWORD_ONLY, annotation=Version))
    parameters += [
        P(o.name, P.KEYWORD_ONLY, annotation=o.annotation, default=o.default) for o in spec.options
    ]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = spec.help
    command.__name__ = command.__qualname__ = spec.command.replace("-", "_")
    return command
