"""`careloop work-order ...`: a responsible unit's side, one command per transition of the
work-order lifecycle (domain/lifecycle/tickets.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from careloop.cli.complaints import summary
from careloop.cli.transition_commands import REASON, CommandSpec, Option, add_transition_commands
from careloop.domain.lifecycle import tickets
from careloop.services.access.actors import SYSTEM
from careloop.services.complaints import work_orders
from careloop.services.unit_of_work import UnitOfWork

work_order_app = typer.Typer(help="A responsible unit's work orders.", no_args_is_help=True)


def complaint_of(uow: UnitOfWork, work_order_id: int) -> dict[str, Any]:
    """A work order is shown as the complaint it belongs to, all its work orders included."""
    order = work_orders.load_work_order(uow, work_order_id, SYSTEM)
    return summary(uow, order.complaint_id)


WORK_ORDER_COMMANDS = (
    CommandSpec("accept", "The unit accepts the work order (接单).", work_orders.accept),
    CommandSpec(
        "complete",
        "The unit completes the work order (办结).",
        work_orders.complete,
        (Option("result", Annotated[str, typer.Option()]),),
    ),
    CommandSpec(
        "return",
        "The unit returns the work order with a reason (退单).",
        work_orders.return_to_owner,
        (REASON,),
    ),
    CommandSpec(
        "transfer",
        "Transfer the work order to another unit (转派).",
        work_orders.transfer,
        (Option("unit", Annotated[str, typer.Option()]), REASON),
    ),
)

add_transition_commands(
    work_order_app,
    tickets.WORK_ORDER_TRANSITIONS,
    WORK_ORDER_COMMANDS,
    "work_order_id",
    complaint_of,
)
