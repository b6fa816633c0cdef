"""POST /api/v1/complaints/batch: bulk intake for imports and the regulator's transfer feed.

Each item is the body of `POST /api/v1/complaints` plus its own `idempotency_key`; each comes
back created, replayed or as an error with the problem's code, field and message. Valid
items are accepted even when others fail. Items are checked one by one here (not by the
request model), so that one malformed item cannot sink the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError

from careloop.api import schemas
from careloop.api.deps import ActorDep, LangDep
from careloop.api.problems import validation_details
from careloop.api.routes_complaints import draft_of
from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import intake_batch
from careloop.services.complaints.intake import check_intake_role

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])


class ComplaintBatchIn(schemas.Strict):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=intake_batch.MAX_BATCH_ITEMS,
        description=f"1 to {intake_batch.MAX_BATCH_ITEMS} complaints, each the body of "
        "POST /api/v1/complaints with its own idempotency_key (strongly advised: re-sending "
        "the batch then never duplicates a complaint). Each item is validated on its own.",
        json_schema_extra={"items": {"$ref": "#/components/schemas/ComplaintIn"}},
    )


class BatchComplaintRef(BaseModel):
    id: int = Field(description="The complaint's id")
    number: str = Field(description="Complaint number, e.g. TS202609280000123")
    version: int = Field(description="Current version (optimistic lock for the next action)")
    status: str = Field(description="Lifecycle status (accepted for a new complaint)")
    is_repeat: bool = Field(description="Same customer, same first-level category within 30 days")
    repeat_of_id: int | None = Field(
        description="The earlier complaint it repeats (may be an earlier item of this batch)"
    )
    reply_due_at: datetime | None = Field(description="Reply deadline under its SLA policy")
    location: str = Field(description="URL of the complaint: GET it for the full record")


class BatchItemProblem(BaseModel):
    code: str = Field(description="Stable machine code, as in problem+json (invalid_input ...)")
    status: int = Field(description="The HTTP status the single intake would have answered")
    field: str | None = Field(description="Dotted path of the offending field, if one")
    message: str = Field(description="What went wrong, in the caller's language")
    errors: list[schemas.ProblemError] | None = Field(
        None, description="Per-field errors, when the item failed validation"
    )


class BatchItemOut(BaseModel):
    index: int = Field(description="Position of the item in the request, from 0")
    idempotency_key: str | None = Field(description="The item's idempotency key, if it had one")
    result: Literal["created", "replayed", "error"] = Field(
        description="created: accepted now; replayed: its key was accepted before with the "
        "same content (nothing changed); error: not accepted, see problem"
    )
    complaint: BatchComplaintRef | None = Field(
        None, description="The complaint (created or replayed); no personal data"
    )
    problem: BatchItemProblem | None = Field(None, description="Why the item was refused")


class ComplaintBatchOut(BaseModel):
    created: int = Field(description="Items accepted by this call")
    replayed: int = Field(description="Items whose key had been accepted already")
    errors: int = Field(description="Items refused")
    items: list[BatchItemOut] = Field(description="One result per item, in request order")


def _problem(exc: DomainError, lang: str) -> BatchItemProblem:
    return BatchItemProblem(
        code=exc.code, status=exc.status, field=exc.field, message=exc.message(lang)
    )


def _invalid(exc: ValidationError, lang: str) -> BatchItemProblem:
    message, details = validation_details(exc.errors(), lang)
    errors = [schemas.ProblemError(**e) for e in details]
    return BatchItemProblem(
        code="invalid_input", status=422, field=errors[0].field, message=message, errors=errors
    )


@router.post(
    "/batch",
    response_model=ComplaintBatchOut,
    summary="Accept many complaints (bulk import); one result per item",
    description="For imports (Excel/CSV, the regulator's transfer feed). Same rules as "
    "POST /api/v1/complaints per item: roles, idempotency key, repeat detection (also "
    "between items of the batch) and its escalation (priority raised, unit leads told), "
    "first owner, SLA terms, one audit event per complaint. "
    "Valid items are accepted even when others fail. Rate limit: a budget of its own "
    "(CARELOOP_BATCH_ITEMS_PER_MINUTE, default 6 000 items per caller and minute), one token "
    "per item, all or none (429 with Retry-After when the caller's budget lacks them).",
)
def create_batch(
    body: ComplaintBatchIn,
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
) -> ComplaintBatchOut:
    check_intake_role(actor)
    request.app.state.batch_limiter.take(
        f"batch:{actor.username}", now, cost=len(body.items), uow=uow
    )
    parsed: dict[int, BatchItemProblem] = {}
    items: list[intake_batch.BatchItem] = []
    positions: list[int] = []
    keys: list[str | None] = []
    for index, raw in enumerate(body.items):
        key = raw.get("idempotency_key") if isinstance(raw.get("idempotency_key"), str) else None
        keys.append(key)
        try:
            item = schemas.ComplaintIn.model_validate(raw)
        except ValidationError as exc:
            parsed[index] = _invalid(exc, lang)
            continue
        items.append(intake_batch.BatchItem(draft_of(item), item.idempotency_key))
        positions.append(index)
    results = intake_batch.accept_batch(uow, items, actor, now)
    out: list[BatchItemOut | None] = [None] * len(body.items)
    for index, problem in parsed.items():
        out[index] = BatchItemOut(
            index=index, idempotency_key=keys[index], result="error", problem=problem
        )
    for position, result in zip(positions, results, strict=True):
        ref = result.complaint
        out[position] = BatchItemOut(
            index=position,
            idempotency_key=keys[position],
            result=result.outcome,
            complaint=BatchComplaintRef(
                id=ref.id,
                number=ref.number or "",
                version=ref.version,
                status=ref.status,
                is_repeat=ref.is_repeat,
                repeat_of_id=ref.repeat_of_id,
                reply_due_at=ref.reply_due_at,
                location=f"/api/v1/complaints/{ref.id}",
            )
            if ref is not None
            else None,
            problem=_problem(result.error, lang) if result.error is not None else None,
        )
    done = [o for o in out if o is not None]
    return ComplaintBatchOut(
        created=sum(o.result == "created" for o in done),
        replayed=sum(o.result == "replayed" for o in done),
        errors=sum(o.result == "error" for o in done),
        items=done,
    )
