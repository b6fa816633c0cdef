"""The complaint lifecycle (DOMAIN.md §2): accept → handle → reply → callback → archive, and
the lifecycle of the work orders a complaint is dispatched as.

Two tables on the generic machine (`lifecycle.machine`): every status change is a named
transition with the statuses it may start from, the status it leads to, the roles that may
fire it and what a person must give to fire it. Services apply transitions here and nowhere
else, so the rule the API enforces is the rule the web page offers and the CLI obeys.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from careloop.domain.callbacks import APPEAL_OUTCOME_LABELS
from careloop.domain.errors import DomainError
from careloop.domain.lifecycle.machine import InputField, Lifecycle, Transition, transition


class Status(StrEnum):
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    PENDING_CUSTOMER = "pending_customer"
    REPLIED = "replied"
    CLOSED = "closed"
    ARCHIVED = "archived"
    MERGED = "merged"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


STATUS_LABELS: Final[dict[Status, tuple[str, str]]] = {
    Status.ACCEPTED: ("已受理", "Accepted"),
    Status.IN_PROGRESS: ("处理中", "In progress"),
    Status.PENDING_CUSTOMER: ("待客户反馈", "Waiting on customer"),
    Status.REPLIED: ("已答复", "Replied"),
    Status.CLOSED: ("已回访", "Closed after callback"),
    Status.ARCHIVED: ("已归档", "Archived"),
    Status.MERGED: ("已合并", "Merged"),
    Status.CANCELLED: ("已撤销", "Cancelled"),
    Status.REJECTED: ("不予受理", "Rejected"),
}

OPEN_STATUSES: Final[frozenset[Status]] = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER, Status.REPLIED}
)
"""Statuses in which the complaint is still the owner's open business."""

FINISHED_STATUSES: Final[frozenset[Status]] = frozenset(set(Status) - OPEN_STATUSES)

STAFF_WRITERS: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin"}
)
"""Every staff role that may change complaints; the regulator's inspector only reads."""

INTAKE_ROLES: Final[frozenset[str]] = STAFF_WRITERS
"""Whoever takes the complaint first becomes its first-question owner (首问负责制)."""

_FRONT: Final = frozenset({"agent", "unit_lead", "supervisor", "admin"})
_SUPERVISING: Final = frozenset({"supervisor", "admin"})
_WORKABLE: Final = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER})

# What each transition asks for, as the API bodies (api/schemas.py) and the services read it.
_REASON: Final = InputField("reason", "text", max_chars=1000)
_COMMENT: Final = InputField("comment", "text", required=False, max_chars=2000)
_APPEAL_OUTCOME: Final = InputField(
    "outcome",
    "choice",
    choices=tuple((code.value, zh, en) for code, (zh, en) in APPEAL_OUTCOME_LABELS.items()),
)

