"""/api/v1/surveys: post-service survey templates, sending rules and results; and
/api/v1/complaints/{id}/surveys, one complaint's surveys.

Templates and rules are read by managers and the quality department (``survey.read``) and
changed by supervisors and administrators (``survey.manage``); results are scoped like the
complaint lists (a city lead sees their city's). No answer carries a phone number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict
from careloop.domain import time_bounds
from careloop.domain.indicators.periods import period_of
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.surveys import results, rules, templates
from careloop.services.surveys.read_models import (
    ResultRow,
    RuleView,
    SurveyView,
    TemplateView,
)

router = APIRouter(tags=["surveys"])

Kind = Literal["score10", "score5", "yes_no", "choice", "text"]
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ChoiceIn(Strict):
    key: str = Field(pattern=KEY_PATTERN, description="Choice code (lower case)")
    text_zh: str = Field(min_length=1, max_length=60, description="Wording in Chinese")
    text_en: str = Field(min_length=1, max_length=60, description="Wording in English")
    satisfied: bool = Field(False, description="Counts as satisfied (overall question)")


class QuestionIn(Strict):
    key: str = Field(pattern=KEY_PATTERN, description="Question code (lower case)")
    kind: Kind = Field(description="score10 (1–10), score5 (1–5), yes_no, choice or text")
    text_zh: str = Field(min_length=1, max_length=200, description="Wording in Chinese")
    text_en: str = Field(min_length=1, max_length=200, description="Wording in English")
    required: bool = Field(True, description="The customer must answer it")
    choices: list[ChoiceIn] = Field(
        default_factory=list, max_length=10, description="Options of a choice question"
    )
    satisfied_from: int | None = Field(
        None, ge=1, le=10, description="Score questions: lowest score counted as satisfied"
    )


class SurveyTemplateIn(Strict):
    name_zh: str = Field(min_length=1, max_length=200, description="Name in Chinese")
    name_en: str = Field(min_length=1, max_length=200, description="Name in English")
    overall: str = Field(
        pattern=KEY_PATTERN, description="Key of the question saying whether satisfied"
    )
    questions: list[QuestionIn] = Field(min_length=1, max_length=20, description="Questions")


class ChoiceOut(BaseModel):
    key: str = Field(description="Choice code, what an answer stores")
    text_zh: str = Field(description="Wording in Chinese")
    text_en: str = Field(description="Wording in English")
    satisfied: bool = Field(description="Choosing it counts as satisfied (overall question)")


class QuestionOut(BaseModel):
    key: str = Field(description="Question code, the key of its answer")
    kind: str = Field(description="score10 (1–10), score5 (1–5), yes_no, choice or text")
    text_zh: str = Field(description="Wording in Chinese")
    text_en: str = Field(description="Wording in English")
    required: bool = Field(description="The customer must answer it")
    choices: list[ChoiceOut] = Field(description="Options of a choice question; else empty")
    satisfied_from: int | None = Field(
        description="Score questions: lowest score counted as satisfied; null: the scale's "
        "default (8 of 10, 4 of 5)"
    )


class SurveyTemplateOut(BaseModel):
    id: int = Field(description="Row id of this version")
    purpose: str = Field(description="What the template is for (complaint_closed)")
    version: int = Field(description="Version; surveys keep the version they were sent with")
    active: bool = Field(description="The version new surveys get")
    name_zh: str = Field(description="Name in Chinese")
    name_en: str = Field(description="Name in English")
    overall: str = Field(description="Key of the satisfaction question")
    questions: list[QuestionOut] = Field(description="The questions, in the order asked")
    created_at: datetime = Field(description="When this version was saved (UTC)")
    created_by: str = Field(description="Username of who saved it")


class SendingRuleFields(Strict):
    enabled: bool = Field(True, description="Send surveys in this region at all")
    delay_minutes: int = Field(30, ge=0, le=10080, description="Minutes after the close")
    quiet_days: int = Field(30, ge=0, le=365, description="Not twice to one number within")
    daily_cap: int | None = Field(
        None, ge=1, le=1_000_000, description="At most this many a day (null: no cap)"
    )
    link_days: int = Field(7, ge=1, le=30, description="Days the link stays open")
    channel: Literal["sms"] = Field("sms", description="Channel (SMS)")
    night_start: str = Field("21:00", pattern=CLOCK_PATTERN, description="No SMS from (HH:MM)")
    night_end: str = Field("08:00", pattern=CLOCK_PATTERN, description="No SMS until (HH:MM)")
    template_purpose: str = Field(
        "complaint_closed", pattern=KEY_PATTERN, description="Template purpose to send"
    )


class SendingRuleIn(SendingRuleFields):
    region: str = Field(
        "", max_length=64, description="Org-unit code of the region; empty: the global rule"
    )
    version: int = Field(ge=0, le=2**31 - 1, description="The version you read (0: not stored yet)")


class SendingRuleOut(SendingRuleFields):
    region: str = Field(description="Org-unit code; empty for the global rule")
    region_name: str = Field(description="The region in the caller's language")
    version: int = Field(description="Version, for optimistic locking (0: the defaults)")
    updated_at: datetime | None = Field(description="Last change (UTC)")
    updated_by: str | None = Field(description="Username of who changed it last")


class QuestionMeanOut(BaseModel):
    key: str = Field(description="Question code")
    question: str = Field(description="Its newest wording, in the caller's language")
    kind: str = Field(description="score10, score5 or yes_no (only scored questions have a mean)")
    mean: float | None = Field(description="Mean score (yes = 1, no = 0); null: no answers")
    answers: int = Field(description="Answers given to it in the period (the mean's count)")


class ResultRowOut(BaseModel):
    key: str = Field(description="Unit code or agent username (empty for the total)")
    name: str = Field(
        description="The unit's name in the caller's language or the agent's display name; "
        "合计 / Total for the total"
    )
    sent: int = Field(description="Surveys sent in the period")
    answered: int = Field(description="Surveys answered in the period")
    satisfied: int = Field(description="Of those, satisfied")
    response_rate: float | None = Field(description="调查回复率 % (sent in the period)")
    satisfaction: float | None = Field(description="调查满意率 % (answered in the period)")
    means: list[QuestionMeanOut] = Field(description="Mean of each scored question")


class SurveyResultsOut(BaseModel):
    by: str = Field(description="unit (handling unit) or agent (first-question owner)")
    period: str = Field(
        description="The period, e.g. 2026-11, 2026-W48, 2026-11-03 or 2026-11 上旬 (1–10)"
    )
    start: datetime = Field(description="Local midnight the period starts (UTC)")
    end: datetime = Field(description="Local midnight after the period, exclusive (UTC)")
    rows: list[ResultRowOut] = Field(description="One per unit or agent with surveys, by key")
    total: ResultRowOut = Field(description="All the rows together")


class SurveyAnswerOut(BaseModel):
    key: str = Field(description="Question code")
    question: str = Field(description="The question's wording, in the caller's language")
    kind: str = Field(description="score10, score5, yes_no, choice or text")
    value: Any = Field(description="The answer as given (score, true/false, choice key, text)")
    shown: str = Field(description="The answer in the caller's words")


class ComplaintSurveyOut(BaseModel):
    id: int = Field(description="Survey id")
    complaint_id: int = Field(description="The complaint surveyed")
    template_purpose: str = Field(description="Purpose of its template (complaint_closed)")
    template_version: int = Field(description="The template version it was planned with")
    status: str = Field(description="pending, sent, answered, expired, skipped or failed")
    reason: str | None = Field(description="The throttle's last decision (code)")
    reason_text: str = Field(description="Status and reason in the caller's words")
    due_at: datetime = Field(
        description="When it is to go out (UTC): the close plus the rule's delay, moved to the "
        "next allowed time when that falls in the night window"
    )
    sent_at: datetime | None = Field(
        description="When the SMS was sent, or tried if it failed (UTC); null before"
    )
    expires_at: datetime | None = Field(
        description="When the link closes (UTC): link_days after sending; null before"
    )
    answered_at: datetime | None = Field(
        description="When the customer answered (UTC); null if not"
    )
    satisfied: bool | None = Field(
        description="Satisfied by the overall question; null until answered"
    )
    answers: list[SurveyAnswerOut] = Field(
        description="The questions answered, in the template's order"
    )
    unit_code: str = Field(
        description="Code of the handling unit (its last work order's, else the owner's)"
    )
    unit_name: str = Field(description="The handling unit in the caller's language")
    agent_username: str = Field(description="Username of the first-question owner (首问责任人)")
    agent_name: str = Field(description="Display name of the first-question owner")


def _template_out(view: TemplateView) -> SurveyTemplateOut:
    body = view.template.to_json()
    return SurveyTemplateOut(
        id=view.id,
        purpose=view.purpose,
        version=view.version,
        active=view.active,
        name_zh=body["name_zh"],
        name_en=body["name_en"],
        overall=body["overall"],
        questions=[QuestionOut.model_validate(q) for q in body["questions"]],
        created_at=view.created_at,
        created_by=view.created_by,
    )


def _rule_out(view: RuleView) -> SendingRuleOut:
    return SendingRuleOut(
        **view.rule.to_json(),
        region=view.region_code or "",
        region_name=view.region_name,
        version=view.version,
        updated_at=view.updated_at,
        updated_by=view.updated_by,
    )


def _row_out(row: ResultRow) -> ResultRowOut:
    return ResultRowOut.model_validate(row, from_attributes=True)


@router.get(
    "/api/v1/surveys/templates",
    response_model=list[SurveyTemplateOut],
    summary="Survey templates: the active version of each purpose (or every version)",
)
def list_survey_templates(
    uow: UowDep,
    actor: ActorDep,
    purpose: Annotated[
        str | None, Query(pattern=KEY_PATTERN, description="Only this purpose")
    ] = None,
    include_old: Annotated[bool, Query(description="Also earlier versions")] = False,
) -> list[SurveyTemplateOut]:
    return [_template_out(v) for v in templates.list_templates(uow, actor, purpose, include_old)]


@router.put(
    "/api/v1/surveys/templates/{purpose}",
    response_model=SurveyTemplateOut,
    summary="Save a purpose's questions as its next version (supervisors, administrators)",
)
def save_survey_template(
    purpose: Annotated[str, Path(pattern=KEY_PATTERN, description="Purpose code")],
    body: SurveyTemplateIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
) -> SurveyTemplateOut:
    data = {**body.model_dump(), "purpose": purpose}
    return _template_out(templates.save_template(uow, actor, data, now))


@router.get(
    "/api/v1/surveys/rules",
    response_model=list[SendingRuleOut],
    summary="Sending rules: the global one first, then each region's within your scope",
)
def list_sending_rules(uow: UowDep, actor: ActorDep, lang: LangDep) -> list[SendingRuleOut]:
    return [_rule_out(v) for v in rules.get_sending_rules(uow, actor, lang)]


@router.put(
    "/api/v1/surveys/rules",
    response_model=SendingRuleOut,
    summary="Set the sending rule of a region or the global one (supervisors, administrators)",
)
def save_sending_rule(
    body: SendingRuleIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> SendingRuleOut:
    data = body.model_dump(exclude={"region", "version"})
    view = rules.save_sending_rule(
        uow, actor, body.region or None, data, now, expected_version=body.version, lang=lang
    )
    return _rule_out(view)


@router.get(
    "/api/v1/surveys/results",
    response_model=SurveyResultsOut,
    summary="Survey results per handling unit or per agent in a period, within your scope",
)
def survey_results(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    date_: Annotated[date, Query(alias="date", description="A day of the period, YYYY-MM-DD")],
    period: Annotated[
        Literal["day", "week", "tenday", "month"], Query(description="Period containing date")
    ] = "month",
    by: Annotated[Literal["unit", "agent"], Query(description="unit or agent")] = "unit",
    region: Annotated[
        str | None, Query(max_length=64, description="Org unit code within your scope")
    ] = None,
) -> SurveyResultsOut:
    day = time_bounds.day("date", date_)
    found = results.survey_results(uow, actor, period_of(period, day), by, region or None, lang)
    return SurveyResultsOut(
        by=found.by,
        period=found.period_label,
        start=found.start,
        end=found.end,
        rows=[_row_out(r) for r in found.rows],
        total=_row_out(found.total),
    )


@router.get(
    "/api/v1/complaints/{complaint_id}/surveys",
    response_model=list[ComplaintSurveyOut],
    summary="A complaint's post-service surveys: status, reason, answers",
)
def complaint_surveys(
    complaint_id: int, uow: UowDep, actor: ActorDep, lang: LangDep
) -> list[ComplaintSurveyOut]:
    views: list[SurveyView] = results.complaint_surveys(uow, actor, complaint_id, lang)
    return [ComplaintSurveyOut.model_validate(v, from_attributes=True) for v in views]
