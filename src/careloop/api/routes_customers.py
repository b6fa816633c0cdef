"""GET /api/v1/customers/{customer_ref}: one caller's complaints and history (客户全貌).

A customer is named by one of their complaints (its number TS… or its id), never by a
phone number: addresses end up in logs. Scoped and masked like the complaint endpoints
(services.complaints.customers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import customers

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


class ClockOut(BaseModel):
    name: str = Field(description="Which clock: reply, work_order, callback, outer_reply …")
    work_order_id: int | None
    state: str = Field(description="breached, warning, running, paused, met or met_late")
    due_at: datetime
    remaining_minutes: int
    overrun_minutes: int


class CustomerComplaintOut(BaseModel):
    id: int
    number: str
    status: str
    status_label: str
    category: str
    category_label: str
    region: str = Field(description="Region code")
    region_name: str
    accepted_at: datetime
    closed_at: datetime | None
    first_owner: str = Field(description="First-question owner's username")
    owner_name: str
    escalated: bool
    is_repeat: bool
    repeat_of_id: int | None
    regulator_transfer: bool = Field(description="Came through the regulator (申诉转办)")
    reopen_count: int
    callback_outcome: str | None
    callback_attempts: int
    appeal_outcome: str | None
    worst_clock: ClockOut | None = Field(description="The clock that matters most now")


class CustomerSummaryOut(BaseModel):
    complaints: int
    open: int
    repeats: int
    escalated: int
    appeals: int
    reopened: int
    satisfied: int
    dissatisfied: int
    unreachable: int


class CustomerOut(BaseModel):
    ref: str = Field(description="The customer's reference: one of their complaints")
    phone: str = Field(description="Masked unless the reader may see it (docs/security.md)")
    name: str | None
    account: str | None
    tier: str
    unmasked: bool
    total: int = Field(description="Their complaints within the reader's scope")
    summary: CustomerSummaryOut
    complaints: list[CustomerComplaintOut] = Field(description="Newest first, at most 100")


def customer_out(found: customers.CustomerFile) -> CustomerOut:
    items = []
    for item in found.complaints:
        c, k = item.complaint, item.worst_clock
        items.append(
            CustomerComplaintOut(
                id=c.id,
                number=c.number,
                status=c.status,
                status_label=c.status_label,
                category=c.category,
                category_label=c.category_label,
                region=c.region.code,
                region_name=c.region.name,
                accepted_at=c.accepted_at,
                closed_at=c.closed_at,
                first_owner=c.first_owner,
                owner_name=item.owner_name,
                escalated=c.escalated,
                is_repeat=c.is_repeat,
                repeat_of_id=c.repeat_of_id,
                regulator_transfer=c.regulator_transfer,
                reopen_count=c.reopen_count,
                callback_outcome=c.callback_outcome,
                callback_attempts=c.callback_attempts,
                appeal_outcome=c.appeal_outcome,
                worst_clock=ClockOut(
                    name=k.name,
                    work_order_id=k.work_order_id,
                    state=k.state,
                    due_at=k.due_at,
                    remaining_minutes=k.remaining_minutes,
                    overrun_minutes=k.overrun_minutes,
                )
                if k
                else None,
            )
        )
    s = found.summary
    return CustomerOut(
        ref=found.ref,
        phone=found.phone,
        name=found.name,
        account=found.account,
        tier=found.tier,
        unmasked=found.unmasked,
        total=found.total,
        summary=CustomerSummaryOut(**vars(s)),
        complaints=items,
    )


@router.get(
    "/{customer_ref}",
    response_model=CustomerOut,
    summary="A customer's complaints, callbacks and repeat history (客户全貌)",
    description="The customer is named by one of their complaints (number TS… or id); the "
    "answer lists the complaints of the same caller within the reader's scope, masked as "
    "the reader's role requires. A complaint outside the scope is a 404.",
)
def get_customer(
    customer_ref: Annotated[str, Path(max_length=32, description="A complaint number or id")],
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
) -> CustomerOut:
    return customer_out(customers.customer_file(uow, customer_ref, actor, now, lang))
