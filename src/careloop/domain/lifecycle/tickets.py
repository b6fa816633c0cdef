"""The complaint lifecycle (DOMAIN.md §2): accept → handle → reply → callback → archive.

One explicit transition table, modelled on Request Tracker's lifecycles: every status change
is a named transition with the statuses it may start from, the status it leads to and the
roles that may fire it. Services look transitions up here and nowhere else, so the rule the
API enforces is the rule the web page offers and the CLI obeys.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from careloop.domain.errors import DomainError


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


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None
    """None: the action keeps the status (a note, a self-dispatch in progress)."""
    roles: frozenset[str]
    name_zh: str
    name_en: str

    def label(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


def _t(
    name: str,
    sources: set[Status] | set[WorkOrderStatus] | frozenset[Status],
    target: str | None,
    roles: set[str] | frozenset[str],
    zh: str,
    en: str,
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(roles), zh, en)


_TABLE: Final[tuple[Transition, ...]] = (
    _t(
        "handle", {Status.ACCEPTED}, Status.IN_PROGRESS, STAFF_WRITERS, "开始处理", "start handling"
    ),
    # Dispatch from `accepted` starts handling; later dispatches keep the complaint in progress.
    _t(
        "dispatch",
        {Status.ACCEPTED, Status.IN_PROGRESS},
        Status.IN_PROGRESS,
        _FRONT,
        "派单",
        "dispatch",
    ),
    # Waiting on the customer pauses the clock (DOMAIN.md §3); only the customer's answer
    # or a staff member resumes it.
    _t(
        "pause",
        {Status.ACCEPTED, Status.IN_PROGRESS},
        Status.PENDING_CUSTOMER,
        STAFF_WRITERS,
        "挂起待客户反馈",
        "pause (wait on customer)",
    ),
    _t(
        "resume",
        {Status.PENDING_CUSTOMER},
        Status.IN_PROGRESS,
        STAFF_WRITERS | {"system", "customer"},
        "恢复处理",
        "resume",
    ),
    _t(
        "reply",
        {Status.ACCEPTED, Status.IN_PROGRESS},
        Status.REPLIED,
        STAFF_WRITERS,
        "答复客户",
        "reply to the customer",
    ),
    _t(
        "callback_satisfied",
        {Status.REPLIED},
        Status.CLOSED,
        _FRONT | {"customer"},
        "回访满意",
        "record a satisfied callback",
    ),
    # A dissatisfied callback reopens the complaint: back to handling, same owner.
    _t(
        "reopen",
        {Status.REPLIED},
        Status.IN_PROGRESS,
        _FRONT | {"customer"},
        "回访不满意重启",
        "reopen after a dissatisfied callback",
    ),
    _t("archive", {Status.CLOSED}, Status.ARCHIVED, _SUPERVISING | {"system"}, "归档", "archive"),
    _t("merge", _WORKABLE, Status.MERGED, _FRONT, "合并到其他投诉", "merge into another complaint"),
    _t(
        "cancel",
        _WORKABLE,
        Status.CANCELLED,
        _FRONT | {"customer"},
        "撤销",
        "cancel (customer withdrew)",
    ),
    _t("reject", {Status.ACCEPTED}, Status.REJECTED, _FRONT, "不予受理", "reject"),
    _t(
        "note",
        OPEN_STATUSES | {Status.CLOSED},
        None,
        STAFF_WRITERS,
        "添加备注",
        "add a note",
    ),
    _t(
        "attach",
        OPEN_STATUSES | {Status.CLOSED},
        None,
        STAFF_WRITERS | {"customer"},
        "添加附件",
        "attach a file",
    ),
)

TRANSITIONS: Final[dict[str, Transition]] = {t.name: t for t in _TABLE}


def check_role(name: str, role: str) -> Transition:
    """The transition `name` if `role` may ever fire it; checked before anything else, so
    someone without the right learns nothing about the complaint's state or version."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise DomainError("not_found", what="transition", ident=name)
    if role not in transition.roles:
        raise DomainError("role_not_allowed", role=role, action=name)
    return transition


def check_transition(name: str, status: Status | str, role: str) -> Transition:
    """The transition `name` if `role` may fire it from `status`; a DomainError otherwise."""
    transition = check_role(name, role)
    current = Status(status)
    if current not in transition.sources:
        raise DomainError("illegal_transition", status=current.value, action=name)
    return transition


def allowed_transitions(status: Status | str, role: str) -> list[Transition]:
    """What a person in `role` may do now, in table order (pages offer exactly these)."""
    current = Status(status)
    return [t for t in _TABLE if current in t.sources and role in t.roles]


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

_WORK_ORDER_TABLE: Final[tuple[Transition, ...]] = (
    _t(
        "accept",
        {WorkOrderStatus.DISPATCHED},
        WorkOrderStatus.ACCEPTED,
        _UNIT,
        "接单",
        "accept the work order",
    ),
    _t(
        "complete",
        set(OPEN_WORK_ORDER_STATUSES),
        WorkOrderStatus.COMPLETED,
        _UNIT,
        "办结工单",
        "complete the work order",
    ),
    # Returning or transferring needs a reason and never moves the complaint's ownership:
    # passing the buck (推诿) stays on the record and the owner stays accountable.
    _t(
        "return",
        set(OPEN_WORK_ORDER_STATUSES),
        WorkOrderStatus.RETURNED,
        _UNIT,
        "退单",
        "return the work order",
    ),
    _t(
        "transfer",
        set(OPEN_WORK_ORDER_STATUSES),
        WorkOrderStatus.TRANSFERRED,
        _UNIT,
        "转派",
        "transfer the work order",
    ),
)

WORK_ORDER_TRANSITIONS: Final[dict[str, Transition]] = {t.name: t for t in _WORK_ORDER_TABLE}


def check_work_order_role(name: str, role: str) -> Transition:
    transition = WORK_ORDER_TRANSITIONS.get(name)
    if transition is None:
        raise DomainError("not_found", what="work order transition", ident=name)
    if role not in transition.roles:
        raise DomainError("role_not_allowed", role=role, action=name)
    return transition


def check_work_order_transition(name: str, status: WorkOrderStatus | str, role: str) -> Transition:
    transition = check_work_order_role(name, role)
    current = WorkOrderStatus(status)
    if current not in transition.sources:
        raise DomainError("illegal_work_order_transition", status=current.value, action=name)
    return transition


def ensure_replyable(open_work_orders: int) -> None:
    """A reply closes the handling stage: no unit may still be working on it."""
    if open_work_orders:
        raise DomainError("work_orders_open", count=open_work_orders)
