"""/api/v1/complaints/{id}: the units it may be dispatched to, ranked for it, and the
follow-ups of a caller whose complaint is still open (追加 add-call, 催办 chase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict, free_text
from careloop.domain import follow_ups as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import dispatch_targets, follow_ups

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=follow_ups.IDEMPOTENCY_KEY_CHARS,
        description="Retry-safe: the same key answers the follow-up recorded the first time",
    ),
]


class TargetOut(BaseModel):
    code: str = Field(description="Unit code, as POST .../dispatch takes it")
    name: str = Field(description="Unit name in the reader's language")
    department: str = Field(description="Department kind (网络部, 计费部 ...)")
    region: str = Field(description="County, city or province it serves")
    recommended: bool = Field(description="The unit the category and county suggest (推荐)")


class TargetGroupOut(BaseModel):
    region_code: str = Field(description="The city (or province) the group's units belong to")
    region: str = Field(description="Name of that city (or province)")
    local: bool = Field(description="The complaint's own city: offered first")
    targets: list[TargetOut] = Field(description="Its units, suggested first")


class DispatchTargetsOut(BaseModel):
    complaint_id: int = Field(description="The complaint being dispatched")
    region_code: str = Field(description="Where the complaint was filed")
    category: str = Field(description="The complaint's category code")
    recommended: TargetOut | None = Field(description="The suggested unit, if any")
    count: int = Field(description="Units offered (after the search)")
    groups: list[TargetGroupOut] = Field(description="Units by city, the complaint's city first")


@router.get(
    "/{complaint_id}/dispatch-targets",
    response_model=DispatchTargetsOut,
    summary="Units to dispatch or transfer to, the complaint's own region first",
    description="Every department of the org tree, grouped by city: the complaint's city "
    "first (its county's departments, then the city's, then its other counties'), the unit "
    "its category and county suggest on top and marked recommended; then the province's own "
    "departments and the other cities. `q` narrows by a plain substring of the unit's name "
    "(either language), code or region; `work_order` leaves that order's unit out (转派).",
)
def get_dispatch_targets(
    complaint_id: int,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    q: Annotated[str, Query(max_length=100, description="Search text")] = "",
    work_order: Annotated[
        int | None, Query(description="A work order of this complaint to transfer")
    ] = None,
) -> DispatchTargetsOut:
    found = dispatch_targets.ranked_targets(uow, complaint_id, actor, lang, q, work_order)
    return DispatchTargetsOut.model_validate(
        {
            "complaint_id": found.complaint_id,
            "region_code": found.region_code,
            "category": found.category,
            "recommended": found.recommended.__dict__ if found.recommended else None,
            "count": found.count,
            "groups": [
                {**g.__dict__, "targets": [t.__dict__ for t in g.targets]} for g in found.groups
            ],
        }
    )


class AddCallIn(Strict):
    text: str = free_text(rules.MAX_CALL_TEXT, "What the customer said on this call")
    channel: str = Field("hotline", description="Channel of the call, see GET /api/v1/vocabularies")


class ChaseIn(Strict):
    note: str | None = free_text(
        rules.MAX_CALL_TEXT, "What the customer said when chasing", None, required=False
    )


class FollowUpOut(BaseModel):
    complaint_id: int = Field(description="The open complaint the call was added to or chased")
    number: str = Field(description="Its number (TS…)")
    action: str = Field(description="add_call (追加) or chase (催办)")
    event_id: int = Field(description="The audit event recording it")
    at: datetime = Field(description="When it was recorded (UTC)")
    calls_added: int = Field(description="Calls added to the complaint so far (repeat contacts)")
    chases: int = Field(description="Chases of the complaint so far")
    recipients: list[str] = Field(description="Who a chase notified (staff:…, unit:…)")
    replayed: bool = Field(description="True when the idempotency key had been used already")


class FollowUpCountsOut(BaseModel):
    calls_added: int = Field(description="Calls added to the complaint (追加)")
    chases: int = Field(description="Chases of the complaint (催办)")


def _out(done: follow_ups.FollowUp, response: Response) -> FollowUpOut:
    if done.replayed:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return FollowUpOut(
        complaint_id=done.complaint_id,
        number=done.number,
        action=done.action,
        event_id=done.event_id,
        at=done.at,
        calls_added=done.counts.calls_added,
        chases=done.counts.chases,
        recipients=list(done.recipients),
        replayed=done.replayed,
    )


@router.post(
    "/{complaint_id}/add-call",
    response_model=FollowUpOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a further call to the open complaint (追加) instead of opening a new one",
    description="Records the call's text and channel as an audited event on the complaint "
    "(careloop.complaint.call_added), counted as a repeat contact; the complaint's status and "
    "version do not change. Open complaints only. 200 with Idempotent-Replayed when the "
    "Idempotency-Key was used before.",
)
def add_call(
    complaint_id: int,
    body: AddCallIn,
    response: Response,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    idempotency_key: IdempotencyKey = None,
) -> FollowUpOut:
    done = follow_ups.add_call(
        uow, complaint_id, actor, now, body.text, body.channel, idempotency_key
    )
    return _out(done, response)


@router.post(
    "/{complaint_id}/chase",
    response_model=FollowUpOut,
    status_code=status.HTTP_201_CREATED,
    summary="Chase the open complaint (催办): notify its owner and the units holding it",
    description="Queues a message (notifications outbox, kind chase) to the first-question "
    "owner and each unit holding an open work order, records an audited event "
    "(careloop.complaint.chased) and counts the chase. Open complaints only. 200 with "
    "Idempotent-Replayed when the Idempotency-Key was used before.",
)
def chase(
    complaint_id: int,
    body: ChaseIn,
    response: Response,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    idempotency_key: IdempotencyKey = None,
) -> FollowUpOut:
    done = follow_ups.chase(uow, complaint_id, actor, now, body.note, idempotency_key)
    return _out(done, response)


@router.get(
    "/{complaint_id}/follow-ups",
    response_model=FollowUpCountsOut,
    summary="How often the complaint was followed up: calls added and chases",
)
def get_follow_up_counts(complaint_id: int, uow: UowDep, actor: ActorDep) -> FollowUpCountsOut:
    found = follow_ups.follow_up_counts(uow, complaint_id, actor)
    return FollowUpCountsOut(calls_added=found.calls_added, chases=found.chases)
