"""/api/v1/complaints: intake, lists, one endpoint per lifecycle action, notes, dispatch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from careloop.api import presenters, schemas
from careloop.api.deps import ActorDep, LangDep, RequiredTokenDep, take_intake
from careloop.api.routes_incidents import incident_brief
from careloop.api.transition_routes import ActionEndpoint, Answer, add_action_routes
from careloop.domain.lifecycle import tickets
from careloop.http.dependencies import NowDep, UowDep, actor_from
from careloop.services.complaints import (
    filters,
    intake,
    lifecycle,
    queries,
    read_models,
    work_orders,
)

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])


def draft_of(body: schemas.ComplaintIn) -> intake.NewComplaint:
    """The intake request as the service's draft (single and bulk intake alike)."""
    return intake.NewComplaint(
        channel=body.channel,
        customer_phone=body.customer.phone,
        category=body.category,
        description=body.description,
        region_code=body.region,
        product=body.product,
        customer_name=body.customer.name,
        customer_account=body.customer.account,
        customer_tier=body.customer.tier,
        priority=body.priority,
        source_ref=body.source_ref,
        escalated=body.escalated,
        regulator_transfer=body.regulator_transfer,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ComplaintOut,
    summary="Accept a complaint (受理); the caller becomes its first-question owner",
    description="A repeat (重复投诉: same customer, same first-level category within 30 days) "
    "is linked to the earlier complaint and escalates: its priority is raised one step "
    "(the answer shows the raised one), the SLA policy is matched as a repeat (match_repeat), "
    "and the unit leads of its region and of the caller's unit are told through the "
    "notifications outbox (kind repeat). The link_repeat audit event records the raise and why.",
    responses={
        200: {"description": "Idempotent replay: the complaint first created with this key"}
    },
)
async def create_complaint(
    body: schemas.ComplaintIn,
    request: Request,
    token: RequiredTokenDep,
    now: NowDep,
    lang: LangDep,
    idempotency_key: Annotated[
        str | None, Header(description="Retry-safe intake: the same key returns the same complaint")
    ] = None,
) -> Response:
    """The whole use case (unit of work, who is asking, the rate limit, intake, the answer)
    in one trip to the thread pool: each trip, and each dependency with a clean-up, costs a
    measurable share of an intake (issue 7), so the hottest endpoint spends one, where
    `UowDep`, `ActorDep` and a sync endpoint would spend three and an async clean-up."""
    key = idempotency_key or body.idempotency_key
    return await run_in_threadpool(_create, body, request, token, now, lang, key)


def _create(
    body: schemas.ComplaintIn,
    request: Request,
    token: str | None,
    now: datetime,
    lang: str,
    key: str | None,
) -> Response:
    with request.app.state.platform.unit_of_work() as uow:
        actor = actor_from(uow, token, now)
        take_intake(request, actor, now, uow)
        result = intake.accept_complaint_view(uow, draft_of(body), actor, now, key, lang)
        answer = presenters.complaint(result.complaint)
        answer.incident = incident_brief(uow, answer.id, lang)
        headers = {"Location": f"/api/v1/complaints/{answer.id}"}
        if not result.created:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            answer.model_dump_json(by_alias=True),
            status_code=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            headers=headers,
            media_type="application/json",
        )


@router.get("", response_model=schemas.ComplaintPage, summary="List complaints with filters")
def list_complaints(
    response: Response,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    sla_state: Annotated[
        str | None,
        Query(
            alias="sla",
            description="Complaints with a clock in this state now: breached, warning, "
            "paused, running, met or met_late (computed as the sweeper computes it)",
        ),
    ] = None,
    status_: Annotated[
        list[str] | None, Query(alias="status", description="One or more statuses")
    ] = None,
    category: Annotated[str | None, Query(description="Category code, either level")] = None,
    unit: Annotated[str | None, Query(description="Has a work order at this unit or below")] = None,
    channel: Annotated[str | None, Query()] = None,
    region: Annotated[str | None, Query(description="Region code; includes the subtree")] = None,
    created_from: Annotated[datetime | None, Query(description="Accepted at or after")] = None,
    created_to: Annotated[datetime | None, Query(description="Accepted before")] = None,
    due_from: Annotated[datetime | None, Query(description="Reply due at or after")] = None,
    due_to: Annotated[datetime | None, Query(description="Reply due before")] = None,
    escalated: Annotated[str | None, Query(description="true or false")] = None,
    repeat: Annotated[str | None, Query(description="true or false")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Text contained in description, number, customer name or source "
            "reference (number and source reference only for roles that see personal data "
            "masked)",
        ),
    ] = None,
    phone: Annotated[
        str | None,
        Query(max_length=32, description="Customer phone (refused to roles that cannot unmask)"),
    ] = None,
    sort: Annotated[str, Query(description="accepted_at, reply_due_at or id; '-' descends")] = (
        "-accepted_at"
    ),
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    after: Annotated[
        str | None,
        Query(
            max_length=400,
            description="Cursor from a previous page's next_cursor (same sort): continue "
            "after it instead of skipping offset rows",
        ),
    ] = None,
) -> schemas.ComplaintPage:
    chosen = filters.from_api(
        status=status_,
        category=category,
        unit=unit,
        channel=channel,
        region=region,
        created_from=created_from,
        created_to=created_to,
        due_from=due_from,
        due_to=due_to,
        escalated=escalated,
        repeat=repeat,
        q=q,
        phone=phone,
        sla=sla_state,
    )
    page = queries.complaint_view_page(
        uow, chosen, limit, offset, sort, actor=actor, lang=lang, now=now, after=after
    )
    # X-Total-Count stays a plain number (what clients parse); when the count stopped at
    # the cap, X-Total-Capped says it is a lower bound.
    response.headers["X-Total-Count"] = str(page.total)
    if page.total_capped:
        response.headers["X-Total-Capped"] = "true"
    return schemas.ComplaintPage(
        total=page.total,
        total_capped=page.total_capped,
        limit=limit,
        offset=offset,
        next_cursor=page.next_cursor,
        items=[presenters.complaint(c) for c in page.items],
    )


