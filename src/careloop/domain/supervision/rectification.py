"""Rectification tasks (督促整改): the closed loop behind every failed inspection item.

A finding (a failed mandatory item of a store visit, a failed dial test, a social
supervisor's failed observation, a complaint judged a unit's fault) becomes a task owned by
one unit, with a deadline counted on the business calendar by the SLA engine's own rules
(``domain.sla.clocks``: a period of working days ends at 24:00 of the last one). The unit
works on it and submits it for a check with evidence (a photo or file reference, or a
written account) and the actions taken; a task without evidence is never closed. The
re-inspection confirms it (closed) or fails it (reopened, with a new deadline counted
again from the failed check). A task still open past its deadline escalates to the owner
unit's superior through the SLA engine's escalation steps (``domain.sla.escalation``).

Every status change is a named transition of the table below, with the roles that may
fire it, so the API, the pages and the CLI offer what the services enforce. Pure: no I/O,
no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Final

from careloop.domain.errors import WordedError
from careloop.domain.lifecycle.machine import InputField, Lifecycle, transition
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import (
    DEFAULT_WARN_SHARE,
    ClockState,
    SlaLimit,
    compute_clock,
    limit_from_terms,
    period_end,
)
from careloop.domain.sla.escalation import EscalationStep, due_alerts
from careloop.domain.sla.policies import NOTIFY_CHANNELS


class RectificationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CLOSED = "closed"
    REOPENED = "reopened"


STATUS_LABELS: Final[dict[RectificationStatus, tuple[str, str]]] = {
    RectificationStatus.OPEN: ("待整改", "To rectify"),
    RectificationStatus.IN_PROGRESS: ("整改中", "Being rectified"),
    RectificationStatus.SUBMITTED: ("待复查", "Waiting for re-inspection"),
    RectificationStatus.CLOSED: ("已销号", "Closed after re-inspection"),
    RectificationStatus.REOPENED: ("复查未通过，重新整改", "Re-inspection failed: rectify again"),
}

WORKING_STATUSES: Final[frozenset[RectificationStatus]] = frozenset(
    {RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS, RectificationStatus.REOPENED}
)
"""The unit still owes the rectification: its deadline runs and may escalate."""

OPEN_STATUSES: Final[frozenset[RectificationStatus]] = WORKING_STATUSES | {
    RectificationStatus.SUBMITTED
}
"""Not closed yet (the unit's list shows these)."""

UNIT_ROLES: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin"}
)
"""The owner unit's staff do the rectification (a hotline's are agents), and only they or
the units above them (``check_owner``); supervisors may act for a unit."""

CHECK_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin"})
"""The re-inspection (复查) is the quality centre's: the unit never checks itself."""

OPENER_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin", "unit_lead", "system"})
"""Who opens a task: inspectors of the quality centre (supervisors), a unit lead for a
finding in their own region, and the services themselves (an inspection's failed item)."""

READER_ROLES: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin", "inspector"}
)
"""Everybody reads the tasks of their scope; the regulator's inspector only reads."""

SOURCE_KINDS: Final[dict[str, tuple[str, str]]] = {
    "inspection": ("检查发现问题", "Inspection finding"),
    "dial_test": ("拨测不合格", "Failed dial test"),
    "social_supervision": ("社会监督员反映", "Social supervisor's finding"),
    "complaint": ("投诉暴露问题", "Complaint finding"),
    "rectification": ("整改延伸问题", "Follow-up of a rectification"),
}
"""Where a task came from (``FindingRef.kind``), in words."""

TITLE_MAX_CHARS: Final = 100
DETAIL_MAX_CHARS: Final = 2000
ACTIONS_MAX_CHARS: Final = 2000
EVIDENCE_TEXT_MAX_CHARS: Final = 2000
EVIDENCE_REF_MAX_CHARS: Final = 500
REASON_MAX_CHARS: Final = 1000
ITEM_MAX_CHARS: Final = 60