COMPLAINT_LIFECYCLE: Final = Lifecycle(
    Status,
    STATUS_LABELS,
    Status.ACCEPTED,
    (
        transition(
            "handle",
            {Status.ACCEPTED},
            Status.IN_PROGRESS,
            STAFF_WRITERS,
            "开始处理",
            "start handling",
        ),
        # Dispatch from `accepted` starts handling; later dispatches keep it in progress.
        transition(
            "dispatch",
            {Status.ACCEPTED, Status.IN_PROGRESS},
            Status.IN_PROGRESS,
            _FRONT,
            "派单",
            "dispatch",
            fields=(
                InputField("unit", "unit"),
                InputField("instructions", "text", required=False, max_chars=2000),
                InputField("due_at", "datetime", required=False),
                InputField("due_hours", "number", required=False),
                # Where a work step's clock starts (domain.sla.steps): the visit agreed
                # with the customer, the payment an installation or restore counts from.
                InputField("appointment_at", "datetime", required=False),
                InputField("paid_at", "datetime", required=False),
            ),
        ),
        # Waiting on the customer pauses the clock (DOMAIN.md §3); only the customer's answer
        # or a staff member resumes it.
        transition(
            "pause",
            {Status.ACCEPTED, Status.IN_PROGRESS},
            Status.PENDING_CUSTOMER,
            STAFF_WRITERS,
            "挂起待客户反馈",
            "pause (wait on customer)",
            fields=(_REASON,),
        ),
        transition(
            "resume",
            {Status.PENDING_CUSTOMER},
            Status.IN_PROGRESS,
            STAFF_WRITERS | {"system", "customer"},
            "恢复处理",
            "resume",
        ),
        transition(
            "reply",
            {Status.ACCEPTED, Status.IN_PROGRESS},
            Status.REPLIED,
            STAFF_WRITERS,
            "答复客户",
            "reply to the customer",
            fields=(InputField("text", "text", max_chars=5000),),
        ),
        transition(
            "callback_satisfied",
            {Status.REPLIED},
            Status.CLOSED,
            _FRONT | {"customer"},
            "回访满意",
            "record a satisfied callback",
            fields=(_COMMENT,),
        ),
        # A dissatisfied callback reopens the complaint: back to handling, same owner.
        transition(
            "reopen",
            {Status.REPLIED},
            Status.IN_PROGRESS,
            _FRONT | {"customer"},
            "回访不满意重启",
            "reopen after a dissatisfied callback",
            fields=(_COMMENT,),
        ),
        # A customer who cannot be reached is tried again on the schedule of domain.callbacks;
        # the attempt keeps the complaint replied, the last one allowed closes it (fired by
        # the service only, never offered on its own: a role of its own).
        transition(
            "callback_unreachable",
            {Status.REPLIED},
            None,
            _FRONT,
            "回访未接通",
            "record an unreachable callback attempt",
            fields=(_COMMENT,),
        ),
        transition(
            "close_unreachable",
            {Status.REPLIED},
            Status.CLOSED,
            {"system"},
            "多次未接通结案",
            "close: customer unreachable",
            fields=(_COMMENT,),
        ),
        transition(
            "callback_declined",
            {Status.REPLIED},
            Status.CLOSED,
            _FRONT,
            "客户拒绝回访",
            "close: customer declined the callback",
            fields=(_COMMENT,),
        ),
        # The regulator's appeal (管局转办) ends settled, not accepted or acknowledged; the
        # service refuses it on complaints the regulator did not transfer.
        transition(
            "appeal_outcome",
            {Status.REPLIED, Status.CLOSED},
            None,
            _FRONT,
            "记录申诉处理结果",
            "record the appeal outcome",
            fields=(_APPEAL_OUTCOME, _COMMENT),
        ),
        transition(
            "archive",
            {Status.CLOSED},
            Status.ARCHIVED,
            _SUPERVISING | {"system"},
            "归档",
            "archive",
        ),
        transition(
            "merge",
            _WORKABLE,
            Status.MERGED,
            _FRONT,
            "合并到其他投诉",
            "merge into another complaint",
            fields=(
                InputField("into", "integer"),
                InputField("reason", "text", required=False, max_chars=1000),
            ),
        ),
        transition(
            "cancel",
            _WORKABLE,
            Status.CANCELLED,
            _FRONT | {"customer"},
            "撤销",
            "cancel (customer withdrew)",
            fields=(_REASON,),
        ),
        transition(
            "reject",
            {Status.ACCEPTED},
            Status.REJECTED,
            _FRONT,
            "不予受理",
            "reject",
            fields=(_REASON,),
        ),
        transition(
            "note",
            OPEN_STATUSES | {Status.CLOSED},
            None,
            STAFF_WRITERS,
            "添加备注",
            "add a note",
            fields=(InputField("text", "text", max_chars=5000),),
        ),
        transition(
            "attach",
            OPEN_STATUSES | {Status.CLOSED},
            None,
            STAFF_WRITERS | {"customer"},
            "添加附件",
            "attach a file",
            fields=(
                InputField("filename", "line", max_chars=255),
                InputField("content_type", "line", max_chars=100),
                InputField("size_bytes", "integer"),
                InputField("sha256", "line", required=False, max_chars=64),
                InputField("storage_ref", "line", required=False, max_chars=500),
            ),
        ),
    ),
    subject="transition",
    illegal_code="illegal_transition",
)
"""Complaints start `accepted` (intake); the pages, the API and the CLI iterate this table."""

TRANSITIONS: Final = COMPLAINT_LIFECYCLE.transitions

SERVICE_FIRED: Final = frozenset({"close_unreachable"})
"""Transitions a service fires as the consequence of another action (the last unreachable
callback attempt), with the acting person recorded; no channel offers them on their own."""

REGULATOR_ONLY: Final = frozenset({"appeal_outcome"})
"""Transitions offered only on complaints the regulator transferred (regulator_transfer)."""


def offered_transitions(
    status: Status | str, role: str, regulator_transfer: bool
) -> list[Transition[Status]]:
    """What a page offers a person in `role` on a complaint in `status`: the allowed
    transitions, less the appeal's outcome on a complaint the regulator did not transfer."""
    return [
        t
        for t in allowed_transitions(status, role)
        if regulator_transfer or t.name not in REGULATOR_ONLY
    ]


