"""/api/v1/inspections, /api/v1/dial-tests, /api/v1/checklists: 监督检查.

Who may do what (domain.permissions): managers plan (inspection.plan), the staff sent
record results (inspection.record), every member of staff reads within their scope
(an inspection outside it answers 404; the inspector sent sees the visits they were sent
on), the quality centre adds checklist versions (checklist.manage) and a dialling
machine's account posts dial tests (dial_test.post).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from careloop.api import schemas_inspections as schemas
from careloop.api.deps import ActorDep, LangDep
from careloop.domain.errors import InvalidInput
from careloop.domain.supervision import checklists as checklist_rules
from careloop.domain.supervision.plans import quarter_of
from careloop.domain.supervision.scoring import ItemResult
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.supervision import (
    checklists,
    dial_tests,
    inspection_import,
    inspections,
    plans,
    scores,
)
from careloop.services.supervision.inspection_audit import require

LOCAL = ZoneInfo("Asia/Shanghai")
router = APIRouter(tags=["inspections"])

KindQuery = Annotated[
    Literal["store_visit", "dial_test", "online_walkthrough", "installation_walkthrough"] | None,
    Query(description="store_visit 营业厅明察暗访, dial_test 热线拨测, online_walkthrough "
          "线上渠道穿越, installation_walkthrough 装维穿越"),
]  # fmt: skip


def _out(view: inspections.InspectionView) -> schemas.InspectionOut:
    return schemas.InspectionOut.model_validate(view, from_attributes=True)


def _results(items: list[schemas.ItemResultIn]) -> list[ItemResult]:
    return [
        ItemResult(
            i.code,
            i.awarded,
            {
                k: v
                for k, v in (
                    ("photo", i.photo),
                    ("recording", i.recording),
                    ("timestamp", i.timestamp),
                )
                if v
            },
            i.note or "",
        )
        for i in items
    ]


# --- dial tests ----------------------------------------------------------------------------


@router.post(
    "/api/v1/dial-tests",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.DialTestOut,
    summary="Post one measured dial test (拨测) of a hotline: a dialling machine's account",
    description="Retry-safe: the same `Idempotency-Key` (header or body) with the same "
    "measurement answers 200 with the stored one; with another measurement 409. Counted in "
    "the hotline's 拨测接通率 (answered within 20 s).",
    responses={200: {"model": schemas.DialTestOut, "description": "Replayed: stored before"}},
)
def post_dial_test(
    body: schemas.DialTestIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=100, description="One call per key")
    ] = None,
) -> Response:
    key = idempotency_key or body.idempotency_key
    if not key:
        t = Translator(lang)
        raise InvalidInput("idempotency_key", t("api.dial_test.key_needed"))
    view, created = dial_tests.post_dial_test(
        uow,
        dial_tests.DialTestIn(
            body.hotline, body.started_at, body.outcome, body.answer_seconds, body.wait_seconds
        ),
        key,
        actor,
        now,
        lang,
    )
    out = schemas.DialTestOut.model_validate(view, from_attributes=True)
    return Response(
        out.model_dump_json(),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        media_type="application/json",
        headers={} if created else {"Idempotent-Replayed": "true"},
    )


@router.get(
    "/api/v1/dial-tests",
    response_model=schemas.DialTestPage,
    summary="Dial tests of the hotlines in your scope, newest first",
)
def list_dial_tests(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    hotline: Annotated[str | None, Query(max_length=20, description="Hotline number")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> schemas.DialTestPage:
    total, items = dial_tests.list_dial_tests(uow, actor, lang, hotline, limit=limit, offset=offset)
    return schemas.DialTestPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[schemas.DialTestOut.model_validate(v, from_attributes=True) for v in items],
    )


# --- checklists ----------------------------------------------------------------------------


def _checklist_out(uow: UowDep, kind: str, version: int | None = None) -> schemas.ChecklistOut:
    found = checklists.checklist(uow, kind, version)
    return schemas.ChecklistOut(
        **checklist_rules.to_json(found), versions=checklists.versions(uow, kind)
    )


@router.get(
    "/api/v1/checklists",
    response_model=list[schemas.ChecklistOut],
    summary="The latest checklist of each inspection kind",
)
def list_checklists(uow: UowDep, actor: ActorDep) -> list[schemas.ChecklistOut]:
    require(actor, "inspection.read")
    return [_checklist_out(uow, kind) for kind in checklist_rules.INSPECTION_KINDS]


@router.get(
    "/api/v1/checklists/{kind}",
    response_model=schemas.ChecklistOut,
    summary="One kind's checklist, the latest version or `version`",
)
def get_checklist(
    kind: Literal["store_visit", "dial_test", "online_walkthrough", "installation_walkthrough"],
    uow: UowDep,
    actor: ActorDep,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> schemas.ChecklistOut:
    require(actor, "inspection.read")
    return _checklist_out(uow, kind, version)


@router.post(
    "/api/v1/checklists/{kind}",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ChecklistOut,
    summary="Add the next version of a kind's checklist (results keep the version they used)",
)
def add_checklist_version(
    kind: Literal["store_visit", "dial_test", "online_walkthrough", "installation_walkthrough"],
    body: schemas.ChecklistIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
) -> schemas.ChecklistOut:
    new = checklists.add_version(uow, kind, body.model_dump(), actor, now)
    return _checklist_out(uow, kind, new.version)


# --- subjects and plans --------------------------------------------------------------------


@router.post(
    "/api/v1/inspections/subjects",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.SubjectOut,
    summary="Register a store, hotline, online channel or installation team to inspect",
)
def add_subject(
    body: schemas.SubjectIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> schemas.SubjectOut:
    subject = plans.add_subject(
        uow,
        plans.NewSubject(
            body.kind, body.code, body.name_zh, body.unit, body.name_en or "", body.hotline_number
        ),
        actor,
        now,
    )
    return schemas.SubjectOut.model_validate(subject, from_attributes=True)


@router.get(
    "/api/v1/inspections/subjects",
    response_model=list[schemas.SubjectOut],
    summary="What is inspected within your scope",
)
def list_subjects(
    uow: UowDep,
    actor: ActorDep,
    kind: Annotated[
        Literal["store", "hotline", "online_channel", "installation_team"] | None, Query()
    ] = None,
) -> list[schemas.SubjectOut]:
    return [
        schemas.SubjectOut.model_validate(s, from_attributes=True)
        for s in plans.subjects(uow, actor, kind)
    ]


@router.post(
    "/api/v1/inspections/plans",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PlanOut,
    summary="Plan inspections: a quarterly rotation or a daily schedule, with result slots",
)
def create_plan(body: schemas.PlanIn, uow: UowDep, actor: ActorDep, now: NowDep) -> schemas.PlanOut:
    plan = plans.create_plan(
        uow,
        plans.NewPlan(
            body.name,
            body.kind,
            body.cadence,
            body.starts_on,
            body.ends_on,
            tuple(body.inspectors),
            body.region,
            tuple(body.subjects),
        ),
        actor,
        now,
    )
    slots = plans.slot_count(uow, plan.id)
    return schemas.PlanOut(
        id=plan.id, name=plan.name, kind=plan.kind, cadence=plan.cadence,
        starts_on=plan.starts_on, ends_on=plan.ends_on, slots=slots,
    )  # fmt: skip


@router.get(
    "/api/v1/inspections/plans",
    response_model=list[schemas.PlanOut],
    summary="Inspection plans covering your scope",
)
def list_plans(uow: UowDep, actor: ActorDep) -> list[schemas.PlanOut]:
    return [
        schemas.PlanOut(
            id=p.id,
            name=p.name,
            kind=p.kind,
            cadence=p.cadence,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            slots=plans.slot_count(uow, p.id),
        )
        for p in plans.plans_of(uow, actor)
    ]


# --- scores --------------------------------------------------------------------------------


@router.get(
    "/api/v1/inspections/scores",
    response_model=schemas.ScoresOut,
    summary="Store, region and hotline rankings with 达标率, and the monthly trend",
    description="Default period: the current quarter (Beijing time).",
)
def get_scores(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    start: Annotated[date | None, Query(description="First day (YYYY-MM-DD)")] = None,
    end: Annotated[date | None, Query(description="Last day (YYYY-MM-DD)")] = None,
    by: Annotated[Literal["month", "quarter"], Query(description="Trend buckets")] = "month",
    kind: KindQuery = None,
) -> schemas.ScoresOut:
    first, last = quarter_of(now.astimezone(LOCAL).date())
    start, end = start or first, end or last
    if end < start or (end - start) > timedelta(days=731):
        t = Translator(lang)
        raise InvalidInput("end", t("api.scores.period"))
    visit_kind = kind or "store_visit"
    return schemas.ScoresOut(
        start=start,
        end=end,
        stores=[
            schemas.ScoreOut.model_validate(s, from_attributes=True)
            for s in scores.store_ranking(uow, actor, start, end, lang, visit_kind)
        ],
        regions=[
            schemas.ScoreOut.model_validate(s, from_attributes=True)
            for s in scores.region_ranking(uow, actor, start, end, lang, visit_kind)
        ],
        hotlines=[
            schemas.HotlineScoreOut.model_validate(h, from_attributes=True)
            for h in scores.hotline_ranking(uow, actor, start, end, lang)
        ],
        trend=[
            schemas.TrendOut.model_validate(t, from_attributes=True)
            for t in scores.trend(uow, actor, start, end, by, visit_kind)
        ],
    )


MAX_IMPORT_BYTES = 2 * 1024 * 1024


@router.post(
    "/api/v1/inspections/import",
    response_model=schemas.ImportOut,
    summary="Import results from Excel: a row per visit × item; all or nothing",
    description="The request body is the .xlsx file itself. Columns (Chinese or English "
    "headers): 检查对象编码/subject, 检查类型/kind, 检查时间/visited_at, 检查人/inspector, "
    "检查项/item, 得分/awarded, 照片/photo, 录音编号/recording, 时间记录/timestamp, 说明/note. "
    "Any error (each named by its row) imports nothing: `imported` is false and `errors` "
    "lists them.",
    openapi_extra={
        "requestBody": {
            "required": True,
            # Sent as the file's bytes; any content type is read (Excel's own type too).
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def import_results(
    request: Request, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> schemas.ImportOut:
    content = await request.body()
    if len(content) > MAX_IMPORT_BYTES:
        t = Translator(lang)
        raise InvalidInput("file", t("api.file.too_large", mb=MAX_IMPORT_BYTES // (1024 * 1024)))
    name = request.headers.get("x-filename", "")[:100]
    result = await run_in_threadpool(
        inspection_import.import_results, uow, content, actor, now, name
    )
    return schemas.ImportOut(imported=result.imported, visits=result.visits, errors=result.errors)


# --- inspections ---------------------------------------------------------------------------


@router.get(
    "/api/v1/inspections",
    response_model=schemas.InspectionPage,
    summary="Inspections within your scope (or `mine`: the ones you were sent on)",
)
def list_inspections(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    mine: Annotated[bool, Query(description="Only the visits you were sent on")] = False,
    status_: Annotated[
        Literal["planned", "draft", "submitted"] | None, Query(alias="status")
    ] = None,
    kind: KindQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> schemas.InspectionPage:
    total, items = inspections.list_inspections(
        uow, actor, lang, now, mine=mine, status=status_, kind=kind, limit=limit, offset=offset
    )
    return schemas.InspectionPage(
        total=total, limit=limit, offset=offset, items=[_out(v) for v in items]
    )


def _detail(d: inspections.InspectionDetail) -> schemas.InspectionDetailOut:
    return schemas.InspectionDetailOut(
        inspection=_out(d.inspection),
        checklist_name=d.checklist_name,
        pass_mark=d.pass_mark,
        items=[schemas.ItemOut.model_validate(i, from_attributes=True) for i in d.items],
    )


@router.get(
    "/api/v1/inspections/{inspection_id}",
    response_model=schemas.InspectionDetailOut,
    summary="One inspection with its checklist items and results",
)
def get_inspection(
    inspection_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> schemas.InspectionDetailOut:
    return _detail(inspections.detail(uow, inspection_id, actor, lang, now))


@router.put(
    "/api/v1/inspections/{inspection_id}/draft",
    response_model=schemas.InspectionDetailOut,
    summary="Save a draft result (items sent replace those items; the rest stays)",
)
def save_draft(
    inspection_id: int,
    body: schemas.ResultIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> schemas.InspectionDetailOut:
    inspections.save_draft(
        uow, inspection_id, _results(body.items), body.version, actor, now, body.visited_at
    )
    return _detail(inspections.detail(uow, inspection_id, actor, lang, now))


@router.post(
    "/api/v1/inspections/{inspection_id}/submit",
    response_model=schemas.InspectionDetailOut,
    summary="Submit the result: every item scored, its evidence referenced; scored and "
    "failed items opened as rectification tasks",
)
def submit_inspection(
    inspection_id: int,
    body: schemas.ResultIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> schemas.InspectionDetailOut:
    inspections.submit(
        uow, inspection_id, _results(body.items), body.version, actor, now, body.visited_at
    )
    return _detail(inspections.detail(uow, inspection_id, actor, lang, now))
