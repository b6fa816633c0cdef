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


class CustomerClockOut(BaseModel):
    name: str = Field(description="Which clock: reply, work_order, callback, outer_reply …")
    work_order_id: int | None = Field(description="Its work order, if any")
    state: str = Field(description="breached, warning, running, paused, met or met_late")
    due_at: datetime = Field(description="When it runs out (UTC)")
    remaining_minutes: int = Field(description="Minutes left, as the limit counts")
    overrun_minutes: int = Field(description="Minutes past the limit, once breached")


class CustomerComplaintOut(BaseModel):
    id: int = Field(description="Complaint id")
    number: str = Field(description="Complaint number (TS…)")
    status: str = Field(description="Status code")
    status_label: str = Field(description="Status in the reader's language")
    category: str = Field(description="Category code")
    category_label: str = Field(description="Category in the reader's language")
    region: str = Field(description="Region code")
    region_name: str = Field(description="Region name")
    accepted_at: datetime = Field(description="When it was accepted (UTC)")
    closed_at: datetime | None = Field(description="When it was closed (UTC), if it is")
    first_owner: str = Field(description="First-question owner's username")
    owner_name: str = Field(description="First-question owner's name")
    escalated: bool = Field(description="Escalated (越级) complaint")
    is_repeat: bool = Field(description="A repeat of an earlier complaint")
    repeat_of_id: int | None = Field(description="The earlier complaint it repeats")
    regulator_transfer: bool = Field(description="Came through the regulator (申诉转办)")
    reopen_count: int = Field(description="Times it was reopened")
    callback_outcome: str | None = Field(description="Last callback's outcome code")
    callback_attempts: int = Field(description="Callback attempts so far")
    appeal_outcome: str | None = Field(description="Regulator appeal's outcome code")
    worst_clock: CustomerClockOut | None = Field(description="The clock that matters most now")


class CustomerSummaryOut(BaseModel):
    complaints: int = Field(description="Complaints within the reader's scope")
    open: int = Field(description="Still open")
    repeats: int = Field(description="Repeat complaints")
    escalated: int = Field(description="Escalated complaints")
    appeals: int = Field(description="Regulator transfers (申诉转办)")
    reopened: int = Field(description="Complaints reopened at least once")
    satisfied: int = Field(description="Callbacks rated satisfied")
    dissatisfied: int = Field(description="Callbacks rated dissatisfied")
    unreachable: int = Field(description="Callbacks that could not reach the customer")


class CustomerOverviewOut(BaseModel):
    ref: str = Field(description="The customer's reference: one of their complaints")
    phone: str = Field(description="Masked unless the reader may see it (docs/security.md)")
    name: str | None = Field(description="Customer name, masked as the reader must see it")
    account: str | None = Field(description="Account number, masked as the reader must see it")
    tier: str = Field(description="Customer tier")
    unmasked: bool = Field(description="True when the reader sees the personal data in full")
    total: int = Field(description="Their complaints within the reader's scope")
    summary: CustomerSummaryOut = Field(description="Counts over their complaints")
    complaints: list[CustomerComplaintOut] = Field(description="Newest first, at most 100")


def customer_out(found: customers.CustomerFile) -> CustomerOverviewOut:
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
                worst_clock=CustomerClockOut(
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
    return CustomerOverviewOut(
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
    response_model=CustomerOverviewOut,
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
) -> CustomerOverviewOut:
    return customer_out(customers.customer_file(uow, customer_ref, actor, now, lang))