def check_transition(name: str, status: Status | str, role: str) -> Transition[Status]:
    """The transition `name` if `role` may fire it from `status`; a DomainError otherwise."""
    return COMPLAINT_LIFECYCLE.check(status, name, role)


def allowed_transitions(status: Status | str, role: str) -> list[Transition[Status]]:
    """What a person in `role` may do now, in table order (pages offer exactly these)."""
    return COMPLAINT_LIFECYCLE.allowed(status, role)


class WorkOrderStatus(StrEnum):
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    RETURNED = "returned"
    TRANSFERRED = "transferred"


WORK_ORDER_LABELS: Final[dict[WorkOrderStatus, tuple[str, str]]] = {
    WorkOrderStatus.DISPATCHED: ("已派单", "Dispatched"),
    WorkOrderStatus.ACCEPTED: ("处理中", "Accepted by unit"),
    WorkOrderStatus.COMPLETED: ("已完成", "Completed"),
    WorkOrderStatus.RETURNED: ("已退回", "Returned"),
    WorkOrderStatus.TRANSFERRED: ("已转派", "Transferred"),
}

OPEN_WORK_ORDER_STATUSES: Final[frozenset[WorkOrderStatus]] = frozenset(
    {WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED}
)

_UNIT: Final = frozenset({"handler", "unit_lead", "supervisor", "admin"})
_UNIT_REASON: Final = InputField("reason", "text", max_chars=2000)

WORK_ORDER_LIFECYCLE: Final = Lifecycle(
    WorkOrderStatus,
    WORK_ORDER_LABELS,
    WorkOrderStatus.DISPATCHED,
    (
        transition(
            "accept",
            {WorkOrderStatus.DISPATCHED},
            WorkOrderStatus.ACCEPTED,
            _UNIT,
            "接单",
            "accept the work order",
        ),
        transition(
            "complete",
            OPEN_WORK_ORDER_STATUSES,
            WorkOrderStatus.COMPLETED,
            _UNIT,
            "办结工单",
            "complete the work order",
            fields=(InputField("result", "text", max_chars=2000),),
        ),
        # Returning or transferring needs a reason and never moves the complaint's ownership:
        # passing the buck (推诿) stays on the record and the owner stays accountable.
        transition(
            "return",
            OPEN_WORK_ORDER_STATUSES,
            WorkOrderStatus.RETURNED,
            _UNIT,
            "退单",
            "return the work order",
            fields=(_UNIT_REASON,),
        ),
        transition(
            "transfer",
            OPEN_WORK_ORDER_STATUSES,
            WorkOrderStatus.TRANSFERRED,
            _UNIT,
            "转派",
            "transfer the work order",
            fields=(
                InputField("unit", "unit"),
                _UNIT_REASON,
                InputField("due_at", "datetime", required=False),
            ),
        ),
        # Work steps (domain.sla.steps): each records one timed moment of a service
        # commitment and keeps the order's status. Arrival is recorded by the technician
        # who accepted the order (its assignee), with the time they arrived.
        transition(
            "feasibility_reply",
            OPEN_WORK_ORDER_STATUSES,
            None,
            _UNIT,
            "答复能否装机",
            "reply whether installation is possible",
            fields=(
                InputField("feasible", "boolean"),
                InputField("answer", "text", required=False, max_chars=2000),
            ),
        ),
        transition(
            "arrive",
            {WorkOrderStatus.ACCEPTED},
            None,
            _UNIT,
            "上门到场",
            "record arrival on site",
            fields=(InputField("arrived_at", "datetime", required=False),),
        ),
        transition(
            "restore",
            OPEN_WORK_ORDER_STATUSES,
            None,
            _UNIT,
            "恢复服务",
            "record service restored",
            fields=(
                InputField("restored_at", "datetime", required=False),
                InputField("answer", "text", required=False, max_chars=2000),
            ),
        ),
    ),
    subject="work order transition",
    illegal_code="illegal_work_order_transition",
    # Work-order events share the complaint's audit trail (services/complaints/audit.py).
    audit_prefix="work_order_",
)
"""Work orders start `dispatched` (the complaint's `dispatch` creates them)."""

WORK_ORDER_TRANSITIONS: Final = WORK_ORDER_LIFECYCLE.transitions


def check_work_order_transition(
    name: str, status: WorkOrderStatus | str, role: str
) -> Transition[WorkOrderStatus]:
    return WORK_ORDER_LIFECYCLE.check(status, name, role)


def ensure_replyable(open_work_orders: int) -> None:
    """A reply closes the handling stage: no unit may still be working on it."""
    if open_work_orders:
        raise DomainError("work_orders_open", count=open_work_orders)
