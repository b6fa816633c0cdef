"""/api/v1/accountability: responsibility cases (责任认定) and the rules they apply.

Who may do what (domain.supervision.accountability): supervisors and administrators open
cases by hand, decide penalties and appeals and edit the rules; inspectors open cases; the
person concerned, or the lead of the unit concerned, appeals within the appeal period.
Reading is scoped: staff see the cases concerning them, a unit lead their unit's,
supervisors their area. A case outside the caller's reach answers 404. Changes carry the
`version` read (409 on a stale one); opening is idempotent per source.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict, free_text
from careloop.domain.supervision import accountability as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.supervision import accountability as service
from careloop.services.supervision.rectification import FindingRef

router = APIRouter(prefix="/api/v1/accountability", tags=["accountability"])

Points = Annotated[
    float, Field(ge=0, le=rules.MAX_POINTS, description="KPI points off the unit's score (0–100)")
]
Amount = Annotated[
    Decimal,
    Field(
        ge=0,
        le=rules.MAX_AMOUNT,
        max_digits=9,
        decimal_places=2,
        description='Economic penalty in yuan (元), to the fen, e.g. "500.00"',
    ),
]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="The version you read")]
Reason = Annotated[str, free_text(rules.REASON_MAX_CHARS, "Why (kept on the audit trail)")]


class PenaltyIO(BaseModel):
    points: float = Field(description="KPI points off the unit's score")
    amount: Decimal = Field(description="Economic penalty in yuan (元)")
    veto: bool = Field(description="One-vote veto (一票否决): the unit's score is 0")


class RuleOut(BaseModel):
    code: str = Field(description="Stable code of the rule")
    name: str = Field(description="In the caller's language")
    default: PenaltyIO = Field(description="The penalty this rule sets unless decided otherwise")
    active: bool = Field(description="False: retired, no new case may cite it")


class RuleIn(Strict):
    name_zh: str = free_text(100, "Chinese name (中文名称)")
    name_en: str = free_text(100, "English name")
    points: Points = 0.0
    amount: Amount = Decimal("0.00")
    veto: bool = Field(False, description="Its default penalty vetoes the unit's score")
    active: bool = Field(True, description="False retires the rule")


class SourceIn(Strict):
    kind: Literal[
        "inspection", "dial_test", "social_supervision", "complaint", "rectification", "manual"
    ] = Field(description="What the case came from")
    id: int = Field(ge=1, le=2**31 - 1, description="The source record's id")
    item: str = Field("", max_length=60, description="Checklist item code, if any")


class CaseIn(Strict):
    source: SourceIn = Field(description="The finding; one case per source")
    unit: str = Field(min_length=1, max_length=64, description="Code of the unit responsible")
    staff: str | None = Field(
        None, min_length=1, max_length=64, description="Username of the person responsible"
    )
    rule: str = Field(min_length=1, max_length=40, description="Code of the rule broken")
    summary: str = free_text(rules.SUMMARY_MAX_CHARS, "What happened")


class DecideIn(Strict):
    version: Version
    points: Points
    amount: Amount
    veto: bool = Field(False, description="One-vote veto (一票否决)")
    reason: str | None = free_text(
        rules.REASON_MAX_CHARS, "Required when the penalty differs from the rule's default",
        None, required=False,
    )  # fmt: skip
    rule: str | None = Field(
        None, min_length=1, max_length=40, description="Another rule than the one opened under"
    )


class VersionIn(Strict):
    version: Version


class ReasonIn(Strict):
    version: Version
    reason: Reason


class AppealDecisionIn(Strict):
    version: Version
    outcome: Literal["upheld", "reduced", "dismissed"] = Field(
        description="upheld (申诉成立，撤销处罚), reduced (部分成立，减轻处罚) or dismissed "
        "(申诉不成立，维持处罚)"
    )
    reason: Reason
    points: Points = 0.0
    amount: Amount = Decimal("0.00")
    veto: bool = Field(False, description="For `reduced`: the lighter penalty's veto")


class TrailOut(BaseModel):
    at: datetime = Field(description="When it happened (UTC)")
    actor: str = Field(
        description="Who acted: their display name, else the username (system: automatic)"
    )
    action: str = Field(description="open, decide, dismiss, appeal, decide_appeal or finalise")
    note: str | None = Field(
        description="What they wrote: the summary, the reason or the appeal; null if none"
    )


class CaseOut(BaseModel):
    id: int = Field(description="Case id")
    number: str = Field(description="ZR + local date + id, as people read it out")
    version: int = Field(description="Send back with every change (optimistic lock)")
    status: str = Field(description="open, decided, appealed, final or dismissed")
    status_label: str = Field(description="Status in the caller's language")
    source_kind: str = Field(
        description="What the case came from: inspection, dial_test, social_supervision, "
        "complaint, rectification or manual"
    )
    source_id: int = Field(description="The source record's id")
    source_item: str = Field(description="Checklist item code; empty when none")
    source_label: str = Field(description="The kind of source in the caller's language")
    source_ref: str = Field(description="A complaint's number, else the record's id")
    unit: str = Field(description="Code of the unit responsible")
    unit_name: str = Field(description="Name of the unit responsible, in the caller's language")
    staff_name: str | None = Field(
        description="Display name of the person responsible; null when no person is named"
    )
    rule: str = Field(description="Code of the rule broken")
    rule_label: str = Field(description="The rule's name in the caller's language")
    summary: str = Field(description="What happened, as written when the case was opened")
    opened_at: datetime = Field(description="When the case was opened (UTC)")
    decided_at: datetime | None = Field(
        description="When the penalty was decided (UTC); null while open or if dismissed"
    )
    decision_reason: str | None = Field(
        description="The reason given with the decision or the dismissal; null if none"
    )
    decided: PenaltyIO = Field(description="What the decision said")
    penalty: PenaltyIO = Field(description="What is in force (after any appeal)")
    appeal_due_at: datetime | None = Field(
        description="End of the appeal period (UTC): local midnight after the fifth working day "
        "following the decision; null until decided"
    )
    appealed_at: datetime | None = Field(description="When it was appealed (UTC); null if not")
    appeal_reason: str | None = Field(description="Why the appellant appealed; null if not")
    appeal_outcome: str | None = Field(
        description="upheld, reduced or dismissed; null until the appeal is decided"
    )
    appeal_outcome_label: str | None = Field(
        description="The appeal's outcome in the caller's language; null until decided"
    )
    appeal_decided_at: datetime | None = Field(
        description="When the appeal was decided (UTC); null until then"
    )
    appeal_decision_reason: str | None = Field(
        description="The reason given with the appeal's decision; null until then"
    )
    actions: list[str] = Field(description="What you may do now")
    trail: list[TrailOut] = Field(
        default_factory=list,
        description="Who did what, oldest first; empty in lists, filled when one case is read "
        "or changed",
    )


class CasePage(BaseModel):
    total: int = Field(description="How many cases match, over all pages")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="How many matching cases were skipped")
    items: list[CaseOut] = Field(description="This page's cases, newest first")


def _penalty(p: rules.Penalty) -> PenaltyIO:
    return PenaltyIO(points=p.points, amount=p.amount, veto=p.veto)


def _out(view: service.CaseView) -> CaseOut:
    return CaseOut(
        id=view.id,
        number=view.number,
        version=view.version,
        status=view.status,
        status_label=view.status_label,
        source_kind=view.source.kind,
        source_id=view.source.id,
        source_item=view.source.item,
        source_label=view.source_label,
        source_ref=view.source_ref,
        unit=view.unit_code,
        unit_name=view.unit_name,
        staff_name=view.staff_name,
        rule=view.rule,
        rule_label=view.rule_label,
        summary=view.summary,
        opened_at=view.opened_at,
        decided_at=view.decided_at,
        decision_reason=view.decision_reason,
        decided=_penalty(view.decided),
        penalty=_penalty(view.penalty),
        appeal_due_at=view.appeal_due_at,
        appealed_at=view.appealed_at,
        appeal_reason=view.appeal_reason,
        appeal_outcome=view.appeal_outcome,
        appeal_outcome_label=view.appeal_outcome_label,
        appeal_decided_at=view.appeal_decided_at,
        appeal_decision_reason=view.appeal_decision_reason,
        actions=list(view.actions),
        trail=[TrailOut(at=e.at, actor=e.actor, action=e.action, note=e.note) for e in view.trail],
    )


def _rule_out(rule: rules.Rule, lang: str) -> RuleOut:
    return RuleOut(
        code=rule.code, name=rule.label(lang), default=_penalty(rule.default), active=rule.active
    )


@router.get(
    "/rules",
    response_model=list[RuleOut],
    summary="The catalogue of rules (责任条款): every rule a case can cite, with its penalty",
    description="Readable by every member of staff (the page /accountability/rules shows the "
    "same list): the seeded rules with the operator's changes over them, retired ones with "
    "`active` false. Each rule's default penalty: KPI points off, yuan, one-vote veto.",
)
def list_rules(uow: UowDep, actor: ActorDep, lang: LangDep) -> list[RuleOut]:
    return [_rule_out(r, lang) for r in service.rules_in_force(uow).values()]


@router.put(
    "/rules/{code}",
    response_model=RuleOut,
    summary="Add or change a rule and its default penalty (supervisors, administrators)",
)
def set_rule(
    code: Annotated[str, Path(min_length=1, max_length=40, description="Code of the rule")],
    body: RuleIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> RuleOut:
    rule = rules.Rule(
        code, body.name_zh, body.name_en, rules.Penalty(body.points, body.amount, body.veto),
        body.active,
    )  # fmt: skip
    return _rule_out(service.set_rule(uow, rule, actor, now), lang)


@router.get("/cases", response_model=CasePage, summary="The cases you may see, newest first")
def list_cases(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    status_: Annotated[
        Literal["open", "decided", "appealed", "final", "dismissed"] | None,
        Query(alias="status", description="Only cases in this state"),
    ] = None,
    mine: Annotated[bool, Query(description="Only the cases concerning you")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> CasePage:
    page = service.list_cases(uow, actor, lang, status_, mine, limit, offset)
    return CasePage(
        total=page.total, limit=limit, offset=offset, items=[_out(c) for c in page.items]
    )


@router.post(
    "/cases",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Open a responsibility case (立案): supervisors, administrators, inspectors",
    description="Idempotent per source: a second request for the same source returns the "
    "case already open (with its own unit, rule and summary).",
)
def open_case(body: CaseIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep) -> CaseOut:
    view = service.open_case_by_codes(
        uow,
        source=FindingRef(body.source.kind, body.source.id, body.source.item),
        unit_code=body.unit,
        staff_username=body.staff,
        rule=body.rule,
        summary=body.summary,
        actor=actor,
        now=now,
    )
    return _out(service.case_view(uow, view.id, actor, lang))


@router.get("/cases/{case_id}", response_model=CaseOut, summary="One case with its trail")
def get_case(case_id: int, uow: UowDep, actor: ActorDep, lang: LangDep) -> CaseOut:
    return _out(service.case_view(uow, case_id, actor, lang))


@router.post(
    "/cases/{case_id}/decide",
    response_model=CaseOut,
    summary="Decide the penalty (认定处罚); a penalty other than the rule's needs a reason",
)
def decide(
    case_id: int, body: DecideIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    decision = service.Decision(
        body.version, body.points, body.amount, body.veto, body.reason, body.rule
    )
    service.decide(uow, case_id, decision, actor, now)
    return _out(service.case_view(uow, case_id, actor, lang))


@router.post("/cases/{case_id}/dismiss", response_model=CaseOut, summary="不予追责: no fault")
def dismiss(
    case_id: int, body: ReasonIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    service.dismiss(uow, case_id, body.version, body.reason, actor, now)
    return _out(service.case_view(uow, case_id, actor, lang))


@router.post(
    "/cases/{case_id}/appeal",
    response_model=CaseOut,
    summary="Appeal (申诉): the person concerned or their unit's lead, within the period",
)
def appeal(
    case_id: int, body: ReasonIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    service.appeal(uow, case_id, body.version, body.reason, actor, now)
    return _out(service.case_view(uow, case_id, actor, lang))


@router.post(
    "/cases/{case_id}/appeal-decision",
    response_model=CaseOut,
    summary="Decide the appeal (裁定申诉): upheld, reduced (with the lighter penalty), dismissed",
)
def decide_appeal(
    case_id: int,
    body: AppealDecisionIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> CaseOut:
    decision = service.AppealDecision(
        body.version, body.outcome, body.reason, rules.Penalty(body.points, body.amount, body.veto)
    )
    service.decide_appeal(uow, case_id, decision, actor, now)
    return _out(service.case_view(uow, case_id, actor, lang))


@router.post(
    "/cases/{case_id}/finalise",
    response_model=CaseOut,
    summary="Make a decided case final once nobody appealed within the period (确认生效)",
)
def finalise(
    case_id: int, body: VersionIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> CaseOut:
    service.finalise(uow, case_id, body.version, actor, now)
    return _out(service.case_view(uow, case_id, actor, lang))
