"""/api/v1/incidents: 突发服务事件 — open, read, edit, resolve, link, reply in bulk, report.

Who may do what (domain.incidents): supervisors, administrators and unit leads open, edit,
resolve and link (a unit lead within their own region); agents, unit leads, supervisors
and administrators reply in bulk; every member of staff reads the incidents that touch
their scope. An incident outside the caller's scope answers 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from careloop.api import schemas_incidents as schemas
from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import IncidentBriefOut
from careloop.domain import incidents as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.incidents import bulk_reply, lifecycle, linking, read_models, report
from careloop.services.unit_of_work import UnitOfWork

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


def _out(view: read_models.IncidentView) -> schemas.IncidentOut:
    return schemas.IncidentOut.model_validate(view, from_attributes=True)


@router.get(
    "",
    response_model=schemas.IncidentPage,
    summary="List the incidents touching your scope, newest first",
)
def list_incidents(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    status_: Annotated[
        Literal["open", "resolved"] | None,
        Query(alias="status", description="open or resolved"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> schemas.IncidentPage:
    page = read_models.list_incidents(uow, actor, lang, status_, limit, offset)
    return schemas.IncidentPage(
        total=page.total, limit=limit, offset=offset, items=[_out(i) for i in page.items]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.IncidentOut,
    summary="Open an incident (发布突发事件): supervisors, administrators, unit leads",
    description="Complaints accepted from now on that match its regions, categories, "
    "products and time are linked at intake and answered with its prepared answer; with "
    "`link_open_complaints` (default) the open ones accepted since `starts_at` are linked too.",
)
def open_incident(
    body: schemas.IncidentIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> schemas.IncidentOut:
    draft = lifecycle.NewIncident(
        kind=body.kind,
        title=body.title,
        prepared_answer=body.prepared_answer,
        regions=tuple(body.regions),
        starts_at=body.starts_at,
        description=body.description,
        categories=tuple(body.categories),
        products=tuple(body.products),
        expected_end_at=body.expected_end_at,
        link_open_complaints=body.link_open_complaints,
    )
    incident = lifecycle.open_incident(uow, draft, actor, now)
    return _out(read_models.incident_now(uow, incident.id, actor, lang))


@router.get("/{incident_id}", response_model=schemas.IncidentOut, summary="One incident")
def get_incident(
    incident_id: int, uow: UowDep, actor: ActorDep, lang: LangDep
) -> schemas.IncidentOut:
    return _out(read_models.incident_now(uow, incident_id, actor, lang))


@router.patch(
    "/{incident_id}",
    response_model=schemas.IncidentOut,
    summary="Correct an incident's title, prepared answer, expected end or what it concerns",
)
def update_incident(
    incident_id: int,
    body: schemas.IncidentPatch,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> schemas.IncidentOut:
    changes = lifecycle.IncidentChanges(
        version=body.version,
        title=body.title,
        description=body.description,
        prepared_answer=body.prepared_answer,
        expected_end_at=body.expected_end_at,
        categories=tuple(body.categories) if body.categories is not None else None,
        products=tuple(body.products) if body.products is not None else None,
    )
    lifecycle.update_incident(uow, incident_id, changes, actor, now)
    return _out(read_models.incident_now(uow, incident_id, actor, lang))


@router.post(
    "/{incident_id}/resolve",
    response_model=schemas.IncidentOut,
    summary="Resolve an incident (宣布恢复); complaints still link for a day after its end",
)
def resolve_incident(
    incident_id: int,
    body: schemas.ResolveIn,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> schemas.IncidentOut:
    lifecycle.resolve_incident(uow, incident_id, actor, body.version, now, body.ended_at, body.note)
    return _out(read_models.incident_now(uow, incident_id, actor, lang))


@router.post(
    "/{incident_id}/link-open",
    response_model=schemas.LinkedOut,
    summary="Link the open complaints accepted since the start that match (audited)",
)
def link_open(
    incident_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> schemas.LinkedOut:
    linked = linking.link_open_complaints_now(uow, incident_id, actor, now)
    return schemas.LinkedOut(
        linked=linked, incident=_out(read_models.incident_now(uow, incident_id, actor, lang))
    )


@router.post(
    "/{incident_id}/bulk-reply",
    response_model=schemas.BulkReplyOut,
    summary="Reply every linked open complaint with the prepared answer (一键答复)",
    description="Each complaint in your scope that may be replied is replied through its "
    "lifecycle (its own `reply` audit event); the others are listed with the reason. Each "
    "customer gets one SMS notice through the notify adapters (after the quiet hours). One "
    "audit event on the incident names who did it and how many. Send the incident's "
    "`version` as you read it: the answer you saw is the answer that goes out.",
)
def reply_in_bulk(
    incident_id: int,
    body: schemas.IncidentVersionIn,
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> schemas.BulkReplyOut:
    platform = request.app.state.platform  # the request's own database and adapters
    done = bulk_reply.bulk_reply_and_notify(
        uow, incident_id, actor, body.version, now, platform.session_factory, platform.adapters
    )
    return schemas.BulkReplyOut(
        replied=done.replied,
        skipped=[
            schemas.SkippedOut(
                complaint_id=s.complaint_id,
                number=s.number,
                reason=s.reason,
                reason_label=rules.label(rules.SKIP_REASONS[s.reason], lang),
            )
            for s in done.skipped
        ],
        notices_queued=done.notices_queued,
        notices_delivered=done.notices_delivered,
        incident=_out(read_models.incident_now(uow, incident_id, actor, lang)),
    )


@router.get(
    "/{incident_id}/complaints",
    response_model=schemas.LinkedComplaintPage,
    summary="The incident's linked complaints within your scope (phones masked by role)",
)
def linked_complaints(
    incident_id: int,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> schemas.LinkedComplaintPage:
    total, items = read_models.linked_complaints(uow, incident_id, actor, lang, limit, offset)
    return schemas.LinkedComplaintPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[schemas.LinkedComplaintOut.model_validate(v, from_attributes=True) for v in items],
    )


@router.get(
    "/{incident_id}/events",
    response_model=list[schemas.IncidentEventOut],
    summary="The incident's audit trail: opened, edited, linked, bulk replies, resolved",
)
def incident_events(
    incident_id: int, uow: UowDep, actor: ActorDep
) -> list[schemas.IncidentEventOut]:
    return [
        schemas.IncidentEventOut.model_validate(e, from_attributes=True)
        for e in read_models.incident_events(uow, incident_id, actor)
    ]


@router.get(
    "/{incident_id}/report",
    response_model=schemas.IncidentReportOut,
    summary="The incident's report: complaints by region and day, reply times, notices",
    description="JSON by default; `format=csv` (the region-and-day table), `xlsx` or `html` "
    "download the report file. Whoever may read the incident may read its report (counts, "
    "no personal data); it counts the complaints in your scope only.",
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
)
def incident_report(
    incident_id: int,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    format_: Annotated[
        Literal["json", "csv", "xlsx", "html"],
        Query(alias="format", description="json, csv, xlsx or html"),
    ] = "json",
) -> Response | schemas.IncidentReportOut:
    found = report.incident_report(uow, incident_id, actor, lang)
    if format_ == "json":
        return schemas.IncidentReportOut.model_validate(found, from_attributes=True)
    body, media_type, name = report.report_bytes(found, format_, lang)
    disposition = "inline" if format_ == "html" else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def incident_brief(uow: UnitOfWork, complaint_id: int, lang: str) -> IncidentBriefOut | None:
    """The incident a complaint is linked to, for its answer (intake, one complaint): the
    caller has read the complaint, so it lies within their scope."""
    found = read_models.brief_of(uow, complaint_id, lang)
    return IncidentBriefOut.model_validate(found, from_attributes=True) if found else None
