"""Work steps: the service commitments a work order keeps besides finishing (DOMAIN.md §3).

The published commitments name moments inside a unit's work, each with its own clock:
whether an installation is possible is answered within 24 h (装机可行性答复), a
broadband technician is on site within 30 minutes of the appointment (上门到场), service is
restored within 24 h of a fault report, 48 h urban / 72 h rural at the regulations' outer
limit, and within 48 h of payment (缴费复机), and a line is installed within 15 days of
payment (装机). A step's limit is a policy's limit under the step's name (``limits`` JSON,
the same shape as the stages'), so an operator keeps one policy per commitment; this module
says which steps exist, where each clock starts, what the seeded commitments are, and how a
step is judged. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from careloop.domain.errors import InvalidInput

StepKind = Literal["feasibility", "arrival", "restore", "installation"]
Anchor = Literal["dispatch", "appointment", "payment"]
StepState = Literal["open", "overdue", "on_time", "late", "cancelled"]

STEP_KINDS: Final[dict[str, tuple[str, str]]] = {
    "feasibility": ("装机可行性答复", "Reply whether installation is possible"),
    "arrival": ("上门到场", "Technician on site"),
    "restore": ("恢复服务", "Service restored"),
    "installation": ("装机完成", "Line installed"),
}
"""Every step a work order may carry, in the order a unit meets them, with its label."""

STEP_ANCHORS: Final[dict[str, Anchor]] = {
    "feasibility": "dispatch",
    "arrival": "appointment",
    "restore": "payment",
    "installation": "payment",
}
"""Where a step's clock starts: the dispatch, or the appointment / payment time given at
dispatch (a payment-anchored step without a payment time counts from the dispatch; an
arrival needs an appointment). Restoring after payment (缴费复机) and installing
(15 days of payment) count from the payment; a repair's restore from the dispatch."""

STEP_STATES: Final[dict[str, tuple[str, str]]] = {
    "open": ("进行中", "open"),
    "overdue": ("已超时未完成", "overdue"),
    "on_time": ("按时完成", "on time"),
    "late": ("超时完成", "late"),
    "cancelled": ("已撤销", "cancelled"),
}
LATE_STATES: Final = frozenset({"overdue", "late"})
"""What counts as a late step: done after its due time, or not done and past it."""

STEP_TRANSITIONS: Final[dict[str, str]] = {
    "feasibility_reply": "feasibility",
    "arrive": "arrival",
    "restore": "restore",
}
"""The work-order transition that records each step as done (``lifecycle.tickets``);
completing a work order finishes its open restore and installation steps."""

FINISHED_BY_COMPLETION: Final = frozenset({"restore", "installation"})

_HOUR: Final = 60
_DAY: Final = 24 * _HOUR


def step_label(kind: str, lang: str) -> str:
    zh, en = STEP_KINDS[kind]
    return en if lang.startswith("en") else zh


