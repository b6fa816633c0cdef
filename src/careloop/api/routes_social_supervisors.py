"""/api/v1/social-supervisors: 社会监督员 — the registry, their submissions, the units'
answers and the rectification a failed finding opens.

Who may do what (domain.supervision.social_supervisors): the quality centre (supervisors,
administrators) keeps the registry; it and unit leads record submissions; the unit
answering (its own staff or those above it) answers; everybody reads within their scope.
A supervisor's phone is masked for roles that may not see personal data. Records outside
the caller's scope answer 404; changes carry the version read (409 on a stale one);
recording a submission takes an Idempotency-Key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.routes_rectification import UnitOut
from careloop.api.schemas import Strict, free_text
from careloop.domain.supervision import social_supervisors as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.supervision import social_supervisors as service

router = APIRouter(prefix="/api/v1/social-supervisors", tags=["social supervisors"])


class SupervisorOut(BaseModel):
    id: int = Field(description="Supervisor id")
    version: int = Field(description="Send it back with every change (optimistic lock)")
    name: str = Field(description="Name")
    phone: str = Field(description="Contact phone, masked unless your role may see it")
    area: UnitOut = Field(description="The area (region or unit) they supervise")
    term_start: date = Field(description="First day of the term")
    term_end: date = Field(description="Last day of the term")
    active: bool = Field(description="Not stopped")
    in_term: bool = Field(description="Active and within the term today (may report)")
    state_label: str = Field(description="在聘, 不在聘期 or 已停用, in the caller's language")
    submissions: int = Field(description="Submissions recorded so far")


class SupervisorPage(BaseModel):
    total: int = Field(description="Supervisors within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Supervisors skipped")
    items: list[SupervisorOut] = Field(description="The supervisors of this page")


class SupervisorIn(Strict):
    name: str = free_text(rules.NAME_MAX_CHARS, "Name")
    contact_phone: str = Field(
        min_length=3, max_length=32, description="Mobile or fixed line with area code"
    )
    area_unit: str = Field(
        min_length=1, max_length=64, description="Code of the region or unit they supervise"
    )
    term_start: date = Field(description="First day of the term")
    term_end: date = Field(description="Last day of the term")
    active: bool = Field(True, description="May report from the start of the term")


class SupervisorPatch(Strict):
    version: int = Field(description="The supervisor's version as you read it")
    name: str | None = free_text(rules.NAME_MAX_CHARS, "New name", None, required=False)
    contact_phone: str | None = Field(None, min_length=3, max_length=32, description="New phone")
    area_unit: str | None = Field(None, min_length=1, max_length=64, description="New area")
    term_start: date | None = Field(None, description="New first day")
    term_end: date | None = Field(None, description="New last day")
    active: bool | None = Field(None, description="Stop (false) or resume (true)")


class SubmissionOut(BaseModel):
    id: int = Field(description="Submission id")
    number: str = Field(description="JD + date + sequence")
    version: int = Field(description="Send it back with every change (optimistic lock)")
    supervisor_id: int = Field(description="The supervisor who reported it")
    supervisor_name: str = Field(description="The supervisor's name")
    kind: str = Field(description="observation or feedback")
    kind_label: str = Field(description="The kind in the caller's language")
    target_kind: str = Field(description="store, hotline or unit")
    target_kind_label: str = Field(description="The kind of place in the caller's language")
    target_unit: UnitOut = Field(description="The unit observed")
    owner_unit: UnitOut = Field(description="The unit that answers")
    score: float | None = Field(description="0–100 for a scored observation")
    finding: str = Field(description="pass, fail or none")
    finding_label: str = Field(description="The finding in the caller's language")
    text: str = Field(description="What the supervisor reported")
    evidence_ref: str | None = Field(description="Where their photo or recording is stored")
    observed_at: datetime = Field(description="When observed (UTC)")
    observed_local: str = Field(description="When observed, Beijing time")
    status: str = Field(description="awaiting_reply or answered")
    status_label: str = Field(description="The state in the caller's language")
    reply_due_at: datetime = Field(description="Reply deadline (UTC)")
    reply_due_local: str = Field(description="Reply deadline, Beijing time")
    remaining: str = Field(description="Time left, overdue, or answered on time / late")
    overdue: bool = Field(description="Not answered by its deadline, or answered late")
    reply: str | None = Field(description="The unit's answer (sent to the supervisor)")
    replied_at: datetime | None = Field(description="When answered (UTC)")
    rectification_id: int | None = Field(description="The rectification task it opened")
    rectification_number: str | None = Field(description="The rectification task's number")
    may_reply: bool = Field(description="You may answer it now")
    may_open_rectification: bool = Field(description="You may open a rectification task")


class SubmissionPage(BaseModel):
    total: int = Field(description="Submissions matching, within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Submissions skipped")
    items: list[SubmissionOut] = Field(description="The submissions of this page")


class SubmissionIn(Strict):
    supervisor_id: int = Field(ge=1, le=2**63 - 1, description="Who reported it")
    submission_kind: Literal["observation", "feedback"] = Field(
        description="observation (服务体验打分, needs a score) or feedback (意见建议)"
    )
    target_kind: Literal["store", "hotline", "unit"] = Field(description="What was observed")
    target_unit: str = Field(min_length=1, max_length=64, description="Code of the unit observed")
    owner_unit: str | None = Field(
        None, min_length=1, max_length=64, description="Who answers; default the unit observed"
    )
    score: float | None = Field(None, description="0–100")
    finding: Literal["pass", "fail", "none"] | None = Field(
        None, description="Verdict; default from the score against the pass mark (80)"
    )
    observation: str = free_text(rules.TEXT_MAX_CHARS, "What the supervisor reported")
    evidence_ref: str | None = free_text(
        rules.EVIDENCE_REF_MAX_CHARS, "Where a photo or recording is stored", None, required=False
    )
    observed_at: AwareDatetime = Field(description="When it was observed (with offset)")
    open_rectification: bool = Field(
        False, description="A failed finding opens a rectification task for the answering unit"
    )


class AnswerIn(Strict):
    version: int = Field(description="The submission's version as you read it")
    reply: str = free_text(rules.REPLY_MAX_CHARS, "The answer the supervisor receives")


class SubmissionVersionIn(Strict):
    version: int = Field(description="The submission's version as you read it")


def _supervisor(view: service.SupervisorView) -> SupervisorOut:
    return SupervisorOut.model_validate(view, from_attributes=True)


def _submission(view: service.SubmissionView) -> SubmissionOut:
    return SubmissionOut.model_validate(view, from_attributes=True)


@router.get("", response_model=SupervisorPage, summary="The registry within your scope")
def list_supervisors(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    active: Annotated[bool | None, Query(description="Only active (or stopped) ones")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> SupervisorPage:
    page = service.list_supervisors(
        uow, actor, lang, now, active=active, limit=limit, offset=offset
    )
    return SupervisorPage(
        total=page.total, limit=limit, offset=offset, items=[_supervisor(v) for v in page.items]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SupervisorOut,
    summary="Appoint a social supervisor (supervisors, administrators; audited)",
)
def register_supervisor(
    body: SupervisorIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> SupervisorOut:
    draft = service.NewSupervisor(
        body.name, body.contact_phone, body.area_unit, body.term_start, body.term_end, body.active
    )
    return _supervisor(service.register_supervisor(uow, draft, actor, now, lang))


@router.get(
    "/submissions",
    response_model=SubmissionPage,
    summary="Submissions your scope answers, the soonest reply due first",
)
def list_submissions(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    status_: Annotated[
        Literal["awaiting_reply", "answered"] | None,
        Query(alias="status", description="awaiting_reply or answered"),
    ] = None,
    supervisor_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    unit: Annotated[
        str | None, Query(max_length=64, description="Answering unit and below")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> SubmissionPage:
    page = service.list_submissions(
        uow,
        actor,
        lang,
        now,
        status=status_,
        supervisor_id=supervisor_id,
        unit=unit,
        limit=limit,
        offset=offset,
    )
    return SubmissionPage(
        total=page.total, limit=limit, offset=offset, items=[_submission(v) for v in page.items]
    )


@router.post(
    "/submissions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmissionOut,
    summary="Record what a supervisor reported; the unit observed answers by a deadline",
    description="The reply deadline is 5 working days on the business calendar. With "
    "`open_rectification` a failed finding opens a rectification task at once. The same "
    "Idempotency-Key answers 200 with the first submission and `Idempotent-Replayed: true`.",
    responses={200: {"description": "Idempotent replay"}},
)
def record_submission(
    body: SubmissionIn,
    response: Response,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=service.IDEMPOTENCY_KEY_CHARS, description="Retry-safe recording"),
    ] = None,
) -> SubmissionOut:
    draft = service.NewSubmission(
        supervisor_id=body.supervisor_id,
        kind=body.submission_kind,
        target_kind=body.target_kind,
        target_unit=body.target_unit,
        text=body.observation,
        observed_at=body.observed_at,
        score=body.score,
        finding=body.finding,
        evidence_ref=body.evidence_ref,
        owner_unit=body.owner_unit,
        open_rectification=body.open_rectification,
    )
    view, created = service.record_submission(uow, draft, actor, now, idempotency_key, lang)
    response.headers["Location"] = f"/api/v1/social-supervisors/submissions/{view.id}"
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return _submission(view)


@router.get("/submissions/{submission_id}", response_model=SubmissionOut, summary="One")
def get_submission(
    submission_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> SubmissionOut:
    return _submission(service.get_submission(uow, submission_id, actor, lang, now))


@router.post(
    "/submissions/{submission_id}/answer",
    response_model=SubmissionOut,
    summary="Answer the supervisor (the unit concerned); sent to them by SMS",
)
def answer(
    submission_id: int, body: AnswerIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> SubmissionOut:
    return _submission(
        service.answer_submission(uow, submission_id, body.version, body.reply, actor, now, lang)
    )


@router.post(
    "/submissions/{submission_id}/rectification",
    response_model=SubmissionOut,
    summary="Open a rectification task for a failed finding (once)",
)
def open_rectification(
    submission_id: int,
    body: SubmissionVersionIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> SubmissionOut:
    return _submission(
        service.open_rectification_for(uow, submission_id, body.version, actor, now, lang)
    )


@router.get("/{supervisor_id}", response_model=SupervisorOut, summary="One supervisor")
def get_supervisor(
    supervisor_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> SupervisorOut:
    return _supervisor(service.get_supervisor(uow, supervisor_id, actor, lang, now))


@router.patch(
    "/{supervisor_id}",
    response_model=SupervisorOut,
    summary="Correct details, extend or end the term, stop or resume (audited)",
)
def update_supervisor(
    supervisor_id: int,
    body: SupervisorPatch,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> SupervisorOut:
    changes = service.SupervisorChanges(
        version=body.version,
        name=body.name,
        phone=body.contact_phone,
        area=body.area_unit,
        term_start=body.term_start,
        term_end=body.term_end,
        active=body.active,
    )
    return _supervisor(service.update_supervisor(uow, supervisor_id, changes, actor, now, lang))
