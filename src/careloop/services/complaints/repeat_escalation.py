"""Repeat complaints escalate at intake, single and bulk alike (rules: domain.repeats).

Intake finds the repeat first, raises its priority (``escalated_draft``), matches the
policy with the repeat flag and the region's urban/rural kind (``intake.criteria_for``), names
the leads to tell (``LeadBook``, one query for a whole batch) and, in the same transaction
as the complaint, queues their messages in the notifications outbox (``queue_notices``),
which the notify adapters deliver like every other alert. A rolled-back intake thus
tells nobody, and a replayed one tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, select

from careloop.domain import repeats
from careloop.domain.org import ancestor_ids
from careloop.domain.sla.calendar import DEFAULT_TIMEZONE
from careloop.domain.sla.policies import MatchedComplaint
from careloop.notify.quiet_hours import QuietHours
from careloop.services.complaints.intake_rows import NewRow
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Notification, SlaPolicy, Staff

NOTICE_KIND = "repeat"
"""The outbox kind of a repeat's message to a unit lead (beside reminder, escalation)."""

D = TypeVar("D", bound=MatchedComplaint)


def escalated_draft(draft: D) -> tuple[D, repeats.RepeatEscalation]:
    """The draft of a repeat with its priority one step up (a frozen dataclass)."""
    escalation = repeats.escalate(draft.priority)
    return replace(draft, priority=escalation.priority_after), escalation  # type: ignore[type-var]


@dataclass(frozen=True)
class LeadBook:
    """The active unit leads of the units above some regions and owner units, by unit."""

    leads_by_unit: Mapping[int, Sequence[str]]

    def recipients(self, region_path: str, owner_path: str, region_code: str) -> tuple[str, ...]:
        """``staff:<username>`` of each lead to tell (domain.repeats.leads_to_tell), or the
        region's unit itself when no lead is found (the sweep's rule for a unit without
        one: the message still lands where the unit reads it)."""
        chain = list(reversed(ancestor_ids(region_path)))
        owners = list(reversed(ancestor_ids(owner_path)))
        found = repeats.leads_to_tell(chain, owners, self.leads_by_unit)
        return tuple(f"staff:{name}" for name in found) or (f"unit:{region_code}",)


def lead_book(uow: UnitOfWork, paths: Iterable[str]) -> LeadBook:
    """Leads of every unit on the ``paths`` (region and owner unit paths), in one query."""
    ids = sorted({unit_id for path in paths for unit_id in ancestor_ids(path)})
    leads: dict[int, list[str]] = {}
    if ids:
        for username, unit_id in uow.session.execute(
            select(Staff.username, Staff.org_unit_id).where(
                Staff.role == "unit_lead", Staff.active.is_(True), Staff.org_unit_id.in_(ids)
            )
        ):
            leads.setdefault(unit_id, []).append(username)
    return LeadBook(leads)


def plan(
    escalation: repeats.RepeatEscalation,
    recipients: tuple[str, ...],
    policy: SlaPolicy | None,
) -> repeats.RepeatPlan:
    """The repeat's plan: told on the policy's channel to the unit lead, in its zone."""
    steps = cast(Sequence[Mapping[str, object]], policy.escalation if policy else ())
    zone = policy.timezone if policy else DEFAULT_TIMEZONE
    return repeats.RepeatPlan(escalation, recipients, repeats.notice_channel(steps), zone)


def queue_notices(
    uow: UnitOfWork,
    rows: Sequence[NewRow],
    now: datetime,
    numbers: Mapping[int, str | None] | None = None,
    quiet: QuietHours | None = None,
) -> int:
    """Write the messages of the repeats among ``rows`` (just inserted: ids and numbers
    known) into the outbox, one per lead; SMS waits out quiet hours like a reminder.
    ``numbers``: earlier complaints' numbers intake already read (others are asked). The
    number of messages queued."""
    planned = [row for row in rows if row.repeat is not None and row.values["repeat_of_id"]]
    if not planned:
        return 0
    quiet = quiet or QuietHours()
    numbers = {**(numbers or {}), **{row.values["id"]: row.values["number"] for row in rows}}
    missing = {row.values["repeat_of_id"] for row in planned} - set(numbers)
    if missing:
        for earlier_id, number in uow.session.execute(
            select(Complaint.id, Complaint.number).where(Complaint.id.in_(missing))
        ):
            numbers[earlier_id] = number
    messages: list[dict[str, Any]] = []
    for row in planned:
        assert row.repeat is not None
        values, repeat = row.values, row.repeat
        subject, body = repeats.repeat_notice(
            repeats.RepeatNoticeFacts(
                number=values["number"],
                repeat_of_id=values["repeat_of_id"],
                earlier_number=numbers.get(values["repeat_of_id"]),
                customer_phone=values["customer_phone"],
                category=values["category"],
                escalation=repeat.escalation,
                reply_due_at=values["reply_due_at"],
                timezone=repeat.timezone,
            )
        )
        zone = QuietHours(quiet.start, quiet.end, repeat.timezone, quiet.channels)
        send_after = zone.next_allowed(now, repeat.channel)
        messages += [
            {
                "dedup_key": f"repeat:{values['id']}:{recipient}"[:120],
                "kind": NOTICE_KIND,
                "channel": repeat.channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "complaint_id": values["id"],
                "alert_id": None,
                "level": None,
                "status": "pending",
                "adapter": None,
                "created_at": now,
                "send_after": send_after,
                "sent_at": None,
                "error": None,
            }
            for recipient in repeat.recipients
        ]
    uow.session.execute(insert(cast(Table, Notification.__table__)), messages)
    return len(messages)
