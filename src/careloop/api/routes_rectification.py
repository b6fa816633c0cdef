"""/api/v1/rectifications: 督促整改 — open a task from a finding, work it, submit it with
evidence, re-inspect (confirm or fail), read its trail; the limits per source kind.

Who may do what (domain.supervision.rectification): supervisors, administrators and unit
leads open tasks (a unit lead within their region); the owner unit's staff start, submit
and note; only the quality centre (supervisors, administrators) re-inspects; everybody
reads the tasks of their scope. A task outside the caller's scope answers 404. Changes
carry the version read (409 on a stale one); opening is idempotent per finding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.evidence_files import (
    DOWNLOAD_RESPONSES,
    EvidenceFileOut,
    file_response,
    read_upload,
)
from careloop.api.schemas import Strict, free_text
from careloop.domain.supervision import rectification as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.supervision import evidence_files
from careloop.services.supervision import rectification as service

router = APIRouter(prefix="/api/v1/rectifications", tags=["rectifications"])

SourceKind = Literal["inspection", "dial_test", "social_supervision", "complaint", "rectification"]
ListStatus = Literal[
    "open", "in_progress", "submitted", "closed", "reopened", "open_all", "overdue"
]


class UnitOut(BaseModel):
    id: int = Field(description="Unit id")
    code: str = Field(description="Unit code")
    name: str = Field(description="Unit name in the caller's language")


class ActionOut(BaseModel):
    name: str = Field(description="Transition: POST /api/v1/rectifications/{id}/{name}")
    label: str = Field(description="In the caller's language")


class RectificationOut(BaseModel):
    id: int = Field(description="Task id")
    number: str = Field(description="ZG + opening date + sequence")
    version: int = Field(description="Send it back with every change (optimistic lock)")
    source_kind: str = Field(description="What it came from (FindingRef.kind)")
    source_label: str = Field(description="The source kind in the caller's language")
    source_id: int = Field(description="The source record's id")
    source_item: str = Field(description="The checklist item's code, empty if none")
    unit: UnitOut = Field(description="The owner unit (责任单位)")
    title: str = Field(description="What must be put right")
    detail: str = Field(description="The finding in detail")
    status: str = Field(description="open, in_progress, submitted, closed or reopened")
    status_label: str = Field(description="Status in the caller's language")
    cycle: int = Field(description="The round: 1, one more after each failed re-inspection")
    opened_at: datetime = Field(description="When it was opened (UTC)")
    due_at: datetime = Field(description="The round's deadline (UTC)")
    due_local: str = Field(description="The deadline in Beijing time (24:00 = end of day)")
    remaining: str = Field(description="Time left or overdue, in words")
    overdue: bool = Field(description="Still owed past its deadline, or submitted late")
    limit: str = Field(description="The limit applied, in words")
    escalation_level: int = Field(description="Highest escalation level this round (0: none)")
    escalated_to: UnitOut | None = Field(description="The superior it was escalated to")
    actions_taken: str | None = Field(description="What the unit did (at submission)")
    evidence_ref: str | None = Field(description="Where the photo or file is stored")
    evidence_text: str | None = Field(description="The written account")
    submitted_at: datetime | None = Field(description="When submitted for re-inspection")
    check_note: str | None = Field(description="The last re-inspection's reason or note")
    closed_at: datetime | None = Field(description="When the re-inspection confirmed it")
    allowed: list[ActionOut] = Field(description="What the caller may do now")


class RectificationPage(BaseModel):
    total: int = Field(description="Tasks matching, within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Tasks skipped")
    items: list[RectificationOut] = Field(description="The tasks of this page")


class FindingSourceIn(Strict):
    kind: SourceKind = Field(description="What the finding came from")
    id: int = Field(ge=1, le=2**63 - 1, description="The source record's id")
    item: str = Field(
        "", max_length=rules.ITEM_MAX_CHARS, description="Checklist item code (empty: none)"
    )


class RectificationIn(Strict):
    source: FindingSourceIn = Field(description="The finding (one task per source and item)")
    unit: str = Field(
        min_length=1, max_length=64, description="Owner unit's code, within your scope"
    )
    title: str = free_text(rules.TITLE_MAX_CHARS, "What must be put right")
    detail: str = free_text(rules.DETAIL_MAX_CHARS, "The finding in detail")


class RectificationVersionIn(Strict):
    version: int = Field(description="The task's version as you read it (optimistic lock)")


class SubmitIn(RectificationVersionIn):
    actions_taken: str = free_text(rules.ACTIONS_MAX_CHARS, "What the unit did")
    evidence_ref: str | None = free_text(
        rules.EVIDENCE_REF_MAX_CHARS,
        "Where the photo or file is stored (photo://…, file://…, a document number)",
        None,
        required=False,
    )
    evidence_text: str | None = free_text(
        rules.EVIDENCE_TEXT_MAX_CHARS, "A written account of the result", None, required=False
    )


class ConfirmIn(RectificationVersionIn):
    note: str | None = free_text(
        rules.REASON_MAX_CHARS, "What the re-inspection found", None, required=False
    )


class FailIn(RectificationVersionIn):
    reason: str = free_text(rules.REASON_MAX_CHARS, "Why the re-inspection failed it")


class RectificationNoteIn(RectificationVersionIn):
    text: str = free_text(2000, "The note")


class RectificationEventOut(BaseModel):
    at: datetime = Field(description="When (UTC)")
    at_local: str = Field(description="When, Beijing time")
    actor: str = Field(description="Who (system for the sweep)")
    action: str = Field(description="Action code")
    action_label: str = Field(description="Action in the caller's language")
    cycle: int = Field(description="The round it happened in")
    note: str | None = Field(description="Reason, actions or note")
    after: dict[str, Any] | None = Field(description="What it changed")


class RectificationPolicyOut(BaseModel):
    source_kind: str = Field(description="The source kind the limit holds for")
    source_label: str = Field(description="The source kind in the caller's language")
    limits: dict[str, Any] = Field(description='As the SLA policies store it: {"count": …}')
    limit: str = Field(description="The limit in words")
    warn_share: float = Field(description="Share of the limit at which it warns")
    escalation: list[dict[str, Any]] = Field(description="Escalation steps")
    configured: bool = Field(description="False: the seeded default holds")


class RectificationPolicyIn(Strict):
    limits: dict[str, Any] = Field(
        description='The limit, e.g. {"count": "working_days", "days": 5}',
        examples=[{"count": "working_days", "days": 5}],
    )
    warn_share: float = Field(0.8, gt=0, le=1, description="Warn at this share of the limit")
    escalation: list[dict[str, Any]] | None = Field(
        None,
        max_length=5,
        description='Steps, e.g. [{"level": 1, "to": "superior", "after_minutes": 0}]; '
        "to: superior (上级单位) or province",
    )


def _out(view: service.RectificationView) -> RectificationOut:
    return RectificationOut.model_validate(view, from_attributes=True)


@router.get("", response_model=RectificationPage, summary="List tasks in your scope, soonest due")
def list_rectifications(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    status_: Annotated[
        ListStatus | None,
        Query(alias="status", description="A status, open_all (not closed) or overdue"),
    ] = None,
    unit: Annotated[
        str | None, Query(max_length=64, description="A unit's code: it and below")
    ] = None,
    source_kind: Annotated[SourceKind | None, Query(description="Where tasks came from")] = None,
    source_id: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="The source record's id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> RectificationPage:
    page = service.list_tasks(
        uow,
        actor,
        lang,
        now,
        status=status_,
        unit_code=unit,
        source_kind=source_kind,
        source_id=source_id,
        limit=limit,
        offset=offset,
    )
    return RectificationPage(
        total=page.total, limit=limit, offset=offset, items=[_out(v) for v in page.items]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RectificationOut,
    summary="Open a task from a finding (立项整改): supervisors, administrators, unit leads",
    description="The deadline follows the limit of the source kind (GET .../policies), counted "
    "on the business calendar. Idempotent per finding (source kind, id and item): sending it "
    "again answers 200 with the task opened the first time and `Idempotent-Replayed: true`.",
    responses={200: {"description": "Idempotent replay: the task first opened for it"}},
)
def open_rectification(
    body: RectificationIn,
    response: Response,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> RectificationOut:
    view, created = service.open_rectification_by_code(
        uow,
        source=service.FindingRef(body.source.kind, body.source.id, body.source.item),
        unit_code=body.unit,
        title=body.title,
        detail=body.detail,
        actor=actor,
        now=now,
        lang=lang,
    )
    response.headers["Location"] = f"/api/v1/rectifications/{view.id}"
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return _out(view)


@router.get(
    "/policies",
    response_model=list[RectificationPolicyOut],
    summary="The limit for each source kind (configured or seeded)",
)
def list_policies(uow: UowDep, actor: ActorDep, lang: LangDep) -> list[RectificationPolicyOut]:
    del actor  # any member of staff may read the limits they are held to
    return [
        RectificationPolicyOut.model_validate(p, from_attributes=True)
        for p in service.list_policies(uow, lang)
    ]


@router.put(
    "/policies/{source_kind}",
    response_model=RectificationPolicyOut,
    summary="Set the limit for one source kind (supervisors, administrators; audited)",
    description="Open tasks keep the deadline they got; new tasks and new rounds use it.",
)
def set_policy(
    source_kind: SourceKind,
    body: RectificationPolicyIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> RectificationPolicyOut:
    view = service.set_policy(
        uow,
        source_kind,
        body.limits,
        actor,
        now,
        warn_share=body.warn_share,
        escalation=body.escalation,
        lang=lang,
    )
    return RectificationPolicyOut.model_validate(view, from_attributes=True)


@router.get("/{task_id}", response_model=RectificationOut, summary="One task")
def get_rectification(
    task_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> RectificationOut:
    return _out(service.get_task(uow, task_id, actor, lang, now))


@router.get(
    "/{task_id}/events",
    response_model=list[RectificationEventOut],
    summary="The task's audit trail: opened, started, submitted, re-inspected, escalated",
)
def rectification_events(
    task_id: int, uow: UowDep, actor: ActorDep, lang: LangDep
) -> list[RectificationEventOut]:
    return [
        RectificationEventOut.model_validate(e, from_attributes=True)
        for e in service.task_events(uow, task_id, actor, lang)
    ]


@router.post("/{task_id}/start", response_model=RectificationOut, summary="开始整改")
def start(
    task_id: int,
    body: RectificationVersionIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> RectificationOut:
    return _out(service.start_task(uow, task_id, actor, body.version, now, lang))


@router.post(
    "/{task_id}/submit",
    response_model=RectificationOut,
    summary="提交复查: the actions taken and evidence (a reference, an account or a file)",
    description="Refused with 422 `rectification_evidence_required` when neither "
    "`evidence_ref` nor `evidence_text` says anything and no file was uploaded in this round "
    "(POST .../evidence): no task closes without evidence.",
)
def submit(
    task_id: int, body: SubmitIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> RectificationOut:
    return _out(
        service.submit_task(
            uow,
            task_id,
            actor,
            body.version,
            now,
            actions_taken=body.actions_taken,
            evidence_ref=body.evidence_ref,
            evidence_text=body.evidence_text,
            lang=lang,
        )
    )


@router.post(
    "/{task_id}/confirm",
    response_model=RectificationOut,
    summary="复查通过，销号 (supervisors, administrators)",
)
def confirm(
    task_id: int, body: ConfirmIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> RectificationOut:
    return _out(
        service.confirm_task(uow, task_id, actor, body.version, now, note=body.note, lang=lang)
    )


@router.post(
    "/{task_id}/fail",
    response_model=RectificationOut,
    summary="复查不通过: reopen with a new deadline (supervisors, administrators)",
)
def fail(
    task_id: int, body: FailIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> RectificationOut:
    return _out(
        service.fail_task(uow, task_id, actor, body.version, now, reason=body.reason, lang=lang)
    )


@router.post("/{task_id}/note", response_model=RectificationOut, summary="添加备注")
def note(
    task_id: int,
    body: RectificationNoteIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> RectificationOut:
    return _out(
        service.note_task(uow, task_id, actor, body.version, now, text=body.text, lang=lang)
    )


@router.post(
    "/{task_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceFileOut,
    summary="上传佐证材料: a photo or PDF for this round (owner unit, quality centre)",
    description="multipart/form-data with one `file` (jpg, png, gif, webp, pdf, office "
    "documents, txt, mp3, wav, amr; at most 10 MB; the content must match the extension). "
    "Only while the unit still owes the task (not submitted, not closed). A file of this "
    "round is evidence for 提交复查 (POST .../submit) on its own. Recorded on the task's "
    "trail. A task outside your scope answers 404.",
)
def upload_evidence(
    task_id: int,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    file: Annotated[UploadFile | None, File(description="The photo or document (required)")] = None,
) -> EvidenceFileOut:
    name, data = read_upload(file)
    view = evidence_files.upload_for_task(uow, task_id, actor, now, name, data)
    return EvidenceFileOut.model_validate(view, from_attributes=True)


@router.get(
    "/{task_id}/evidence",
    response_model=list[EvidenceFileOut],
    summary="The task's evidence files, oldest first (every round)",
)
def list_evidence(task_id: int, uow: UowDep, actor: ActorDep) -> list[EvidenceFileOut]:
    return [
        EvidenceFileOut.model_validate(v, from_attributes=True)
        for v in evidence_files.task_files(uow, task_id, actor)
    ]


@router.get(
    "/{task_id}/evidence/{file_id}",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES,
    summary="Download one evidence file (always as an attachment; recorded)",
)
def download_evidence(
    task_id: int, file_id: int, request: Request, uow: UowDep, actor: ActorDep, now: NowDep
) -> Response:
    client = request.client.host if request.client else None
    return file_response(
        evidence_files.download_for_task(uow, task_id, file_id, actor, now, client)
    )
