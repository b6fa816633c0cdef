"""`careloop work-order ...`: a responsible unit's side, one command per transition of the
work-order lifecycle (domain/lifecycle/tickets.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from careloop.cli.complaints import summary
from careloop.cli.transition_commands import REASON, CommandSpec, Option, add_transition_commands
from careloop.domain import time_bounds
from careloop.domain.lifecycle import tickets
from careloop.services.access.actors import SYSTEM
from careloop.services.complaints import work_orders, work_steps
from careloop.services.unit_of_work import UnitOfWork

_WHEN = "When, with offset (2026-09-28T10:00+08:00); default: now"


def _instant(field: str, text: str | None) -> datetime | None:
    return time_bounds.parse_instant(field, text) if text else None


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
    CommandSpec(
        "feasibility-reply",
        "Reply whether the installation is possible (答复能否装机).",
        lambda uow, wid, actor, version, at, feasible, answer: work_steps.reply_feasibility(
            uow, wid, actor, version, at, feasible, answer
        ),
        (
            Option(
                "feasible",
                Annotated[bool, typer.Option("--feasible/--not-feasible", help="Possible?")],
            ),
            Option("answer", Annotated[str | None, typer.Option()], None),
        ),
        transitions=("feasibility_reply",),
    ),
    CommandSpec(
        "arrive",
        "The assigned technician records arriving on site (上门到场).",
        lambda uow, wid, actor, version, at, arrived_at: work_steps.record_arrival(
            uow, wid, actor, version, at, _instant("arrived_at", arrived_at)
        ),
        (Option("arrived_at", Annotated[str | None, typer.Option(help=_WHEN)], None),),
    ),
    CommandSpec(
        "restore",
        "Record service restored (恢复服务).",
        lambda uow, wid, actor, version, at, restored_at, answer: work_steps.record_restore(
            uow, wid, actor, version, at, _instant("restored_at", restored_at), answer
        ),
        (
            Option("restored_at", Annotated[str | None, typer.Option(help=_WHEN)], None),
            Option("answer", Annotated[str | None, typer.Option()], None),
        ),
    ),
)

add_transition_commands(
    work_order_app,
    tickets.WORK_ORDER_TRANSITIONS,
    WORK_ORDER_COMMANDS,
    "work_order_id",
    complaint_of,
)
