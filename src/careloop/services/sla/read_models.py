"""What the SLA records look like to a reader: plain values, never ORM rows.

Calendar days and years and the outbox leave the services as these (policy versions as
``policies.PolicyVersion``, beside what an operator enters), so the channels (API, CLI)
show what a use case loaded and never hold a session or a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from careloop.domain.privacy import mask_text
from careloop.services.snapshots import snapshot
from careloop.store.models import Notification


@dataclass(frozen=True)
class CalendarDayEntry:
    """A holiday (放假) or make-up working day (调休上班) and who entered it."""

    day: date
    kind: str
    name: str
    source: str


@dataclass(frozen=True)
class CoveredYear:
    """A year whose holiday notice is fully entered (its days are no longer a guess)."""

    year: int
    source: str


@dataclass(frozen=True)
class OutboxMessage:
    """A message in the outbox, as the recording adapter keeps it."""

    id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    body: str
    complaint_id: int | None
    level: int | None
    status: str
    adapter: str | None
    created_at: datetime
    send_after: datetime
    sent_at: datetime | None


def outbox_message(row: Notification, unmasked: bool) -> OutboxMessage:
    """Phone and ID numbers in the recipient and text masked unless ``unmasked``."""
    if unmasked:
        return snapshot(OutboxMessage, row)
    return snapshot(
        OutboxMessage,
        row,
        recipient=mask_text(row.recipient) or "",
        body=mask_text(row.body) or "",
    )


@dataclass(frozen=True)
class PolicyHold:
    """A complaint (its id and version after the change) and the policy version that now
    holds it."""

    id: int
    version: int
    sla_policy_id: int | None
