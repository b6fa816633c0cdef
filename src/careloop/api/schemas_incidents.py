"""Request and response models of /api/v1/incidents; every field described for OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from careloop.api.schemas import Strict, UnitRef, free_text
from careloop.domain import incidents as rules


class IncidentIn(Strict):
    kind: str = Field(
        description="network_outage (网络故障), billing_error (批量计费差错), "
        "service_outage (业务系统故障) or other",
        examples=["network_outage"],
    )
    title: str = free_text(rules.TITLE_MAX_CHARS, "Short name staff and reports use")
    description: str | None = free_text(
        rules.DESCRIPTION_MAX_CHARS, "What happened, for staff", None, required=False
    )
    prepared_answer: str = free_text(
        rules.ANSWER_MAX_CHARS,
        "统一答复口径: the reply every linked complaint gets and the customers' SMS notice",
    )
    regions: list[str] = Field(
        min_length=1,
        max_length=rules.MAX_REGIONS,
        description="Codes of the province, cities or counties affected (each covers its "
        "subtree), within your scope",
        examples=[["C1-K1"]],
    )
    categories: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Complaint categories it concerns (either level); empty: any",
        examples=[["broadband"]],
    )
    products: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Products it concerns (mobile, broadband ...); empty: any",
    )
    starts_at: AwareDatetime = Field(description="When it began (with offset)")
    expected_end_at: AwareDatetime | None = Field(
        None, description="When service is expected back (with offset); an estimate"
    )
    link_open_complaints: bool = Field(
        True,
        description="Also link the open complaints accepted since the start that match "
        "(audited on each complaint and on the incident)",
    )


class IncidentPatch(Strict):
    version: int = Field(description="The incident's version as you read it (optimistic lock)")
    title: str | None = free_text(rules.TITLE_MAX_CHARS, "New title", None, required=False)
    description: str | None = free_text(
        rules.DESCRIPTION_MAX_CHARS, "New description", None, required=False
    )
    prepared_answer: str | None = free_text(
        rules.ANSWER_MAX_CHARS, "New prepared answer", None, required=False
    )
    expected_end_at: AwareDatetime | None = Field(None, description="New expected end")
    categories: list[str] | None = Field(None, max_length=50, description="New categories")
    products: list[str] | None = Field(None, max_length=10, description="New products")


class IncidentVersionIn(Strict):
    version: int = Field(description="The incident's version as you read it (optimistic lock)")


class ResolveIn(IncidentVersionIn):
    ended_at: AwareDatetime | None = Field(
        None, description="When service came back (with offset, not in the future); default now"
    )
    note: str | None = free_text(rules.DESCRIPTION_MAX_CHARS, "Cause and fix", None, required=False)


class CodeLabel(BaseModel):
    code: str = Field(description="Code")
    label: str = Field(description="In the caller's language")


class IncidentCountsOut(BaseModel):
    linked: int = Field(description="Linked complaints within your scope")
    open: int = Field(description="Of those, not yet replied")
    replied: int = Field(description="Of those, replied or finished")
    notices_sent: int = Field(description="Customer notices handed to the SMS adapter")
    notices_pending: int = Field(description="Customer notices waiting (quiet hours)")


class IncidentOut(BaseModel):
    id: int = Field(description="Incident id")
    number: str = Field(description="SJ + start date + sequence, read out to customers")
    version: int = Field(description="Send it back with every change (optimistic lock)")
    kind: str = Field(description="Kind code")
    kind_label: str = Field(description="Kind in the caller's language")
    status: str = Field(description="open or resolved")
    status_label: str = Field(description="Status in the caller's language")
    title: str = Field(description="Short name")
    description: str | None = Field(description="What happened")
    prepared_answer: str = Field(description="统一答复口径")
    regions: list[UnitRef] = Field(description="Regions affected")
    categories: list[CodeLabel] = Field(description="Categories concerned (empty: any)")
    products: list[CodeLabel] = Field(description="Products concerned (empty: any)")
    starts_at: datetime = Field(description="Start (UTC)")
    expected_end_at: datetime | None = Field(description="Expected end (UTC)")
    ended_at: datetime | None = Field(description="End (UTC) once resolved")
    opened_by: str | None = Field(description="Who opened it")
    created_at: datetime = Field(description="When it was opened (UTC)")
    updated_at: datetime = Field(description="Last change (UTC)")
    counts: IncidentCountsOut = Field(description="Linked complaints and notices")
    allowed_actions: list[str] = Field(
        description="What you may do now: update, resolve, link_open, bulk_reply"
    )


class IncidentPage(BaseModel):
    total: int = Field(description="Incidents touching your scope (with the filter)")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Items skipped")
    items: list[IncidentOut] = Field(description="Newest start first")


class LinkedComplaintOut(BaseModel):
    id: int = Field(description="Complaint id")
    number: str = Field(description="Complaint number")
    status: str = Field(description="Lifecycle status")
    status_label: str = Field(description="Status in the caller's language")
    category_label: str = Field(description="Category in the caller's language")
    region: str = Field(description="Region name")
    customer_phone: str = Field(description="Masked unless you may see it")
    accepted_at: datetime = Field(description="受理 time (UTC)")
    replied_at: datetime | None = Field(description="Reply time (UTC)")
    linked_by: str = Field(description="intake or opening")
    notice_status: str | None = Field(description="The customer's notice: pending, sent, failed")


class LinkedComplaintPage(BaseModel):
    total: int = Field(description="Linked complaints within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Items skipped")
    items: list[LinkedComplaintOut] = Field(description="Oldest first")


class IncidentEventOut(BaseModel):
    at: datetime = Field(description="When (UTC)")
    actor: str = Field(description="Who")
    role: str = Field(description="Their role")
    action: str = Field(description="open, update, link_open, bulk_reply, resolve")
    after: dict[str, Any] | None = Field(description="What it set or counted")
    note: str | None = Field(description="The prepared answer sent, or the note given")


class LinkedOut(BaseModel):
    linked: int = Field(description="Complaints linked by this call")
    incident: IncidentOut = Field(description="The incident now")


class SkippedOut(BaseModel):
    complaint_id: int = Field(description="Complaint id")
    number: str = Field(description="Complaint number")
    reason: str = Field(
        description="work_orders_open, pending_customer (waiting on the customer) or "
        "finished (already replied or closed)"
    )
    reason_label: str = Field(description="The reason in the caller's language")


class BulkReplyOut(BaseModel):
    replied: list[int] = Field(description="Complaints replied by this call")
    skipped: list[SkippedOut] = Field(description="Linked complaints not replied, and why")
    notices_queued: int = Field(description="Customer SMS notices queued")
    notices_delivered: int = Field(description="Outbox messages handed to the adapters")
    incident: IncidentOut = Field(description="The incident now")


class RegionDayOut(BaseModel):
    region_code: str = Field(description="Region code")
    region: str = Field(description="Region name")
    day: date = Field(description="Local (Beijing) day of acceptance")
    linked: int = Field(description="Complaints linked")
    replied: int = Field(description="Of those, replied")
    median_reply_minutes: float | None = Field(description="Accepted to replied, median")


class IncidentReportOut(BaseModel):
    number: str = Field(description="Incident number")
    title: str = Field(description="Short name")
    kind_label: str = Field(description="Kind")
    status_label: str = Field(description="Status")
    starts_at: datetime = Field(description="Start (UTC)")
    ended_at: datetime | None = Field(description="End (UTC)")
    linked: int = Field(description="Complaints linked within your scope")
    replied: int = Field(description="Of those, replied")
    median_reply_minutes: float | None = Field(description="Accepted to replied, median")
    max_reply_minutes: float | None = Field(description="Accepted to replied, longest")
    notices_sent: int = Field(description="Notices handed to the SMS adapter")
    notices_pending: int = Field(description="Notices waiting")
    notices_failed: int = Field(description="Notices the gateway refused")
    rows: list[RegionDayOut] = Field(description="By region and day")