@router.get("/{complaint_id}", response_model=schemas.ComplaintOut)
def get_complaint(
    complaint_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> schemas.ComplaintOut:
    answer = presenters.complaint_now(uow, complaint_id, actor, lang, now)
    answer.incident = incident_brief(uow, complaint_id, lang)
    return answer


@router.get(
    "/{complaint_id}/events",
    response_model=list[schemas.EventOut],
    summary="The audit trail: every change with who, when, before and after",
)
def list_events(complaint_id: int, uow: UowDep, actor: ActorDep) -> list[schemas.EventOut]:
    views = queries.event_views(uow, complaint_id, actor)
    return [presenters.shaped(schemas.EventOut, v) for v in views]


ACTIONS = (
    ActionEndpoint(
        "handle", "handle", schemas.VersionIn, "Start handling (处理)", lifecycle.handle
    ),
    ActionEndpoint(
        "pause",
        "pause",
        schemas.ReasonIn,
        "Wait on the customer: the reply clock pauses",
        lifecycle.pause,
    ),
    ActionEndpoint("resume", "resume", schemas.VersionIn, "Resume handling", lifecycle.resume),
    ActionEndpoint(
        "reply", "reply", schemas.ReplyIn, "Reply to the customer (答复)", lifecycle.reply
    ),
    # One endpoint for both outcomes of the callback: `satisfied` picks the transition.
    ActionEndpoint(
        "callback",
        "callback_satisfied",
        schemas.CallbackIn,
        "Record the callback (回访); dissatisfied reopens",
        lifecycle.callback,
        fields=("satisfied", "comment"),
    ),
    ActionEndpoint(
        "callback-unreachable",
        "callback_unreachable",
        schemas.CallbackNoteIn,
        "Callback: customer unreachable (回访未接通); the next try is scheduled, the last "
        "allowed closes the complaint as unreachable",
        lifecycle.callback_unreachable,
        name="callback_unreachable",
    ),
    ActionEndpoint(
        "callback-declined",
        "callback_declined",
        schemas.CallbackNoteIn,
        "Callback: the customer declined it (客户拒绝回访); closes the complaint",
        lifecycle.callback_declined,
        name="callback_declined",
    ),
    ActionEndpoint(
        "appeal-outcome",
        "appeal_outcome",
        schemas.AppealOutcomeIn,
        "Record the regulator appeal's outcome (申诉处理结果); regulator transfers only",
        lifecycle.record_appeal_outcome,
        name="appeal_outcome",
    ),
    ActionEndpoint("archive", "archive", schemas.VersionIn, "Archive (归档)", lifecycle.archive),
    ActionEndpoint(
        "merge", "merge", schemas.MergeIn, "Merge into another complaint", lifecycle.merge
    ),
    ActionEndpoint(
        "cancel", "cancel", schemas.ReasonIn, "Cancel (customer withdrew)", lifecycle.cancel
    ),
    ActionEndpoint("reject", "reject", schemas.ReasonIn, "Reject (不予受理)", lifecycle.reject),
    ActionEndpoint(
        "dispatch",
        "dispatch",
        schemas.DispatchIn,
        "Dispatch to a responsible unit (派单): creates a work order",
        work_orders.dispatch,
        creates=True,
        answer=Answer(schemas.WorkOrderOut, presenters.work_order_now),
    ),
)
"""The complaint's lifecycle endpoints, in the order the API document lists them; notes and
attachments (the table's `note` and `attach`) have endpoints of their own below."""

add_action_routes(
    router,
    tickets.COMPLAINT_LIFECYCLE,
    "complaint_id",
    ACTIONS,
    Answer(schemas.ComplaintOut, presenters.complaint_now),
)


@router.get("/{complaint_id}/notes", response_model=list[schemas.NoteOut])
def list_notes(complaint_id: int, uow: UowDep, actor: ActorDep) -> list[schemas.NoteOut]:
    views = queries.note_views(uow, complaint_id, actor)
    return [presenters.shaped(schemas.NoteOut, v) for v in views]


@router.post(
    "/{complaint_id}/notes", response_model=schemas.NoteOut, status_code=status.HTTP_201_CREATED
)
def add_note(
    complaint_id: int, body: schemas.NoteIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> schemas.NoteOut:
    note = lifecycle.add_note(uow, complaint_id, actor, now, body.text)
    return presenters.shaped(schemas.NoteOut, read_models.note_view(note, unmasked=True))


@router.get("/{complaint_id}/attachments", response_model=list[schemas.AttachmentOut])
def list_attachments(
    complaint_id: int, uow: UowDep, actor: ActorDep
) -> list[schemas.AttachmentOut]:
    views = queries.attachment_views(uow, complaint_id, actor)
    return [presenters.shaped(schemas.AttachmentOut, v) for v in views]


@router.post(
    "/{complaint_id}/attachments",
    response_model=schemas.AttachmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record an attachment's metadata",
)
def add_attachment(
    complaint_id: int, body: schemas.AttachmentIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> schemas.AttachmentOut:
    attachment = lifecycle.add_attachment(
        uow,
        complaint_id,
        actor,
        now,
        body.filename,
        body.content_type,
        body.size_bytes,
        body.sha256,
        body.storage_ref,
    )
    return presenters.shaped(
        schemas.AttachmentOut, read_models.attachment_view(attachment, unmasked=True)
    )
