"""What the SLA clocks read of a complaint, its work orders and its events.

The clock rules (``rules``) take these shapes, not stored rows: a page passes its loaded
complaints, the board and the ``?sla=`` lists pass the narrow facts below (a dozen columns
per complaint instead of whole rows with their text), and tests pass plain objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ClockEvent(Protocol):
    """What a clock reads from an event: which action, when, and its order (id)."""

    @property
    def id(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def action(self) -> str: ...


class ClockOrder(Protocol):
    """What the work-order clocks read of a work order (a stored one or :class:`WorkOrderFacts`)."""

    @property
    def id(self) -> int: ...
    @property
    def dispatched_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def accepted_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def sla_started_at(self) -> datetime | None: ...
    @property
    def sla_limit_minutes(self) -> int | None: ...
    @property
    def sla_basis(self) -> str | None: ...


class ClockSubject(Protocol):
    """What the clocks read of a complaint (a stored one or :class:`ComplaintFacts`)."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def accepted_at(self) -> datetime: ...
    @property
    def replied_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def work_orders(self) -> Sequence[ClockOrder]: ...
    @property
    def regulator_transfer(self) -> bool:
        """Transferred by the regulator (an appeal): its outer limits are the appeal's."""
        ...


@dataclass(frozen=True, slots=True)
class EventFact:
    """An event reduced to what the clocks need: cheap to load for a backlog of complaints
    (three columns instead of the whole audit record)."""

    id: int
    at: datetime
    action: str


@dataclass(frozen=True, slots=True)
class WorkOrderFacts:
    """A work order reduced to what its clocks need (see :class:`ComplaintFacts`)."""

    id: int
    dispatched_at: datetime
    due_at: datetime
    accepted_at: datetime | None
    finished_at: datetime | None
    sla_started_at: datetime | None
    sla_limit_minutes: int | None
    sla_basis: str | None


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """A complaint reduced to what its clocks need: judging a province's backlog loads a
    dozen columns per complaint instead of whole rows with their owner, units and text
    (the supervisor's board judges thousands of complaints per page)."""

    id: int
    status: str
    accepted_at: datetime
    replied_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    sla_policy_id: int | None
    work_orders: tuple[WorkOrderFacts, ...]
    regulator_transfer: bool = False
