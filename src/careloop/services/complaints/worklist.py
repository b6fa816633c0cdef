"""Work lists: the agent's queue as views (tabs) over their open complaints, and the worst
clock of a unit's work order.

Each row already carries its worst clock, next open deadline and next action
(``page_views.row_of`` by the rules in ``domain.worklist``); a view only selects and
counts, so a tab's number is the number of rows it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from careloop.domain import worklist as rules
from careloop.services.complaints.page_views import (
    ClockReading,
    ComplaintRow,
    WorkOrderLine,
    reading_of,
)
from careloop.services.sla import clocks as sla

VIEWS: Final[dict[str, Callable[[ComplaintRow], bool]]] = {
    "all": lambda r: True,
    "mine": lambda r: r.next_action in rules.OWNER_ACTIONS,
    "due_soon": lambda r: r.clock is not None and r.clock.state == "warning",
    "breached": lambda r: r.clock is not None and r.clock.state == "breached",
}
"""The queue's tabs: everything; what waits on the owner (not on a unit or the customer);
what warns (the worst clock past its warning share, none breached); what is breached."""


def soonest_first(rows: list[ComplaintRow]) -> list[ComplaintRow]:
    """The next open deadline first (a breached one has passed, so it comes on top); rows
    that owe nothing (every clock stopped) last, in the order they came."""
    return sorted(rows, key=lambda r: (r.next_due is None, r.next_due or datetime.min))


@dataclass(frozen=True)
class WorkList:
    view: str
    rows: list[ComplaintRow]
    """The view's rows, the next open deadline first."""
    counts: dict[str, int]
    """How many rows each view holds (the tabs' numbers)."""
    news: int
    """Rows whose unit completed or returned a work order the owner has not acted on."""


def work_list(rows: list[ComplaintRow], view: str) -> WorkList:
    """One view of the owner's open complaints. ``view`` must be one of :data:`VIEWS`."""
    ordered = soonest_first(rows)
    return WorkList(
        view,
        [r for r in ordered if VIEWS[view](r)],
        {name: sum(1 for r in ordered if keep(r)) for name, keep in VIEWS.items()},
        sum(1 for r in ordered if r.next_action in rules.UNIT_NEWS),
    )


def order_clock(
    line: WorkOrderLine, clocks: sla.ComplaintClocks | None, lang: str
) -> WorkOrderLine:
    """The work order with the worst of its own clocks (accepting it, finishing it): a unit
    late to accept is late, whatever its finishing clock says."""
    own = [v for v in clocks.clocks if v.work_order_id == line.order.id] if clocks else []
    worst = min(own, key=lambda v: rules.clock_rank(v.state.state, v.state.due_at), default=None)
    return replace(line, clock=reading_of(worst, lang)) if worst else line


def order_due(clock: ClockReading | None) -> tuple[bool, datetime]:
    """Sort key of a unit's work order: its worst clock's due time, orders without one last."""
    return (clock is None, clock.due_at if clock else datetime.min)