_ACTIONS: Final = InputField("actions_taken", "text", max_chars=ACTIONS_MAX_CHARS)
_EVIDENCE_TEXT: Final = InputField(
    "evidence_text", "text", required=False, max_chars=EVIDENCE_TEXT_MAX_CHARS
)
_EVIDENCE_REF: Final = InputField(
    "evidence_ref", "line", required=False, max_chars=EVIDENCE_REF_MAX_CHARS
)
_REASON: Final = InputField("reason", "text", max_chars=REASON_MAX_CHARS)
_CHECK_NOTE: Final = InputField("note", "text", required=False, max_chars=REASON_MAX_CHARS)

S = RectificationStatus

RECTIFICATION_LIFECYCLE: Final = Lifecycle(
    RectificationStatus,
    STATUS_LABELS,
    RectificationStatus.OPEN,
    (
        transition("start", {S.OPEN, S.REOPENED}, S.IN_PROGRESS, UNIT_ROLES, "开始整改", "start"),
        # Submitting stops the unit's clock; it needs evidence (check_evidence).
        transition(
            "submit",
            WORKING_STATUSES,
            S.SUBMITTED,
            UNIT_ROLES,
            "提交复查",
            "submit for re-inspection",
            fields=(_ACTIONS, _EVIDENCE_REF, _EVIDENCE_TEXT),
        ),
        transition(
            "confirm",
            {S.SUBMITTED},
            S.CLOSED,
            CHECK_ROLES,
            "复查通过，销号",
            "confirm on re-inspection (close)",
            fields=(_CHECK_NOTE,),
        ),
        # A failed check sends it back with a new deadline, counted from the check.
        transition(
            "fail",
            {S.SUBMITTED},
            S.REOPENED,
            CHECK_ROLES,
            "复查不通过，退回重新整改",
            "fail on re-inspection (reopen)",
            fields=(_REASON,),
        ),
        transition(
            "note",
            OPEN_STATUSES,
            None,
            UNIT_ROLES,
            "添加备注",
            "add a note",
            fields=(InputField("text", "text", max_chars=2000),),
        ),
    ),
    subject="rectification transition",
    illegal_code="illegal_rectification_transition",
    audit_prefix="",
)
"""Tasks start ``open`` (``open_rectification``); channels iterate this table."""


class RectificationError(WordedError):
    """A refusal of this context, its wording kept here (zh first, en); ``key`` picks the
    wording, the machine code stays stable for clients."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "missing": (
            "not_found",
            404,
            "整改任务不存在：{ident}",
            "Rectification task not found: {ident}",
        ),
        "evidence": (
            "rectification_evidence_required",
            422,
            "没有整改佐证材料，不能提交复查或销号：请上传照片或文件（填写其存放位置），"
            "或用文字说明整改情况",
            "A rectification is not closed without evidence: attach a photo or file "
            "(its reference) or describe what was done",
        ),
        "illegal": (
            "illegal_rectification_transition",
            409,
            "整改任务当前状态为「{status_zh}」，不能执行「{action_zh}」",
            "Cannot {action_en}: the rectification task is '{status_en}'",
        ),
        "owner": (
            "not_owner_unit",
            403,
            "只有责任单位「{unit_zh}」及其上级单位的人员可以办理此整改任务",
            "Only staff of the owner unit '{unit_en}' or the units above it may work on this task",
        ),
        "unit": (
            "invalid_input",
            422,
            "责任单位无效：没有编码为「{ident}」的单位，或不在您的管辖范围内",
            "Unit is invalid: no unit '{ident}' within your scope",
        ),
        "source": (
            "invalid_input",
            422,
            "来源类型无效：「{ident}」，可选：{allowed_zh}",
            "Source kind is invalid: '{ident}' (allowed: {allowed_en})",
        ),
        "policy": (
            "invalid_input",
            422,
            "整改时限设置无效：{reason}",
            "The rectification limit is invalid: {reason}",
        ),
    }


def not_found(ident: object) -> RectificationError:
    return RectificationError("missing", ident=ident)


def check_source_kind(kind: str) -> None:
    if kind not in SOURCE_KINDS:
        raise RectificationError(
            "source",
            ident=kind,
            allowed_zh="、".join(f"{zh}（{code}）" for code, (zh, _) in SOURCE_KINDS.items()),
            allowed_en=", ".join(SOURCE_KINDS),
        )


def check_transition(name: str, status: RectificationStatus | str, role: str) -> None:
    """Role first (a 403 says nothing about the task), then state (a 409 in words)."""
    found = RECTIFICATION_LIFECYCLE.check_role(name, role)
    current = RECTIFICATION_LIFECYCLE.status(status)
    if current not in found.sources:
        zh, en = STATUS_LABELS[current]
        raise RectificationError(
            "illegal",
            status=current.value,
            action=name,
            status_zh=zh,
            status_en=en,
            action_zh=found.label("zh"),
            action_en=found.label("en"),
        )


def check_owner(role: str, own_path: str, unit_path: str, unit_names: tuple[str, str]) -> None:
    """The unit's work is the unit's: a member of staff of another unit in the same city
    may read the task but not submit it; the quality centre may act for any unit."""
    if role in CHECK_ROLES or unit_path.startswith(own_path):
        return
    raise RectificationError("owner", unit_zh=unit_names[0], unit_en=unit_names[1])


def status_label(status: str, lang: str) -> str:
    return RECTIFICATION_LIFECYCLE.label(status, lang)


def source_label(kind: str, lang: str) -> str:
    zh, en = SOURCE_KINDS.get(kind, (kind, kind))
    return en if lang.startswith("en") else zh


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a unit shows for its rectification: a reference to a photo or file (where it
    is stored), or a written account, or both."""

    ref: str | None = None
    text: str | None = None

    @property
    def given(self) -> bool:
        return bool((self.ref or "").strip() or (self.text or "").strip())


