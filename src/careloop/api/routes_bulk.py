"""POST /api/v1/complaints/bulk: dispatch (派单) or chase (催办) many complaints at once.

Each complaint goes through its own use case (scope, role, version, audit event), so the
answer is 200 with an outcome per complaint, never all-or-nothing: a client retries only
the ones refused, for the reason given in words. The answer carries no personal data.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict, free_text
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import bulk

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])


class BulkItemIn(Strict):
    id: int = Field(ge=1, le=2**31 - 1, description="Complaint id")
    version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The version you read (required to dispatch)"
    )


class BulkIn(Strict):
    action: Literal["dispatch", "chase"] = Field(description="dispatch (派单) or chase (催办)")
    items: list[BulkItemIn] = Field(
        min_length=1, max_length=bulk.MAX_ITEMS, description="The complaints, each once"
    )
    unit: str | None = Field(
        None, max_length=64, description="Dispatch: code of the responsible unit"
    )
    note: str | None = free_text(
        2000, "Dispatch: instructions to the unit; chase: the customer's words", None,
        required=False,
    )  # fmt: skip


class BulkOutcomeOut(BaseModel):
    id: int = Field(description="Complaint id, as given")
    number: str = Field(description="The complaint's number (#id when it is not visible)")
    ok: bool = Field(description="Whether this complaint was dispatched or chased")
    code: str | None = Field(description="Why it was refused (problem code), else null")
    detail: str | None = Field(description="The refusal in the reader's language, else null")


class BulkOut(BaseModel):
    action: str = Field(description="The action taken: dispatch or chase")
    done: int = Field(description="Complaints the action was done on")
    failed: int = Field(description="Complaints refused (see their code and detail)")
    results: list[BulkOutcomeOut] = Field(description="One outcome per complaint, in order")


@router.post(
    "/bulk",
    response_model=BulkOut,
    summary="Dispatch or chase many complaints, with an outcome per complaint",
    description="Each complaint is dispatched (POST .../dispatch) or chased (POST .../chase) "
    "on its own: its own scope, role and version checks and audit event. One refusal does not "
    "undo the others; `results` lists every complaint in the order given.",
)
def bulk_action(body: BulkIn, uow: UowDep, actor: ActorDep, now: NowDep, lang: LangDep) -> BulkOut:
    items = [bulk.BulkItem(i.id, i.version) for i in body.items]
    if body.action == "dispatch":
        results = bulk.bulk_dispatch(uow, actor, now, items, body.unit or "", body.note)
    else:
        results = bulk.bulk_chase(uow, actor, now, items, body.note)
    return BulkOut(
        action=body.action,
        done=sum(r.ok for r in results),
        failed=sum(not r.ok for r in results),
        results=[
            BulkOutcomeOut(
                id=r.complaint_id,
                number=r.number,
                ok=r.ok,
                code=r.error.code if r.error else None,
                detail=r.error.message(lang) if r.error else None,
            )
            for r in results
        ],
    )
