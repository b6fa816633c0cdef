"""Domain events: what happened to a complaint, told to whoever listens once it committed.

Every state change appends an audit row (the `events` table) in its own transaction; the
row's `action` names the event below. Handlers (services/events.py, registered in
bootstrap.py) receive a `DomainEvent` after the commit, never before, so a listener never
sees a change that was rolled back. Each name is documented here, where it is defined:
what it means and what `payload` holds (the audit row's `after` values, plus its `note`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

COMPLAINT_ACCEPTED: Final = "careloop.complaint.accepted"
"""A complaint was taken in (any channel). Payload: the complaint as written at intake."""
COMPLAINT_HANDLING: Final = "careloop.complaint.handling"
"""Its owner started handling it (accepted → in progress). Payload: `status`."""
COMPLAINT_DISPATCHED: Final = "careloop.complaint.dispatched"
"""Work was handed to a responsible unit (the complaint's side of a new work order)."""
COMPLAINT_PAUSED: Final = "careloop.complaint.paused"
"""Waiting on the customer: the reply clock stops. Payload: `status`, the reason as `note`."""
COMPLAINT_RESUMED: Final = "careloop.complaint.resumed"
"""The customer answered or staff resumed: the reply clock runs again."""
COMPLAINT_REPLIED: Final = "careloop.complaint.replied"
"""The customer got the answer; a callback is due. Payload: `status`, the reply fields."""
COMPLAINT_CLOSED: Final = "careloop.complaint.closed"
"""A satisfied callback closed the loop (replied → closed). Payload: `status` and the
callback's fields (satisfaction)."""
COMPLAINT_REOPENED: Final = "careloop.complaint.reopened"
"""A dissatisfied callback sent it back to handling, same owner. Payload: `status`."""
COMPLAINT_CALLBACK_UNREACHABLE: Final = "careloop.complaint.callback_unreachable"
"""A callback attempt did not reach the customer; the complaint stays replied. Payload:
`callback_attempts` and `callback_next_at` (when to try again)."""
COMPLAINT_CLOSED_UNREACHABLE: Final = "careloop.complaint.closed_unreachable"
"""The last callback attempt allowed did not reach the customer either (replied → closed);
not a satisfied callback. Payload: `status`, `callback_outcome`, `callback_attempts`."""
COMPLAINT_CALLBACK_DECLINED: Final = "careloop.complaint.callback_declined"
"""The customer declined the callback (replied → closed); not a satisfied callback."""
COMPLAINT_APPEAL_OUTCOME: Final = "careloop.complaint.appeal_outcome"
"""The regulator appeal's outcome was recorded. Payload: `appeal_outcome`."""
COMPLAINT_ARCHIVED: Final = "careloop.complaint.archived"
"""Filed away after closing; the retention clock for its personal data starts."""
COMPLAINT_MERGED: Final = "careloop.complaint.merged"
"""A duplicate was merged into another complaint. Payload: `status`, the target's id."""
COMPLAINT_CANCELLED: Final = "careloop.complaint.cancelled"
"""The customer withdrew it."""
COMPLAINT_REJECTED: Final = "careloop.complaint.rejected"
"""Not a complaint CareLoop takes (不予受理)."""
COMPLAINT_BREACHED: Final = "careloop.complaint.breached"
"""A commitment's deadline passed. Recorded by the SLA sweep as an `sla_alerts` row (kind
`breach`), not an audit row: see `EVENT_OF_ALERT`. Payload: the alert's `kind`."""
COMPLAINT_ESCALATED: Final = "careloop.complaint.escalated"
"""A breach was escalated one level up the org tree (`sla_alerts` kind `escalation:N`).
Payload: `level`."""
COMPLAINT_CALL_ADDED: Final = "careloop.complaint.call_added"
"""The customer called again about the open complaint and the call was added to it (追加,
a repeat contact; domain.follow_ups). Payload: `channel`, the call's text as `note`."""
COMPLAINT_CHASED: Final = "careloop.complaint.chased"
"""The complaint was chased (催办): its owner and the units holding its open work orders
were told. Payload: `chases` (the count so far), `recipients`."""
WORK_ORDER_DISPATCHED: Final = "careloop.work_order.dispatched"
"""A unit received a work order. Payload: the work order's unit and due time."""
WORK_ORDER_ACCEPTED: Final = "careloop.work_order.accepted"
"""The unit took the work order on."""
WORK_ORDER_COMPLETED: Final = "careloop.work_order.completed"
"""The unit finished its part; the owner may reply once no work order is open."""
WORK_ORDER_RETURNED: Final = "careloop.work_order.returned"
"""The unit sent the work back, with a reason (the owner stays accountable)."""
WORK_ORDER_TRANSFERRED: Final = "careloop.work_order.transferred"
"""The unit passed the work to another unit, with a reason."""
WORK_ORDER_FEASIBILITY_REPLIED: Final = "careloop.work_order.feasibility_replied"
"""The unit said whether an installation is possible (a timed work step). Payload: the
step's state and due time."""
WORK_ORDER_ARRIVED: Final = "careloop.work_order.arrived"
"""The technician recorded arrival on site (a timed work step)."""
WORK_ORDER_RESTORED: Final = "careloop.work_order.restored"
"""Service was restored (a timed work step): a moment a satisfaction survey may follow."""

EVENT_OF_ACTION: Final[Mapping[str, str]] = {
    "accept": COMPLAINT_ACCEPTED,
    "handle": COMPLAINT_HANDLING,
    "dispatch": COMPLAINT_DISPATCHED,
    "pause": COMPLAINT_PAUSED,
    "resume": COMPLAINT_RESUMED,
    "reply": COMPLAINT_REPLIED,
    "callback_satisfied": COMPLAINT_CLOSED,
    "reopen": COMPLAINT_REOPENED,
    "callback_unreachable": COMPLAINT_CALLBACK_UNREACHABLE,
    "close_unreachable": COMPLAINT_CLOSED_UNREACHABLE,
    "callback_declined": COMPLAINT_CALLBACK_DECLINED,
    "appeal_outcome": COMPLAINT_APPEAL_OUTCOME,
    "archive": COMPLAINT_ARCHIVED,
    "merge": COMPLAINT_MERGED,
    "cancel": COMPLAINT_CANCELLED,
    "reject": COMPLAINT_REJECTED,
    "add_call": COMPLAINT_CALL_ADDED,
    "chase": COMPLAINT_CHASED,
    "work_order_dispatched": WORK_ORDER_DISPATCHED,
    "work_order_accept": WORK_ORDER_ACCEPTED,
    "work_order_complete": WORK_ORDER_COMPLETED,
    "work_order_return": WORK_ORDER_RETURNED,
    "work_order_transfer": WORK_ORDER_TRANSFERRED,
    "work_order_feasibility_reply": WORK_ORDER_FEASIBILITY_REPLIED,
    "work_order_arrive": WORK_ORDER_ARRIVED,
    "work_order_restore": WORK_ORDER_RESTORED,
}
"""Audit `action` (the transition's name in domain/lifecycle/tickets.py, `work_order_` and
the work-order transition's name) → event name. Actions absent here (notes, attachments,
personal-data reads, anonymisation) are bookkeeping, not events anyone hangs on."""

EVENT_OF_ALERT: Final[Mapping[str, str]] = {
    "breach": COMPLAINT_BREACHED,
    "escalation": COMPLAINT_ESCALATED,
}
"""SLA alert kind (before any `:level`) → event name. The sweep writes these rows with
INSERT ... ON CONFLICT DO NOTHING, so only the rows it really inserted may be published."""


def event_for_alert(
    kind: str,
    *,
    complaint_id: int,
    work_order_id: int | None,
    at: datetime,
) -> DomainEvent | None:
    """The domain event of an SLA alert the sweep recorded (`breach`, `escalation:2`); None
    for a warning, which is a reminder to the owner and nobody else's business."""
    base, _, level = kind.partition(":")
    name = EVENT_OF_ALERT.get(base)
    if name is None:
        return None
    payload: dict[str, Any] = {"kind": kind, **({"level": int(level)} if level else {})}
    return DomainEvent(name, complaint_id, work_order_id, kind, at, None, payload)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    name: str
    complaint_id: int | None
    work_order_id: int | None
    action: str
    at: datetime
    actor_id: int | None
    payload: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A job queue's argument (JSON): what a worker in another process receives."""
        return {
            "name": self.name,
            "complaint_id": self.complaint_id,
            "work_order_id": self.work_order_id,
            "action": self.action,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "payload": dict(self.payload),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DomainEvent:
        return cls(
            name=str(data["name"]),
            complaint_id=data.get("complaint_id"),
            work_order_id=data.get("work_order_id"),
            action=str(data["action"]),
            at=datetime.fromisoformat(str(data["at"])),
            actor_id=data.get("actor_id"),
            payload=dict(data.get("payload") or {}),
        )


def event_for(
    action: str,
    *,
    complaint_id: int | None,
    work_order_id: int | None,
    at: datetime,
    actor_id: int | None,
    payload: Mapping[str, Any] | None = None,
) -> DomainEvent | None:
    """The domain event an audit row with `action` stands for; None for bookkeeping rows."""
    name = EVENT_OF_ACTION.get(action)
    if name is None:
        return None
    return DomainEvent(name, complaint_id, work_order_id, action, at, actor_id, payload or {})


# --- Rectification tasks (督促整改, domain.supervision.rectification) ----------------------
# Raised by services.supervision.rectification with `complaint_id` None (unless the finding
# came from a complaint); the task is named in the payload. Each is also a row of the task's
# own audit trail (`rectification_events`).

RECTIFICATION_OPENED: Final = "careloop.rectification.opened"
"""A finding became a rectification task owned by a unit. Payload: `rectification_id`,
`number`, `unit_id`, `source_kind`, `source_id`, `source_item`, `due_at` (ISO, UTC)."""
RECTIFICATION_SUBMITTED: Final = "careloop.rectification.submitted"
"""The unit submitted the task for re-inspection with its evidence. Payload:
`rectification_id`, `unit_id`, `cycle`, `late` (submitted after the deadline)."""
RECTIFICATION_CLOSED: Final = "careloop.rectification.closed"
"""The re-inspection confirmed the rectification (销号). Payload: `rectification_id`,
`unit_id`, `source_kind`, `source_id`, `source_item`, `cycles` (how many rounds it took)."""
RECTIFICATION_REOPENED: Final = "careloop.rectification.reopened"
"""The re-inspection failed it: back to the unit with a new deadline. Payload:
`rectification_id`, `unit_id`, `cycle` (the new round), `due_at`, the reason as `note`."""
RECTIFICATION_ESCALATED: Final = "careloop.rectification.escalated"
"""A task still open past its deadline was escalated (the SLA engine's escalation step) to
the owner unit's superior: a failed rectification, which accountability may take up.
Recorded once per task, round and level, however many sweeps see it. Payload:
`rectification_id`, `number`, `unit_id`, `escalated_to_unit_id`, `level`, `cycle`,
`due_at`, `overrun_minutes`, `source_kind`, `source_id`, `source_item`."""

RECTIFICATION_EVENTS: Final[Mapping[str, str]] = {
    "open": RECTIFICATION_OPENED,
    "submit": RECTIFICATION_SUBMITTED,
    "confirm": RECTIFICATION_CLOSED,
    "fail": RECTIFICATION_REOPENED,
    "escalate": RECTIFICATION_ESCALATED,
}
"""A rectification audit action → its event; starting work and notes are bookkeeping."""

# --- Social supervisors (社会监督员, domain.supervision.social_supervisors) ----------------

SOCIAL_SUPERVISION_SUBMITTED: Final = "careloop.social_supervision.submitted"
"""A social supervisor's observation or feedback was recorded and handed to a unit for an
answer. Payload: `submission_id`, `supervisor_id`, `owner_unit_id`, `finding`, `reply_due_at`."""
SOCIAL_SUPERVISION_ANSWERED: Final = "careloop.social_supervision.answered"
"""The unit answered a social supervisor's submission (the supervisor sees the answer).
Payload: `submission_id`, `supervisor_id`, `owner_unit_id`, `late`."""