def check_evidence(evidence: Evidence) -> None:
    """A rectification is never submitted or closed without evidence (the brief's rule:
    "closed only with evidence"); the refusal says what to give."""
    if not evidence.given:
        raise RectificationError("evidence")


# --- deadlines and escalation on the SLA engine ------------------------------------------

SUPERIOR: Final = "superior"
"""Escalation target: the owner unit's parent in the org tree (上级单位)."""
PROVINCE: Final = "province"
"""Escalation target: the province's quality centre."""
ESCALATION_TARGETS: Final = (SUPERIOR, PROVINCE)


@dataclass(frozen=True, slots=True)
class RectificationPolicy:
    """The time a unit has to rectify a finding of one source kind, as the SLA engine
    counts it (``limits`` JSON of the SLA policies: ``{"count": "working_days", "days":
    5}``), the warning share and the escalation steps (``{"level": 1, "to": "superior",
    "after_minutes": 0}``: overrun minutes in the limit's basis)."""

    source_kind: str
    limit: SlaLimit
    warn_share: float = DEFAULT_WARN_SHARE
    escalation: tuple[Mapping[str, Any], ...] = field(
        default_factory=lambda: ({"level": 1, "to": SUPERIOR, "after_minutes": 0},)
    )


def _working_days(kind: str, days: int) -> RectificationPolicy:
    return RectificationPolicy(kind, SlaLimit.in_days(days, "working"))


DEFAULT_POLICIES: Final[dict[str, RectificationPolicy]] = {
    "inspection": _working_days("inspection", 5),
    "dial_test": _working_days("dial_test", 2),
    "social_supervision": _working_days("social_supervision", 5),
    "complaint": _working_days("complaint", 3),
    "rectification": _working_days("rectification", 5),
}
"""Seeded limits (the operator edits them per source kind): a store visit's finding 5
working days, a failed hotline dial test 2 (the hotline is the customer's first contact),
a complaint's finding 3."""


