"""How a complaint stands on a work list: its worst clock, its next open deadline and the
next thing to do about it (DOMAIN.md §2 the closed loop, §3 time limits).

A list row names one clock, the one that hurts most: a complaint the supervisor's
"breached" count includes has some clock breached (``services.sla.states``), and the row
must say which, whatever the reply clock says. Work lists sort by the next open deadline:
an answered complaint's met reply clock is history, its running callback clock is not.

The next action follows from the complaint's status and its work orders only, so the
agent's queue, the API and any later notice agree on it without storing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol, TypeVar

from careloop.domain.lifecycle.tickets import Status, WorkOrderStatus

STATE_RANK: Final[dict[str, int]] = {
    "breached": 0,
    "warning": 1,
    "running": 2,
    "paused": 3,
    "met_late": 4,
    "met": 5,
}
"""Worst first: a breached clock outranks a warning one, an open clock a stopped one."""
OPEN_CLOCK_STATES: Final = frozenset({"breached", "warning", "running", "paused"})
"""Clocks still counting (or paused): their due time is a deadline someone still owes."""


class ClockLike(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...


C = TypeVar("C", bound=ClockLike)


def clock_rank(state: str, due_at: datetime) -> tuple[int, datetime]:
    """Sort key of a clock, worst first; within a state the earlier due time is worse (a
    breached clock due earlier has run over longer)."""
    return STATE_RANK.get(state, len(STATE_RANK)), due_at


def worst_clock(clocks: Iterable[C]) -> C | None:
    """The clock a row names and is coloured by; None without any clock."""
    return min(clocks, key=lambda c: clock_rank(c.state, c.due_at), default=None)


def next_due(clocks: Iterable[ClockLike]) -> datetime | None:
    """The earliest due time among the clocks still open: a work list's sort key (a
    breached clock's due time has passed, so it sorts on top). None: nothing is owed."""
    return min((c.due_at for c in clocks if c.state in OPEN_CLOCK_STATES), default=None)


class NextAction(StrEnum):
    DISPATCH = "dispatch"
    """Accepted and not yet dispatched or answered: dispatch it (or answer it directly)."""
    AWAIT_UNIT = "await_unit"
    """A work order is open with a unit: the unit owes the next move."""
    REPLY_AFTER_UNIT = "reply_after_unit"
    """The unit completed its work order: the owner answers the customer."""
    RETURNED = "returned"
    """The unit returned its work order: the owner dispatches again or answers."""
    REPLY = "reply"
    """Being handled without an open work order: the owner answers the customer."""
    REOPENED = "reopened"
    """Reopened after a dissatisfied callback: handle it again."""
    AWAIT_CUSTOMER = "await_customer"
    """Paused waiting on the customer."""
    CALLBACK = "callback"
    """Answered: call the customer back."""
    NONE = "none"
    """Closed, archived or gone: nothing left to do."""


OWNER_ACTIONS: Final = frozenset(
    {
        NextAction.DISPATCH,
        NextAction.REPLY_AFTER_UNIT,
        NextAction.RETURNED,
        NextAction.REPLY,
        NextAction.REOPENED,
        NextAction.CALLBACK,
    }
)
"""The moves that wait on the first-question owner, not on a unit or the customer."""
UNIT_NEWS: Final = frozenset({NextAction.REPLY_AFTER_UNIT, NextAction.RETURNED})
"""A unit finished its part and the owner has not moved since: the row says so."""


class OrderLike(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def finished_at(self) -> datetime | None: ...


Order = TypeVar("Order", bound=OrderLike)

_OPEN_ORDERS: Final = frozenset({WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED})
_FINISHED_ORDERS: Final = frozenset({WorkOrderStatus.COMPLETED, WorkOrderStatus.RETURNED})


@dataclass(frozen=True)
class Standing:
    """The next action and, when a unit's finished work order is why, that order."""

    action: NextAction
    order: OrderLike | None = None


def latest_finished(orders: Sequence[Order]) -> Order | None:
    """The work order a unit finished last (completed or returned; a transfer is not an
    answer, the order it created carries on)."""
    done = [o for o in orders if o.status in _FINISHED_ORDERS and o.finished_at is not None]
    return max(done, key=lambda o: o.finished_at or datetime.min, default=None)


def _after(finished_at: datetime | None, replied_at: datetime | None) -> bool:
    return finished_at is not None and (replied_at is None or finished_at > replied_at)


def standing(
    status: str,
    orders: Sequence[OrderLike],
    replied_at: datetime | None,
    reopen_count: int,
) -> Standing:
    """What the complaint waits for now.

    A unit's finished order is news only while the owner has not answered since: after a
    reply (and a dissatisfied callback's reopen) the order belongs to the earlier round.
    """
    if status == Status.PENDING_CUSTOMER:
        return Standing(NextAction.AWAIT_CUSTOMER)
    if status == Status.REPLIED:
        return Standing(NextAction.CALLBACK)
    if status not in (Status.ACCEPTED, Status.IN_PROGRESS):
        return Standing(NextAction.NONE)
    if any(o.status in _OPEN_ORDERS for o in orders):
        return Standing(NextAction.AWAIT_UNIT)
    last = latest_finished(orders)
    if last is not None and _after(last.finished_at, replied_at):
        if last.status == WorkOrderStatus.RETURNED:
            return Standing(NextAction.RETURNED, last)
        return Standing(NextAction.REPLY_AFTER_UNIT, last)
    if reopen_count > 0 and replied_at is not None:
        return Standing(NextAction.REOPENED)
    if status == Status.ACCEPTED:
        return Standing(NextAction.DISPATCH)
    return Standing(NextAction.REPLY)
