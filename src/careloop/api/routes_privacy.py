"""POST /api/v1/complaints/{id}/unmask: one complaint's personal data in full, audited."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from careloop.api import presenters
from careloop.api.deps import ActorDep
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.privacy import personal_data

router = APIRouter(prefix="/api/v1/complaints", tags=["privacy"])


class UnmaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(
        min_length=1, max_length=500, description="Why the full data is needed (audited)"
    )


class UnmaskedCustomer(BaseModel):
    complaint_id: int = Field(description="The complaint")
    phone: str = Field(description="Customer phone, unmasked")
    name: str | None = Field(description="Customer name, unmasked")
    account: str | None = Field(description="Billing account, unmasked")


@router.post(
    "/{complaint_id}/unmask",
    response_model=UnmaskedCustomer,
    summary="Show the customer's personal data unmasked; writes an `unmask` audit event",
)
def unmask(
    complaint_id: int, body: UnmaskIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> UnmaskedCustomer:
    data = personal_data.unmask(uow, complaint_id, actor, now, body.reason)
    return presenters.shaped(UnmaskedCustomer, data)
