"""/api/v1/spam-enforcement: 端口处置 — cases against spamming ports, sanctions with evidence,
the port customer's appeal and its decision, each port's sanction state, the thresholds.

Who may do what (domain.spam.enforcement): the owner unit's handlers warn and throttle; a
unit lead or the quality centre suspends or closes a port; staff record the port customer's
appeal on its behalf; the quality centre (supervisors, administrators) decides it, never
the person who suspended the port; once the enterprise has rectified, a unit lead or the
quality centre reinstates a suspended port on evidence (恢复端口); everybody reads the
cases of their scope, and a case outside it answers 404. Changes carry the version read
(409 on a stale one). A closed port stays blocked: every later action answers 409
``port_closed``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict, free_text
from careloop.domain.spam import enforcement as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.spam import enforcement as service

router = APIRouter(prefix="/api/v1/spam-enforcement", tags=["spam enforcement"])

ListStatus = Literal[
    "open",
    "warned",
    "throttled",
    "suspended",
    "appealed",
    "port_closed",
    "resolved",
    "active",
    "overdue",
]
SeverityName = Literal["moderate", "major", "serious"]
SanctionName = Literal["warn", "throttle", "suspend", "close_port"]

CASE_ID_DOC = "The enforcement case's id"
PORT_EXAMPLE = "10657001234"


class UnitOut(BaseModel):
    id: int = Field(description="Unit id")
    code: str = Field(description="Unit code")
    name: str = Field(description="Unit name in the caller's language")


class ActionOut(BaseModel):
    name: str = Field(
        description="Action code (warn, throttle, suspend, close_port, reinstate, appeal …)"
    )
    label: str = Field(description="In the caller's language")
    needs_evidence: bool = Field(description="A sanction or a reinstatement: evidence is required")


class CaseOut(BaseModel):
    id: int = Field(description=CASE_ID_DOC)
    number: str = Field(description="CZ + opening date + sequence", examples=["CZ2026092800001"])
    version: int = Field(description="Send it back with every change (optimistic lock)")
    port_number: str = Field(description="The port, digits only", examples=[PORT_EXAMPLE])
    status: str = Field(description="open, warned, throttled, suspended, appealed, ...")
    status_label: str = Field(description="Status in the caller's language")
    severity: str = Field(description="moderate, major or serious")
    severity_label: str = Field(description="Severity in the caller's language")
    reasons: list[str] = Field(description="volume (thresholds crossed), serious (0000/consent)")
    reason_labels: list[str] = Field(description="The reasons in the caller's language")
    day: str = Field(description="The business day whose reports opened it (YYYY-MM-DD)")
    reports: int = Field(description="Reports that day (the worst day seen)")
    distinct_reporters: int = Field(description="Distinct people who reported")
    spam_share: float | None = Field(description="Share the classifier judged spam, if any")
    serious: int = Field(description="Reports of messages after an unsubscribe or without consent")
    region: UnitOut = Field(description="The region the port is handled in")
    unit: UnitOut = Field(description="The owner unit (责任单位)")
    opened_at: datetime = Field(description="When it was opened (UTC)")
    opened_local: str = Field(description="When it was opened, Beijing time")
    due_at: datetime = Field(description="Deadline for the first sanction (UTC)")
    due_local: str = Field(description="The deadline, Beijing time")
    deadline_state: str = Field(description="running, warning, breached, met or met_late")
    deadline_label: str = Field(description="The deadline state in the caller's language")
    remaining: str = Field(description="Time left or overdue, in words")
    overdue: bool = Field(description="Past its deadline without a sanction, or acted on late")
    limit: str = Field(description="The limit applied, in words")
    escalation_level: int = Field(description="Highest escalation level (0: none)")
    escalated_to: UnitOut | None = Field(description="The superior it was escalated to")
    port_state: str = Field(description="active, warned, throttled, suspended or closed")
    port_state_label: str = Field(description="The port's state in the caller's language")
    port_blocked: bool = Field(description="Suspended or closed: its messages are not sent")
    last_action: str | None = Field(
        description="The last sanction on the port, or reinstate (恢复端口)"
    )
    last_action_label: str | None = Field(description="The last sanction in words")
    decided_by: str | None = Field(description="Who decided the last sanction (username)")
    decided_by_name: str | None = Field(description="Who decided it, by name")
    evidence_ref: str | None = Field(description="Where the evidence file or screenshot is")
    evidence: str | None = Field(description="The evidence in words (masked for some roles)")
    appellant: str | None = Field(description="The port customer who appealed")
    appeal_reason: str | None = Field(description="The appeal's grounds (masked for some roles)")
    appeal_outcome: str | None = Field(description="upheld or lifted, once decided")
    closed_at: datetime | None = Field(description="When the case became final (UTC)")
    allowed: list[ActionOut] = Field(description="What the caller may do now")


class CasePage(BaseModel):
    total: int = Field(description="Cases matching, within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Cases skipped")
    items: list[CaseOut] = Field(description="The cases of this page, worst first")


class CaseEventOut(BaseModel):
    at: datetime = Field(description="When (UTC)")
    at_local: str = Field(description="When, Beijing time")
    actor: str = Field(description="Who (system for the daily job)")
    action: str = Field(description="Action code")
    action_label: str = Field(description="Action in the caller's language")
    note: str | None = Field(description="Evidence, grounds or note")
    before: dict[str, Any] | None = Field(description="State before")
    after: dict[str, Any] | None = Field(description="What it changed")


class PortHistoryOut(BaseModel):
    at: datetime = Field(description="When (UTC)")
    at_local: str = Field(description="When, Beijing time")
    state_before: str = Field(description="The port's state before")
    state: str = Field(description="The port's state after")
    state_label: str = Field(description="The state after, in the caller's language")
    action: str = Field(description="What changed it")
    action_label: str = Field(description="The action in the caller's language")
    case_id: int | None = Field(description="The case it was decided in")
    actor: str = Field(description="Who decided (username)")


class PortOut(BaseModel):
    port_number: str = Field(description="The port, digits only", examples=[PORT_EXAMPLE])
    state: str = Field(description="active, warned, throttled, suspended or closed")
    state_label: str = Field(description="The state in the caller's language")
    blocked: bool = Field(description="Suspended or closed: its messages are not sent")
    since: datetime | None = Field(description="In this state since (UTC)")
    case_id: int | None = Field(description="The case that set it (if in your scope)")
    history: list[PortHistoryOut] = Field(description="Changes, oldest first (your scope)")


class PortPage(BaseModel):
    total: int = Field(description="Ports matching")
    items: list[PortOut] = Field(description="The ports of this page")


class VersionIn(Strict):
    version: int = Field(description="The case's version as you read it (optimistic lock)")


class SanctionIn(VersionIn):
    action: SanctionName = Field(
        description="warn (警告), throttle (限速), suspend (暂停) or close_port (关停, final)"
    )
    evidence_ref: str | None = free_text(
        rules.EVIDENCE_REF_MAX_CHARS,
        "Where the evidence is stored (file://…, a 12321 transfer number, a screenshot)",
        None,
        required=False,
    )
    evidence: str | None = free_text(
        rules.EVIDENCE_MAX_CHARS, "The violation in words", None, required=False
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "action": "suspend",
                    "evidence_ref": "file://12321/2026-09-28/campaign.png",
                    "evidence": "300 名用户举报同一贷款营销短信，含退订后仍发送",
                }
            ]
        },
    )


class ReinstateIn(VersionIn):
    evidence_ref: str | None = free_text(
        rules.EVIDENCE_REF_MAX_CHARS,
        "Where the proof of the rectification is stored (file://…, a rectification report)",
        None,
        required=False,
    )
    evidence: str | None = free_text(
        rules.EVIDENCE_MAX_CHARS, "The rectification in words", None, required=False
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "version": 3,
                    "evidence_ref": "file://rectification/2026-10-08/report.pdf",
                    "evidence": "企业已清洗发送名单并补齐用户同意记录，整改报告已审核",
                }
            ]
        },
    )


class AppealIn(VersionIn):
    appellant: str = free_text(rules.APPELLANT_MAX_CHARS, "The port customer who appeals")
    reason: str = free_text(rules.REASON_MAX_CHARS, "The grounds of the appeal")


class DecisionIn(VersionIn):
    outcome: Literal["uphold", "lift"] = Field(
        description="uphold: the suspension stands (维持); lift: the port sends again (解除)"
    )
    reason: str = free_text(rules.REASON_MAX_CHARS, "Why")


class NoteIn(VersionIn):
    note: str = free_text(rules.REASON_MAX_CHARS, "The note or how it was resolved")


class OpeningIn(Strict):
    day: date = Field(
        description="The business day (Asia/Shanghai) whose reports to check",
        examples=["2026-09-28"],
    )


class OpeningOut(BaseModel):
    spam_ports_examined: int = Field(description="Ports with reports that day")
    spam_cases_opened: int = Field(description="New cases")
    spam_cases_reassessed: int = Field(description="Open cases made more severe")


class ThresholdsOut(BaseModel):
    region_code: str = Field(description="The region")
    region_name: str = Field(description="The region in the caller's language")
    terms: dict[str, Any] = Field(description="The thresholds that hold there")
    configured: bool = Field(description="False: the defaults or a region above hold")


class ThresholdsIn(Strict):
    region: str = Field(min_length=1, max_length=64, description="A region's code (city, county)")
    terms: dict[str, int | float] = Field(
        description="Only the thresholds to change; see docs/spam-enforcement.md",
        examples=[{"min_reports": 30, "min_reporters": 15, "min_spam_share": 0.7}],
    )


def _out(view: service.CaseView) -> CaseOut:
    return CaseOut.model_validate(view, from_attributes=True)


@router.get("/cases", response_model=CasePage, summary="Cases in your scope, worst first")
def list_cases(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    status_: Annotated[
        ListStatus | None,
        Query(alias="status", description="A status, active (not final) or overdue"),
    ] = None,
    port: Annotated[
        str | None,
        Query(max_length=40, description="One port's cases", examples=[PORT_EXAMPLE]),
    ] = None,
    severity: Annotated[SeverityName | None, Query(description="One severity")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000, description="Cases to skip")] = 0,
) -> CasePage:
    page = service.list_cases(
        uow,
        actor,
        lang,
        now,
        status=status_,
        port_number=port,
        severity=severity,
        limit=limit,
        offset=offset,
    )
    return CasePage(
        total=page.total, limit=limit, offset=offset, items=[_out(v) for v in page.items]
    )


@router.post(
    "/openings",
    response_model=OpeningOut,
    summary="Check a day's reports now and open the cases due (supervisors, administrators)",
    description="What the job does every few minutes for today: idempotent, one active case "
    "per port; a worse day raises an open case's severity.",
)
def run_opening(body: OpeningIn, uow: UowDep, actor: ActorDep, now: NowDep) -> OpeningOut:
    report = service.open_cases_for_day(uow, body.day, now, actor=actor)
    return OpeningOut(**report.as_dict())


@router.get(
    "/ports",
    response_model=PortPage,
    summary="Ports' sanction state and history (blocked: suspended or closed)",
)
def list_ports(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    number: Annotated[
        str | None,
        Query(max_length=40, description="One port, any spelling", examples=[PORT_EXAMPLE]),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000, description="Ports to skip")] = 0,
) -> PortPage:
    total, ports = service.list_ports(uow, actor, lang, number=number, limit=limit, offset=offset)
    return PortPage(
        total=total, items=[PortOut.model_validate(p, from_attributes=True) for p in ports]
    )


@router.get(
    "/thresholds",
    response_model=ThresholdsOut,
    summary="The thresholds that hold for a region",
)
def get_thresholds(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    region: Annotated[
        str | None,
        Query(max_length=64, description="A region's code (default: your own region)"),
    ] = None,
) -> ThresholdsOut:
    view = service.thresholds_view(uow, region, actor, lang)
    return ThresholdsOut.model_validate(view, from_attributes=True)


@router.put(
    "/thresholds",
    response_model=ThresholdsOut,
    summary="Set a region's thresholds (supervisors, administrators; audited)",
)
def set_thresholds(
    body: ThresholdsIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> ThresholdsOut:
    view = service.set_thresholds(uow, body.region, dict(body.terms), actor, now, lang)
    return ThresholdsOut.model_validate(view, from_attributes=True)


@router.get("/cases/{spam_case_id}", response_model=CaseOut, summary="One case")
def get_case(
    spam_case_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(service.get_case(uow, spam_case_id, actor, lang, now))


@router.get(
    "/cases/{spam_case_id}/trail",
    response_model=list[CaseEventOut],
    summary="The case's audit trail: opened, sanctions, appeal, decision, escalations",
)
def case_trail(
    spam_case_id: int, uow: UowDep, actor: ActorDep, lang: LangDep
) -> list[CaseEventOut]:
    return [
        CaseEventOut.model_validate(e, from_attributes=True)
        for e in service.case_events(uow, spam_case_id, actor, lang)
    ]


@router.post(
    "/cases/{spam_case_id}/sanctions",
    response_model=CaseOut,
    summary="Warn, throttle, suspend or close the port, with evidence",
    description="Warn and throttle: the owner unit's staff; suspend and close: a unit lead "
    "or the quality centre. 422 `enforcement_evidence_required` without evidence; 409 "
    "`port_closed` for a port already closed (closing is final); 409 on a stale version.",
)
def sanction(
    spam_case_id: int, body: SanctionIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(
        service.sanction(
            uow,
            spam_case_id,
            body.action,
            actor,
            body.version,
            now,
            evidence_ref=body.evidence_ref,
            evidence=body.evidence,
            lang=lang,
        )
    )


@router.post(
    "/cases/{spam_case_id}/appeal",
    response_model=CaseOut,
    summary="Record the port customer's appeal against a suspension (once per case)",
    description="Staff record it on the customer's behalf, naming the customer; the port "
    "stays suspended until the quality centre decides.",
)
def appeal(
    spam_case_id: int, body: AppealIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(
        service.appeal(
            uow,
            spam_case_id,
            actor,
            body.version,
            now,
            appellant=body.appellant,
            reason=body.reason,
            lang=lang,
        )
    )


@router.post(
    "/cases/{spam_case_id}/appeal-decision",
    response_model=CaseOut,
    summary="Decide the appeal: uphold the suspension or lift it (supervisors, administrators)",
    description="403 `own_decision` for whoever suspended the port.",
)
def decide_appeal(
    spam_case_id: int, body: DecisionIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(
        service.decide_appeal(
            uow,
            spam_case_id,
            body.outcome,
            actor,
            body.version,
            now,
            reason=body.reason,
            lang=lang,
        )
    )


@router.post(
    "/cases/{spam_case_id}/reinstate",
    response_model=CaseOut,
    summary="恢复端口: reinstate a suspended port after rectification, with evidence",
    description="The enterprise has rectified (整改完成): the port sends again (its registry "
    "status follows) and the case is resolved. A unit lead of the owner unit or the quality "
    "centre, as for a suspension. 422 `enforcement_evidence_required` without evidence; 409 "
    "`illegal_enforcement_transition` unless the case is suspended (a closed port is never "
    "reinstated); 409 on a stale version.",
)
def reinstate(
    spam_case_id: int, body: ReinstateIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(
        service.reinstate(
            uow,
            spam_case_id,
            actor,
            body.version,
            now,
            evidence_ref=body.evidence_ref,
            evidence=body.evidence,
            lang=lang,
        )
    )


@router.post(
    "/cases/{spam_case_id}/resolve",
    response_model=CaseOut,
    summary="办结: the port was dealt with; its sanction stays as it is",
    description="Warned or throttled cases. 409 `illegal_enforcement_transition` for a "
    "suspended one: reinstate the port, close it or record the appeal instead.",
)
def resolve(
    spam_case_id: int, body: NoteIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(
        service.resolve(uow, spam_case_id, actor, body.version, now, note=body.note, lang=lang)
    )


@router.post("/cases/{spam_case_id}/notes", response_model=CaseOut, summary="添加备注")
def add_note(
    spam_case_id: int, body: NoteIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    return _out(
        service.add_note(uow, spam_case_id, actor, body.version, now, note=body.note, lang=lang)
    )