def policy_from_terms(
    source_kind: str,
    limits: Mapping[str, Any],
    warn_share: float = DEFAULT_WARN_SHARE,
    escalation: Sequence[Mapping[str, Any]] | None = None,
) -> RectificationPolicy:
    """A policy as stored or as an operator typed it; a RectificationError in words
    for anything the clocks could not keep."""
    check_source_kind(source_kind)
    try:
        limit = limit_from_terms(limits)
    except (KeyError, TypeError, ValueError) as exc:
        raise RectificationError(
            "policy", reason=f"时限格式无效，例如 5 个工作日 / {exc}"
        ) from None
    if not 0 < warn_share <= 1:
        raise RectificationError("policy", reason="预警比例应在 (0, 1] 之间 / warn share in (0, 1]")
    steps = (
        tuple(escalation)
        if escalation is not None
        else RectificationPolicy(source_kind, limit).escalation
    )
    for step in steps:
        if not isinstance(step, Mapping):
            raise RectificationError("policy", reason="升级规则格式错误 / a step is an object")
        if step.get("channel", "email") not in NOTIFY_CHANNELS:
            raise RectificationError(
                "policy", reason="通知渠道应为 sms、email 或 webhook / channel: sms, email, webhook"
            )
        try:
            level, after = int(step.get("level", 0)), int(step.get("after_minutes", 0))
        except (TypeError, ValueError, OverflowError):
            raise RectificationError(
                "policy",
                reason="级别和超时分钟数应为整数 / level and after_minutes are whole numbers",
            ) from None
        if not (1 <= level <= 10 and 0 <= after <= 10_000_000):
            raise RectificationError(
                "policy",
                reason="级别为 1 到 10，超时分钟数不小于 0 / level 1–10, after_minutes ≥ 0",
            )
        if step.get("to") not in ESCALATION_TARGETS:
            raise RectificationError(
                "policy", reason="升级对象应为上级单位或省公司 / to: superior or province"
            )
    return RectificationPolicy(source_kind, limit, warn_share, steps)


def deadline(
    started_at: datetime, policy: RectificationPolicy, calendar: WorkingCalendar
) -> datetime:
    """When a task opened (or reopened) at ``started_at`` is due: the SLA engine's own
    period arithmetic (``clocks.period_end``), the business calendar's holidays and make-up
    working days included."""
    return period_end(started_at, policy.limit, calendar)


def clock(
    started_at: datetime,
    limit: SlaLimit,
    calendar: WorkingCalendar,
    now: datetime,
    *,
    submitted_at: datetime | None = None,
    warn_share: float = DEFAULT_WARN_SHARE,
) -> ClockState:
    """The task's deadline clock at ``now`` (the one ``compute_clock`` every page and the
    sweeper share); a submitted task's clock stopped when it was submitted."""
    return compute_clock(
        started_at, limit, calendar, now, warn_share=warn_share, stopped_at=submitted_at
    )


def escalations_due(
    state: ClockState, sent: set[str] | frozenset[str], steps: Sequence[EscalationStep]
) -> list[str]:
    """The escalation steps (``escalation:N``) due now and not recorded yet in this cycle;
    the warning and breach themselves are the clock's business, not a record of ours."""
    return [k for k in due_alerts(state, sent, steps) if k.startswith("escalation:")]


def step_of(kind: str, steps: Sequence[EscalationStep]) -> EscalationStep:
    level = int(kind.partition(":")[2])
    return next(s for s in steps if int(s["level"]) == level)


def remaining_words(
    due_at: datetime, now: datetime, lang: str, *, submitted_late: bool | None = None
) -> str:
    """剩余 2天3小时 / 超时 5小时 as the unit's list shows it: real time to or past the due
    instant (a person plans in hours of the day, not in business minutes); a submitted
    task says whether it came in on time."""
    en = lang.startswith("en")
    if submitted_late is not None:
        if en:
            return "submitted late" if submitted_late else "submitted on time"
        return "超时提交" if submitted_late else "按时提交"
    minutes = int((due_at - now).total_seconds() // 60)
    if minutes < 0:
        amount = _duration(-minutes, en)
        return f"overdue by {amount}" if en else f"超时 {amount}"
    amount = _duration(minutes, en)
    return f"{amount} left" if en else f"剩余 {amount}"


def _duration(minutes: int, en: bool) -> str:
    days, rest = divmod(max(0, minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "天", "d"), (hours, "小时", "h"), (mins, "分钟", "min")]
    shown = [f"{n} {u_en}" if en else f"{n}{u_zh}" for n, u_zh, u_en in parts if n]
    return (" " if en else "").join(shown[:2]) or ("0 min" if en else "0分钟")