def state_label(state: str, lang: str) -> str:
    zh, en = STEP_STATES[state]
    return en if lang.startswith("en") else zh


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A step a dispatch opens: its kind, where its clock starts and from when."""

    kind: str
    anchor: Anchor
    started_at: datetime


def plan_steps(
    kinds_with_limits: Mapping[str, Any],
    dispatched_at: datetime,
    appointment_at: datetime | None = None,
    paid_at: datetime | None = None,
) -> list[PlannedStep]:
    """The steps a dispatch opens: one per step the policy sets a limit for, in
    :data:`STEP_KINDS` order, each started at its anchor. Without a payment time a step
    counts from the dispatch; without an appointment there is no visit to be on time for,
    so no arrival step."""
    given: dict[Anchor, datetime | None] = {
        "dispatch": dispatched_at,
        "appointment": appointment_at,
        "payment": paid_at,
    }
    planned = []
    for kind in STEP_KINDS:
        if not kinds_with_limits.get(kind):
            continue
        anchor = STEP_ANCHORS[kind]
        start = given[anchor]
        if start is None and anchor == "appointment":
            continue  # "within 30 minutes of the appointment": no appointment, no visit step
        if start is None:
            anchor, start = "dispatch", dispatched_at
        planned.append(PlannedStep(kind, anchor, start))
    return planned


def judge(
    due_at: datetime, done_at: datetime | None, now: datetime, cancelled: bool = False
) -> StepState:
    """A step's state: done by its due instant is on time (as "within 30 minutes" reads),
    a second later is late; not done and past due is overdue. Never stored as the truth of
    an open step, so no figure waits for a sweep."""
    if cancelled:
        return "cancelled"
    if done_at is not None:
        return "on_time" if done_at <= due_at else "late"
    return "overdue" if now > due_at else "open"


def check_given_times(
    dispatched_at: datetime, appointment_at: datetime | None, paid_at: datetime | None
) -> None:
    """An appointment lies after the last 24 h (a visit agreed on the phone this morning
    may be entered late) and a payment lies before the dispatch, within 60 days: a clock
    counted from either may not start in the future or long ago."""
    if appointment_at is not None and appointment_at < dispatched_at - timedelta(days=1):
        raise InvalidInput("appointment_at", "预约时间不能早于 24 小时前 / more than 24 h ago")
    if paid_at is not None and not (dispatched_at - timedelta(days=60) <= paid_at <= dispatched_at):
        raise InvalidInput(
            "paid_at", "缴费时间应在派单前 60 天内 / within the 60 days before dispatch"
        )


def check_done_at(field: str, done_at: datetime, started_at: datetime, now: datetime) -> datetime:
    """When a step was done, as the technician reports it: not in the future and not
    before the work order was dispatched."""
    if done_at > now:
        raise InvalidInput(field, "不能晚于当前时间 / cannot be in the future")
    if done_at < started_at:
        raise InvalidInput(field, "不能早于派单时间 / cannot be before the dispatch")
    return done_at


@dataclass(frozen=True, slots=True)
class Commitment:
    """A published service commitment as a policy: what it matches and its limits
    (``{"stage or step": {"minutes": m, "basis": b}}``); the demo seeds these."""

    code: str
    name_zh: str
    name_en: str
    limits: Mapping[str, Mapping[str, Any]]
    match_category: str | None = None
    match_tier: str | None = None
    match_area: str | None = None
    rank: int = 50


def _cal(minutes: int) -> dict[str, Any]:
    return {"minutes": minutes, "basis": "calendar"}


def _days(days: int) -> dict[str, Any]:
    """A period in calendar days as the Civil Code counts it (``domain.sla.clocks``): from
    the next day, due at the end of the last, a last day on a holiday moved after it."""
    return {"count": "calendar_days", "days": days}


_LEGAL_REPLY: Final = _days(15)
"""The outer limit for answering any complaint (MIIT order 35): kept in every commitment,
counted as the seeded ordinary-complaint policy counts it (migration 0013)."""
_BASE: Final = {
    "reply": _LEGAL_REPLY,
    "first_contact": _cal(24 * _HOUR),
    "acceptance": {"minutes": 540, "basis": "working"},
    "work_order": _cal(48 * _HOUR),
    "callback": _cal(3 * _DAY),
}
"""The stages every commitment keeps as the seeded ordinary-complaint policy has them
(migration 0002): a commitment adds its steps and shortens what it promises."""

_REPAIR: Final = {"work_order": _cal(24 * _HOUR), "arrival": _cal(30)}
"""Repair (修障): restored within 24 h (published), a technician on site within 30 minutes
of an agreed appointment (broadband repair)."""
_INSTALL: Final = {"feasibility": _cal(24 * _HOUR), "installation": _days(15)}
_FIRST_RESPONSE: Final = {"first_contact": _cal(3 * _HOUR)}

COMMITMENTS: Final[tuple[Commitment, ...]] = (
    Commitment(
        "installation",
        "装机承诺：缴费后15天内装机，24小时内答复能否装机",
        "Installation: installed within 15 days of payment, feasibility reply within 24 h",
        {**_BASE, **_INSTALL},
        match_category="installation",
    ),
    Commitment(
        "repair",
        "修障承诺：24小时修复，预约上门30分钟内到场，最迟48小时恢复",
        "Repair: restored within 24 h, on site within 30 min of the appointment, 48 h at most",
        {**_BASE, **_REPAIR, "restore": _cal(48 * _HOUR)},
        match_category="broadband",
    ),
    Commitment(
        "repair_urban",
        "修障承诺（城市）：24小时修复，最迟48小时恢复",
        "Repair (urban): restored within 24 h, 48 h at the latest",
        {**_BASE, **_REPAIR, "restore": _cal(48 * _HOUR)},
        match_category="broadband",
        match_area="urban",
    ),
    Commitment(
        "repair_rural",
        "修障承诺（农村）：24小时修复，最迟72小时恢复",
        "Repair (rural): restored within 24 h, 72 h at the latest",
        {**_BASE, **_REPAIR, "restore": _cal(72 * _HOUR)},
        match_category="broadband",
        match_area="rural",
    ),
    Commitment(
        "restore_after_payment",
        "缴费复机承诺：缴费后48小时内恢复服务",
        "Restore after payment: service back within 48 h of payment",
        {**_BASE, "restore": _cal(48 * _HOUR)},
        match_category="billing.dispute",
    ),
    Commitment(
        "enterprise_first_response",
        "政企客户承诺：3小时内首次响应",
        "Government and enterprise customers: first response within 3 hours",
        {**_BASE, **_FIRST_RESPONSE},
        match_tier="enterprise",
        rank=60,
    ),
    Commitment(
        "enterprise_repair",
        "政企客户修障承诺：3小时内首次响应，24小时修复，最迟48小时恢复",
        "Enterprise repair: first response within 3 h, restored within 24 h, 48 h at most",
        {**_BASE, **_FIRST_RESPONSE, **_REPAIR, "restore": _cal(48 * _HOUR)},
        match_category="broadband",
        match_tier="enterprise",
        rank=60,
    ),
    Commitment(
        "enterprise_installation",
        "政企客户装机承诺：3小时内首次响应，24小时内答复能否装机，15天内装机",
        "Enterprise installation: first response in 3 h, feasibility in 24 h, installed in 15 days",
        {**_BASE, **_FIRST_RESPONSE, **_INSTALL},
        match_category="installation",
        match_tier="enterprise",
        rank=60,
    ),
)
"""The commitments of DOMAIN.md §3 as policies. A broadband fault in a region that says
whether it is urban or rural is held to that area's restore limit (more specific than the
area-blind repair commitment, which keeps the stricter 48 h); business customers' policies
outrank the others and keep the repair and installation steps of their category. All rank
below the seeded escalated-complaint policy (rank 100), whose short limits an escalation
must keep."""
