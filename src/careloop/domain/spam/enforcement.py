"""Enforcement against spamming ports (端口处置): thresholds, cases, sanctions and appeals.

Enforcement runs like a complaint: a port's day of reports (``PortDayCounts``) that crosses
the thresholds opens a case with an owner unit and a deadline on the SLA engine; the owner
unit acts on the port (warn, throttle, suspend, close), each action with evidence and the
person who decided; a suspended port's customer may appeal once and the quality centre
upholds the suspension or lifts it, and once the enterprise has rectified (整改完成) a
unit lead or the quality centre reinstates the port; a closed port stays blocked for good
(DOMAIN.md §7: 1 261 ports cleaned up, 66 closed in one city's year). The unsubscribe
rule (``0000``) and the consent rule make a report *serious*: a message sent after an
unsubscribe, or without the recipient's consent, raises the case's severity and alone is
enough to open one.

Thresholds are data (``DEFAULT_THRESHOLDS``, overridable per region by rows the operator
keeps); the lifecycle is a transition table with the roles per transition, like the
other lifecycles (``domain.lifecycle.machine``). Pure: no I/O, ``now`` injected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Final

from careloop.domain.errors import WordedError
from careloop.domain.lifecycle.machine import InputField, Lifecycle, transition
from careloop.domain.org import ancestor_ids
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import DEFAULT_WARN_SHARE, ClockState, SlaLimit, compute_clock
from careloop.domain.spam.reports import PortDayCounts

# --- severity and thresholds -------------------------------------------------------------


class Severity(StrEnum):
    MODERATE = "moderate"
    MAJOR = "major"
    SERIOUS = "serious"


SEVERITY_ORDER: Final[tuple[Severity, ...]] = (Severity.MODERATE, Severity.MAJOR, Severity.SERIOUS)
"""Lowest first; a worse case sorts first on the list (``severity_rank``)."""

SEVERITY_LABELS: Final[dict[Severity, tuple[str, str]]] = {
    Severity.MODERATE: ("一般", "Moderate"),
    Severity.MAJOR: ("较重", "Major"),
    Severity.SERIOUS: ("严重", "Serious"),
}


def severity_rank(severity: Severity | str) -> int:
    """0 for moderate … 2 for serious."""
    return SEVERITY_ORDER.index(Severity(severity))


def severity_label(severity: Severity | str, lang: str) -> str:
    zh, en = SEVERITY_LABELS[Severity(severity)]
    return en if lang.startswith("en") else zh


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a port's day opens a case, and how severe it is.

    A case opens when the day has at least ``min_reports`` reports from at least
    ``min_reporters`` distinct people *and* the classifier judged at least ``min_spam_share``
    of the classified ones spam (a day nobody classified is not held back by the share), or
    when ``serious_to_open`` serious reports came in (sending after ``0000`` or without
    consent is a violation in itself, whatever the volume). Severity: moderate; major from
    ``major_reports`` or ``major_reporters``; serious from ``serious_reports`` or
    ``serious_reporters``; any serious report raises it one step.
    """

    min_reports: int = 20
    min_reporters: int = 10
    min_spam_share: float = 0.6
    serious_to_open: int = 3
    major_reports: int = 100
    major_reporters: int = 50
    serious_reports: int = 500
    serious_reporters: int = 300

    def as_terms(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_THRESHOLDS: Final = Thresholds()
"""Seeds, documented in docs/spam-enforcement.md: 20 reports from 10 people a day with 60 %
judged spam, or 3 serious reports; major from 100 reports or 50 people, serious from 500 or
300 (the campaign of the acceptance fixture, 300 reporters, is serious)."""

_SHARE_FIELDS: Final = frozenset({"min_spam_share"})


def thresholds_from_terms(
    terms: Mapping[str, Any], base: Thresholds = DEFAULT_THRESHOLDS
) -> Thresholds:
    """Thresholds as an operator wrote them (only the keys given change ``base``); an
    EnforcementError in words for anything a rule could not be read from."""
    known = {f.name for f in fields(Thresholds)}
    unknown = sorted(set(terms) - known)
    if unknown:
        raise EnforcementError(
            "thresholds", reason=f"未知的阈值项 / unknown keys: {', '.join(unknown)}"
        )
    values: dict[str, Any] = {}
    for key, raw in terms.items():
        if key in _SHARE_FIELDS:
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
                raise EnforcementError(
                    "thresholds", reason=f"{key} 应为 0 到 1 之间的比例 / a share from 0 to 1"
                )
            values[key] = float(raw)
        else:
            if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 10_000_000:
                raise EnforcementError(
                    "thresholds", reason=f"{key} 应为正整数 / a whole number from 1"
                )
            values[key] = raw
    result = replace(base, **values)
    if not (result.min_reports <= result.major_reports <= result.serious_reports):
        raise EnforcementError(
            "thresholds",
            reason="举报量阈值应逐级递增 / report thresholds must rise: open ≤ major ≤ serious",
        )
    if not (result.min_reporters <= result.major_reporters <= result.serious_reporters):
        raise EnforcementError(
            "thresholds",
            reason="举报人数阈值应逐级递增 / reporter thresholds must rise: open ≤ major ≤ serious",
        )
    return result


def thresholds_for(region_path: str, by_path: Mapping[str, Thresholds]) -> Thresholds:
    """The thresholds that hold for a region: the nearest unit on its path with its own
    row (a city's rows win over the province's), else the defaults."""
    ids = ancestor_ids(region_path)
    for depth in range(len(ids), 0, -1):
        path = "/" + "/".join(str(i) for i in ids[:depth]) + "/"
        if path in by_path:
            return by_path[path]
    return DEFAULT_THRESHOLDS


REASONS: Final[dict[str, tuple[str, str]]] = {
    "volume": ("举报量与举报人数超过阈值", "Reports and reporters above the thresholds"),
    "serious": (
        "存在退订（0000）后仍发送或未经同意发送的严重违规举报",
        "Serious reports: sent after an unsubscribe (0000) or without consent",
    ),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a port's day calls for: ``open`` a case of ``severity``, and why."""

    open: bool
    severity: Severity | None
    reasons: tuple[str, ...]


def assess(counts: PortDayCounts, limits: Thresholds = DEFAULT_THRESHOLDS) -> Verdict:
    """Whether a port's day opens a case and how severe it is (``Thresholds``)."""
    share_ok = counts.spam_share is None or counts.spam_share >= limits.min_spam_share
    volume = (
        counts.reports >= limits.min_reports
        and counts.distinct_reporters >= limits.min_reporters
        and share_ok
    )
    serious = counts.serious >= limits.serious_to_open
    reasons = tuple(r for r, hit in (("volume", volume), ("serious", serious)) if hit)
    if not reasons:
        return Verdict(False, None, ())
    rank = 0
    if (
        counts.reports >= limits.major_reports
        or counts.distinct_reporters >= limits.major_reporters
    ):
        rank = 1
    if (
        counts.reports >= limits.serious_reports
        or counts.distinct_reporters >= limits.serious_reporters
    ):
        rank = 2
    if counts.serious > 0:
        rank += 1  # the unsubscribe / consent rule: a serious report raises severity
    return Verdict(True, SEVERITY_ORDER[min(rank, 2)], reasons)


def reason_label(code: str, lang: str) -> str:
    zh, en = REASONS.get(code, (code, code))
    return en if lang.startswith("en") else zh


def worse(a: Severity | str, b: Severity | str) -> Severity:
    """The worse of two severities (a case already open only ever gets worse)."""
    return SEVERITY_ORDER[max(severity_rank(a), severity_rank(b))]


# --- the case lifecycle ------------------------------------------------------------------


class CaseStatus(StrEnum):
    OPEN = "open"
    WARNED = "warned"
    THROTTLED = "throttled"
    SUSPENDED = "suspended"
    APPEALED = "appealed"
    PORT_CLOSED = "port_closed"
    RESOLVED = "resolved"


STATUS_LABELS: Final[dict[CaseStatus, tuple[str, str]]] = {
    CaseStatus.OPEN: ("待处置", "Open"),
    CaseStatus.WARNED: ("已警告", "Warned"),
    CaseStatus.THROTTLED: ("已限速", "Throttled"),
    CaseStatus.SUSPENDED: ("已暂停端口", "Port suspended"),
    CaseStatus.APPEALED: ("申诉中", "Under appeal"),
    CaseStatus.PORT_CLOSED: ("已关停端口", "Port closed"),
    CaseStatus.RESOLVED: ("已办结", "Resolved"),
}

FINAL_STATUSES: Final = frozenset({CaseStatus.PORT_CLOSED, CaseStatus.RESOLVED})
"""Nothing follows: a closed port stays closed, a resolved case stays resolved (a new day
over the thresholds opens a new case)."""

ACTIVE_STATUSES: Final = frozenset(CaseStatus) - FINAL_STATUSES
"""A port has at most one case in these at a time (the daily opening is idempotent)."""

HANDLER_ROLES: Final = frozenset({"handler", "unit_lead", "supervisor", "admin"})
"""The owner unit's staff (and the quality centre acting for it) warn and throttle; the
hotline's agents only read."""
SANCTION_ROLES: Final = frozenset({"unit_lead", "supervisor", "admin"})
"""Suspending or closing a port cuts off an enterprise customer's messages: a unit lead or
the quality centre decides it, never a handler alone."""
DECIDER_ROLES: Final = frozenset({"supervisor", "admin"})
"""The quality centre decides appeals (never the unit that suspended the port)."""
APPELLANT_ROLES: Final = frozenset({"agent", "handler", "unit_lead", "supervisor", "admin"})
"""An appeal is the port's customer's (an enterprise or SP, which has no account here): staff
record it on the customer's behalf, naming who appealed; a self-service subscriber account
(role ``customer``) is a private person and may not appeal for an enterprise's port."""
READER_ROLES: Final = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin", "inspector"}
)
"""Everybody reads the cases of their scope; the regulator's inspector only reads."""

EVIDENCE_MAX_CHARS: Final = 2000
EVIDENCE_REF_MAX_CHARS: Final = 500
REASON_MAX_CHARS: Final = 1000
APPELLANT_MAX_CHARS: Final = 100
PORT_MAX_CHARS: Final = 32

_EVIDENCE: Final = InputField("evidence", "text", required=False, max_chars=EVIDENCE_MAX_CHARS)
_EVIDENCE_REF: Final = InputField(
    "evidence_ref", "line", required=False, max_chars=EVIDENCE_REF_MAX_CHARS
)
_REASON: Final = InputField("reason", "text", max_chars=REASON_MAX_CHARS)
_NOTE: Final = InputField("note", "text", max_chars=REASON_MAX_CHARS)
_APPELLANT: Final = InputField("appellant", "line", max_chars=APPELLANT_MAX_CHARS)

SANCTIONS: Final = ("warn", "throttle", "suspend", "close_port")
"""The actions on the port, mildest first; each needs evidence and records who decided."""
REINSTATE: Final = "reinstate"
"""恢复端口: a suspended port sends again once the enterprise has rectified; decided like a
suspension (a unit lead or the quality centre) and on evidence of the rectification."""
EVIDENCED: Final = (*SANCTIONS, REINSTATE)
"""The actions on the port that need evidence and record who decided."""

C = CaseStatus
_ACTING: Final = {C.OPEN, C.WARNED, C.THROTTLED}

LIFECYCLE: Final = Lifecycle(
    CaseStatus,
    STATUS_LABELS,
    CaseStatus.OPEN,
    (
        transition(
            "warn",
            _ACTING,
            C.WARNED,
            HANDLER_ROLES,
            "警告",
            "warn",
            fields=(_EVIDENCE_REF, _EVIDENCE),
        ),
        transition(
            "throttle",
            _ACTING,
            C.THROTTLED,
            HANDLER_ROLES,
            "限速",
            "throttle",
            fields=(_EVIDENCE_REF, _EVIDENCE),
        ),
        transition(
            "suspend",
            _ACTING,
            C.SUSPENDED,
            SANCTION_ROLES,
            "暂停端口",
            "suspend the port",
            fields=(_EVIDENCE_REF, _EVIDENCE),
        ),
        # Closing is final: the port stays blocked whatever happens to the case later.
        transition(
            "close_port",
            _ACTING | {C.SUSPENDED},
            C.PORT_CLOSED,
            SANCTION_ROLES,
            "关停端口",
            "close the port",
            fields=(_EVIDENCE_REF, _EVIDENCE),
        ),
        transition(
            "appeal",
            {C.SUSPENDED},
            C.APPEALED,
            APPELLANT_ROLES,
            "登记客户申诉",
            "record the customer's appeal",
            fields=(_APPELLANT, _REASON),
        ),
        # 维持暂停: the suspension stands; the unit may still close the port or reinstate it.
        transition(
            "uphold",
            {C.APPEALED},
            C.SUSPENDED,
            DECIDER_ROLES,
            "申诉不成立，维持暂停",
            "uphold the suspension",
            fields=(_REASON,),
        ),
        # 解除暂停: the appeal succeeds, the port sends again and the case ends.
        transition(
            "lift",
            {C.APPEALED},
            C.RESOLVED,
            DECIDER_ROLES,
            "申诉成立，解除暂停",
            "lift the suspension",
            fields=(_REASON,),
        ),
        # 整改完成后恢复: the enterprise rectified; the port sends again and the case ends.
        transition(
            REINSTATE,
            {C.SUSPENDED},
            C.RESOLVED,
            SANCTION_ROLES,
            "整改完成，恢复端口",
            "reinstate the port after rectification",
            fields=(_EVIDENCE_REF, _EVIDENCE),
        ),
        # Not from suspended: the port would stay suspended for ever with no case to lift
        # it (the registry refuses to reopen a port a case holds).
        transition(
            "resolve",
            {C.WARNED, C.THROTTLED},
            C.RESOLVED,
            HANDLER_ROLES,
            "办结",
            "resolve",
            fields=(_NOTE,),
        ),
        transition(
            "note",
            ACTIVE_STATUSES,
            None,
            HANDLER_ROLES | {"agent"},
            "添加备注",
            "add a note",
            fields=(_NOTE,),
        ),
    ),
    subject="enforcement action",
    illegal_code="illegal_enforcement_transition",
)
"""Cases start ``open`` (the daily opening or a supervisor by hand); channels iterate it."""

ACTION_LABELS: Final[dict[str, tuple[str, str]]] = {
    "open": ("立案", "case opened"),
    "reassess": ("新增举报，重新评估严重程度", "new reports: severity reassessed"),
    "escalate": ("超时升级", "escalated (late)"),
    "registry_status": (
        "端口登记中手工修改了端口状态",
        "port status changed by hand in the registry",
    ),
}
"""Audit actions that are not transitions of the table."""

OPENER_ROLES: Final = frozenset({"supervisor", "admin", "system"})


# --- port sanction state -----------------------------------------------------------------


class PortState(StrEnum):
    ACTIVE = "active"
    WARNED = "warned"
    THROTTLED = "throttled"
    SUSPENDED = "suspended"
    CLOSED = "closed"


PORT_STATE_LABELS: Final[dict[PortState, tuple[str, str]]] = {
    PortState.ACTIVE: ("正常", "Active"),
    PortState.WARNED: ("已警告", "Warned"),
    PortState.THROTTLED: ("限速中", "Throttled"),
    PortState.SUSPENDED: ("已暂停", "Suspended"),
    PortState.CLOSED: ("已关停", "Closed"),
}

BLOCKED_STATES: Final = frozenset({PortState.SUSPENDED, PortState.CLOSED})
"""A port in these sends nothing (the SMS centre refuses its messages)."""

SANCTION_STATE: Final[dict[str, PortState]] = {
    "warn": PortState.WARNED,
    "throttle": PortState.THROTTLED,
    "suspend": PortState.SUSPENDED,
    "close_port": PortState.CLOSED,
    "lift": PortState.ACTIVE,
    REINSTATE: PortState.ACTIVE,
}
"""What each action leaves the port in (the others leave it as it is)."""


def port_state_label(state: PortState | str, lang: str) -> str:
    zh, en = PORT_STATE_LABELS[PortState(state)]
    return en if lang.startswith("en") else zh


PORT_STATE_ORDER: Final[tuple[PortState, ...]] = tuple(PortState)
"""Mildest first: a milder sanction never lowers a harsher one."""

LOWERING: Final = frozenset({"lift", REINSTATE})
"""The actions that let a port send again (anything but a closed one)."""


def next_port_state(current: PortState | str, action: str) -> PortState:
    """The port's state after ``action``. A closed port is closed for good: no action of
    any case changes it (``port_closed`` 409), so a later case cannot reopen it. A warning
    on a suspended port leaves it suspended: only a decided appeal (``lift``) or a
    reinstatement after rectification (``reinstate``) lowers the state."""
    state = PortState(current)
    if state is PortState.CLOSED:
        raise EnforcementError("port_closed")
    if action in LOWERING:
        return PortState.ACTIVE
    target = SANCTION_STATE.get(action, state)
    return max(state, target, key=PORT_STATE_ORDER.index)


def is_blocked(state: PortState | str) -> bool:
    return PortState(state) in BLOCKED_STATES


def normalise_port(raw: str) -> str:
    """A port number as stored: digits only (``106 5712-3456`` → ``10657123456``); an
    EnforcementError for anything that is not a port or phone number."""
    digits = "".join(ch for ch in raw if ch not in " -") if isinstance(raw, str) else ""
    if digits.startswith("+86"):
        digits = digits[3:]
    if not (3 <= len(digits) <= PORT_MAX_CHARS and digits.isascii() and digits.isdigit()):
        raise EnforcementError("port", ident=str(raw)[:40])
    return digits


# --- evidence, appeals -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a sanction rests on: a file or screenshot reference, or a written account."""

    ref: str | None = None
    text: str | None = None

    @property
    def given(self) -> bool:
        return bool((self.ref or "").strip() or (self.text or "").strip())


def check_evidence(action: str, evidence: Evidence) -> None:
    """No sanction, and no reinstatement, without evidence (each action with evidence)."""
    if action in EVIDENCED and not evidence.given:
        raise EnforcementError("reinstate_evidence" if action == REINSTATE else "evidence")


def check_appeal(appeals_so_far: int) -> None:
    """One appeal per suspension case: a second is refused in words."""
    if appeals_so_far > 0:
        raise EnforcementError("appeal_once")


def check_decider(decider: str, suspended_by: str | None) -> None:
    """Whoever suspended the port does not judge the appeal against it (four eyes)."""
    if suspended_by is not None and decider == suspended_by:
        raise EnforcementError("own_decision")


def check_owner(role: str, own_path: str, unit_path: str, unit_names: tuple[str, str]) -> None:
    """The owner unit acts on its case; the quality centre may act for any unit; staff of
    another unit in the same scope only read it."""
    if role in DECIDER_ROLES or unit_path.startswith(own_path):
        return
    raise EnforcementError("owner", unit_zh=unit_names[0], unit_en=unit_names[1])


# --- deadlines ---------------------------------------------------------------------------

DEFAULT_LIMITS: Final[dict[Severity, SlaLimit]] = {
    Severity.SERIOUS: SlaLimit.counted("hours", 24 * 60),
    Severity.MAJOR: SlaLimit.in_days(2, "working"),
    Severity.MODERATE: SlaLimit.in_days(3, "working"),
}
"""How long the owner unit has to act on the port (the first sanction stops the clock): a
serious case 24 hours around the clock (an unsubscribed customer is still being messaged),
a major one 2 working days, a moderate one 3."""

DEFAULT_ESCALATION: Final[tuple[Mapping[str, Any], ...]] = (
    {"level": 1, "to": "superior", "after_minutes": 0},
)
"""A late case goes to the owner unit's superior at once (the SLA engine's step shape)."""


def limit_for(severity: Severity | str) -> SlaLimit:
    return DEFAULT_LIMITS[Severity(severity)]


def clock(
    opened_at: datetime,
    limit: SlaLimit,
    calendar: WorkingCalendar,
    now: datetime,
    *,
    handled_at: datetime | None = None,
) -> ClockState:
    """The case's clock on the SLA engine (``compute_clock``): from opening to the first
    sanction."""
    moment = max(now, opened_at)
    if handled_at is not None:
        moment = max(moment, handled_at)
    return compute_clock(
        opened_at, limit, calendar, moment, warn_share=DEFAULT_WARN_SHARE, stopped_at=handled_at
    )


# --- owner unit --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRef:
    id: int
    kind: str
    path: str
    dept_type: str | None = None


OWNER_DEPARTMENTS: Final = ("network", "quality")
"""Spam is the network side's (``domain.dispatch``: spam → network, city level); without a
network department, the region's quality department; without either, the region itself."""


def owner_unit(region: UnitRef, units: Iterable[UnitRef]) -> UnitRef:
    """The unit that owns a case of ``region``: a department of the preferred type hanging
    directly off the region, else the region."""
    children = [u for u in units if u.kind == "department" and _parent_path(u.path) == region.path]
    for dept_type in OWNER_DEPARTMENTS:
        found = sorted((u for u in children if u.dept_type == dept_type), key=lambda u: u.id)
        if found:
            return found[0]
    return region


def common_region(paths: Iterable[str]) -> str | None:
    """The org-tree path all ``paths`` lie under (their deepest shared ancestor): the
    region that handles a port reported from them (one city's reports → that city; two
    cities' → the province). None for no paths."""
    chains = [ancestor_ids(p) for p in paths]
    if not chains:
        return None
    shared: list[int] = []
    for ids in zip(*chains, strict=False):
        if len(set(ids)) != 1:
            break
        shared.append(ids[0])
    return "/" + "".join(f"{i}/" for i in shared)


def _parent_path(path: str) -> str:
    ids = ancestor_ids(path)
    return "/" + "".join(f"{i}/" for i in ids[:-1])


# --- errors ------------------------------------------------------------------------------


class EnforcementError(WordedError):
    """A refusal of this context, worded here (zh first, en); ``key`` picks the wording,
    the machine code stays stable for clients."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "missing": (
            "not_found", 404, "处置案件不存在：{ident}", "Enforcement case not found: {ident}"
        ),
        "evidence": (
            "enforcement_evidence_required", 422,
            "处置端口必须附依据：请填写截图或文件的存放位置，或用文字说明违规事实",
            "A port is not sanctioned without evidence: give a file or screenshot reference "
            "or describe the violation",
        ),
        "reinstate_evidence": (
            "enforcement_evidence_required", 422,
            "恢复端口必须附依据：请填写整改报告或核查记录的存放位置，或用文字说明整改情况",
            "A port is not reinstated without evidence: give where the rectification report "
            "or your check is stored, or describe the rectification",
        ),
        "illegal": (
            "illegal_enforcement_transition", 409,
            "处置案件当前状态为「{status_zh}」，不能执行「{action_zh}」",
            "Cannot {action_en}: the case is '{status_en}'",
        ),
        "port_closed": (
            "port_closed", 409,
            "该端口已关停，关停不可撤销，不能再对其执行任何处置",
            "The port is closed; closing is final and no action can change it",
        ),
        "closed_by_case": (
            "port_closed", 409,
            "端口 {number} 已由处置案件 {case} 关停，关停不可撤销，"
            "不能在端口登记中改为「{status_zh}」",
            "Port {number} was closed by enforcement case {case}; closing is final, so the "
            "registry cannot make it '{status_en}'",
        ),
        "suspended_by_case": (
            "port_suspended", 409,
            "端口 {number} 由处置案件 {case} 暂停发送，只能由该案件的申诉裁定（解除暂停）"
            "或整改完成后的恢复端口恢复，不能在端口登记中改为「{status_zh}」",
            "Port {number} is suspended by enforcement case {case}; only that case's appeal "
            "decision (lift) or its reinstatement after rectification lets it send again, so "
            "the registry cannot make it '{status_en}'",
        ),
        "resolve_suspended": (
            "illegal_enforcement_transition", 409,
            "端口仍处于暂停状态，案件不能直接办结：企业整改完成后请「恢复端口」，"
            "或关停端口，或登记客户申诉",
            "The port is still suspended, so the case cannot simply be resolved: reinstate "
            "the port once the enterprise has rectified, close it, or record the customer's "
            "appeal",
        ),
        "appeal_once": (
            "appeal_already_made", 409,
            "本案已受理过一次申诉，不能重复申诉",
            "This case has already had its appeal",
        ),
        "own_decision": (
            "own_decision", 403,
            "暂停端口的决定人不能裁定针对该决定的申诉，请由其他督导人员裁定",
            "Whoever suspended the port may not decide the appeal against it",
        ),
        "owner": (
            "not_owner_unit", 403,
            "只有责任单位「{unit_zh}」及其上级单位的人员可以处置此案件",
            "Only staff of the owner unit '{unit_en}' or the units above it may act on this case",
        ),
        "port": (
            "invalid_input", 422,
            "端口号无效：「{ident}」，应为 3 到 32 位数字",
            "Port number is invalid: '{ident}' (3 to 32 digits)",
        ),
        "region": (
            "invalid_input", 422,
            "地区无效：没有编码为「{ident}」的地区，或不在您的管辖范围内",
            "Region is invalid: no region '{ident}' within your scope",
        ),
        "thresholds": (
            "invalid_input", 422, "处置阈值设置无效：{reason}",
            "The enforcement thresholds are invalid: {reason}",
        ),
    }  # fmt: skip


def not_found(ident: object) -> EnforcementError:
    return EnforcementError("missing", ident=ident)


def check_transition(name: str, status: CaseStatus | str, role: str) -> None:
    """Role first (a 403 says nothing about the case), then state (a 409 in words)."""
    found = LIFECYCLE.check_role(name, role)
    current = LIFECYCLE.status(status)
    if name == "resolve" and current is CaseStatus.SUSPENDED:
        raise EnforcementError("resolve_suspended", status=current.value, action=name)
    if current not in found.sources:
        zh, en = STATUS_LABELS[current]
        raise EnforcementError(
            "illegal",
            status=current.value,
            action=name,
            status_zh=zh,
            status_en=en,
            action_zh=found.label("zh"),
            action_en=found.label("en"),
        )


def status_label(status: CaseStatus | str, lang: str) -> str:
    return LIFECYCLE.label(status, lang)


def action_label(action: str, lang: str) -> str:
    if action in LIFECYCLE:
        return LIFECYCLE.get(action).label(lang)
    zh, en = ACTION_LABELS.get(action, (action, action))
    return en if lang.startswith("en") else zh


# --- events ------------------------------------------------------------------------------

CASE_OPENED: Final = "careloop.spam_enforcement.opened"
"""A port's day crossed the thresholds (or a supervisor opened a case). Payload: `case_id`,
`number`, `port_number`, `severity`, `unit_id`, `due_at`."""
PORT_SANCTIONED: Final = "careloop.spam_enforcement.sanctioned"
"""The port was warned, throttled, suspended or closed (`action`, `port_state`), or its
suspension lifted on appeal or ended by a reinstatement after rectification. Payload:
`case_id`, `port_number`, `action`, `port_state`."""
CASE_ESCALATED: Final = "careloop.spam_enforcement.escalated"
"""A case not acted on by its deadline went to the owner unit's superior. Payload:
`case_id`, `level`, `escalated_to_unit_id`, `overrun_minutes`."""

EVENTS: Final[Mapping[str, str]] = {
    "open": CASE_OPENED,
    "warn": PORT_SANCTIONED,
    "throttle": PORT_SANCTIONED,
    "suspend": PORT_SANCTIONED,
    "close_port": PORT_SANCTIONED,
    "lift": PORT_SANCTIONED,
    REINSTATE: PORT_SANCTIONED,
    "escalate": CASE_ESCALATED,
}
"""An audit action → its event; appeals, notes and reassessments are bookkeeping."""
