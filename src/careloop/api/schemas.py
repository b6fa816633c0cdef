"""The API's request and response models; every field is described for the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from careloop.domain.complaints import DESCRIPTION_MAX_CHARS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def free_text(max_chars: int, description: str, default: Any = ..., required: bool = True) -> Any:
    """A free-text field. Its length is checked by the one text sanitiser (domain.text) after
    invisible characters are removed, so that the refusal names the field in the reader's
    words and in their language; the bound is still published in the OpenAPI document."""
    return Field(
        default,
        min_length=1 if required else None,
        description=description,
        json_schema_extra={"maxLength": max_chars},
    )


class CustomerIn(Strict):
    phone: str = Field(
        min_length=3,
        max_length=32,
        description="Mobile (11 digits) or fixed line with area code; +86 and dashes are accepted",
        examples=["13812345678"],
    )
    name: str | None = free_text(100, "Customer's name as given", None, required=False)
    account: str | None = free_text(64, "Billing account number", None, required=False)
    tier: str = Field(
        "standard", description="Customer tier: standard, silver, gold, diamond, enterprise"
    )


class ComplaintIn(Strict):
    channel: str = Field(
        description="Intake channel, see GET /api/v1/vocabularies", examples=["hotline"]
    )
    source_ref: str | None = free_text(
        100,
        "The channel's own reference: hotline call id, regulator case number ...",
        None,
        required=False,
    )
    customer: CustomerIn = Field(description="Who complains")
    category: str = Field(
        description="Second-level category code, see GET /api/v1/categories",
        examples=["billing.unknown_deduction"],
    )
    product: str = Field("mobile", description="Product concerned (mobile, broadband ...)")
    region: str = Field(
        description="Code of the city or county the complaint concerns", examples=["ZJ-HZ-XH"]
    )
    description: str = free_text(DESCRIPTION_MAX_CHARS, "The customer's complaint in their words")
    priority: str = Field("normal", description="low, normal, high or urgent")
    escalated: bool = Field(False, description="越级: the customer went over the operator's head")
    regulator_transfer: bool = Field(
        False, description="Transferred by the regulator (MIIT / communications administration)"
    )
    idempotency_key: str | None = Field(
        None,
        max_length=200,
        description="Same key twice returns the first complaint (the Idempotency-Key header wins)",
    )


class VersionIn(Strict):
    version: int = Field(description="The complaint's version as you read it (optimistic lock)")


class ReasonIn(VersionIn):
    reason: str = free_text(1000, "Why, for the audit trail")


class ReplyIn(VersionIn):
    text: str = free_text(5000, "The answer given to the customer")


class CallbackIn(VersionIn):
    satisfied: bool = Field(description="Customer satisfied? false reopens the complaint")
    comment: str | None = free_text(2000, "What the customer said", None, required=False)


class CallbackNoteIn(VersionIn):
    comment: str | None = free_text(2000, "What happened on the call", None, required=False)


AppealOutcomeCode = Literal["settled", "not_accepted", "informed"]
"""domain.callbacks.AppealOutcome: 和解, 用户不认可, 用户知晓."""


class AppealOutcomeIn(VersionIn):
    outcome: AppealOutcomeCode = Field(
        description="The regulator appeal's outcome: settled (和解), not_accepted (用户不认可: "
        "the customer does not accept the answer) or informed (用户知晓: acknowledged)"
    )
    comment: str | None = free_text(2000, "What the customer said", None, required=False)


class MergeIn(VersionIn):
    into: int = Field(description="Id of the complaint that carries on")
    reason: str | None = free_text(1000, "Why they are the same", None, required=False)


class DispatchIn(VersionIn):
    unit: str = Field(description="Code of the responsible unit", examples=["ZJ-HZ-NET"])
    instructions: str | None = free_text(2000, "What the unit must do", None, required=False)
    due_at: AwareDatetime | None = Field(None, description="Work-order due time (with offset)")
    due_hours: float | None = Field(
        None, gt=0, le=720, description="Or: hours from now (default 48)"
    )
    appointment_at: AwareDatetime | None = Field(
        None,
        description="The visit agreed with the customer (with offset): a broadband repair's "
        "arrival step is due 30 minutes after it (服务承诺); without it, no arrival step",
    )
    paid_at: AwareDatetime | None = Field(
        None,
        description="When the customer paid (with offset, within the last 60 days): "
        "installation and restore-after-payment steps count from it, else from the dispatch",
    )


class WorkOrderVersionIn(Strict):
    version: int = Field(description="The work order's version as you read it")


class CompleteIn(WorkOrderVersionIn):
    result: str = free_text(2000, "What the unit did")


class ReturnIn(WorkOrderVersionIn):
    reason: str = free_text(2000, "Why the unit returns it")


class FeasibilityIn(WorkOrderVersionIn):
    feasible: bool = Field(description="Whether the installation is possible (能否装机)")
    answer: str | None = free_text(2000, "What was told to the customer", None, required=False)


class ArriveIn(WorkOrderVersionIn):
    arrived_at: AwareDatetime | None = Field(
        None, description="When the technician arrived (with offset); default: now"
    )


class RestoreIn(WorkOrderVersionIn):
    restored_at: AwareDatetime | None = Field(
        None, description="When service was restored (with offset); default: now"
    )
    answer: str | None = free_text(2000, "What was done", None, required=False)


class TransferIn(WorkOrderVersionIn):
    unit: str = Field(description="Code of the unit that takes the work over")
    reason: str = free_text(2000, "Why it is transferred")
    due_at: AwareDatetime | None = Field(None, description="New due time; default: keep")


class NoteIn(Strict):
    text: str = free_text(5000, "Internal note")


class AttachmentIn(Strict):
    filename: str = Field(min_length=1, max_length=255, description="File name as uploaded")
    content_type: str = Field(
        min_length=1, max_length=100, examples=["image/jpeg"], description="MIME type"
    )
    size_bytes: int = Field(
        ge=0, le=100 * 1024 * 1024, description="Size in bytes (at most 100 MiB)"
    )
    sha256: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content, lowercase hex"
    )
    storage_ref: str | None = Field(
        None, max_length=500, description="Where the document store keeps the file"
    )


class UnitRef(BaseModel):
    id: int = Field(description="Unit id")
    code: str = Field(description="Stable unit code")
    name: str = Field(description="Name in the caller's language")


class WorkStepOut(BaseModel):
    """One timed step of a service commitment inside a unit's work (服务承诺环节)."""

    kind: Literal["feasibility", "arrival", "restore", "installation"] = Field(
        description="feasibility (reply whether installation is possible), arrival "
        "(technician on site), restore (service restored), installation (line installed)"
    )
    label: str = Field(description="The step in the caller's language")
    anchor: Literal["dispatch", "appointment", "payment"] = Field(
        description="What its clock counts from: the dispatch, the appointment or the payment"
    )
    started_at: datetime = Field(description="When its clock started (UTC)")
    limit_minutes: int = Field(description="The commitment's limit, in minutes of the basis")
    basis: str = Field(
        description="calendar (every minute) or working (business hours only) from the "
        "instant; cal_days or work_days: a period in days, due at the end of its last day"
    )
    due_at: datetime = Field(description="When it is due (UTC)")
    done_at: datetime | None = Field(description="When it was done, as recorded (UTC)")
    done_by_id: int | None = Field(description="Staff id of who recorded it")
    state: Literal["open", "overdue", "on_time", "late", "cancelled"] = Field(
        description="open; overdue (not done, past due); on_time; late (done after due); "
        "cancelled (the work order was returned)"
    )
    state_label: str = Field(description="The state in the caller's language")
    late: bool = Field(description="Late now: done after its due time, or still open past it")
    note: str | None = Field(description="The unit's answer (masked like the complaint's text)")


class WorkOrderOut(BaseModel):
    id: int = Field(description="Work-order id")
    complaint_id: int = Field(description="The complaint it serves")
    seq: int = Field(description="1, 2, 3 ... within the complaint")
    version: int = Field(description="Send back with every change (optimistic lock)")
    unit: UnitRef = Field(description="The responsible unit")
    status: Literal["dispatched", "accepted", "completed", "returned", "transferred"] = Field(
        description="dispatched → accepted → completed, or returned / transferred"
    )
    status_label: str = Field(description="Status in the caller's language")
    owner_id: int | None = Field(description="The unit's own first-question owner (who accepted)")
    dispatched_by_id: int = Field(description="Staff id of who dispatched it")
    dispatched_at: datetime = Field(description="When it was dispatched (UTC)")
    due_at: datetime = Field(description="When the unit must finish (UTC)")
    accepted_at: datetime | None = Field(description="When the unit accepted it")
    finished_at: datetime | None = Field(
        description="When it was completed, returned or transferred"
    )
    instructions: str | None = Field(description="What the dispatcher asked for")
    result: str | None = Field(description="What the unit did (on completion)")
    reason: str | None = Field(description="Reason of a return or transfer")
    transferred_from_id: int | None = Field(
        description="The work order this one was transferred from"
    )
    steps: list[WorkStepOut] = Field(
        description="Its service-commitment steps with their own due times, in order"
    )
    late_steps: int = Field(description="How many of its steps are late now")


class CustomerOut(BaseModel):
    phone: str = Field(description="Masked for roles without the right to see it")
    name: str | None = Field(description="Customer's name")
    account: str | None = Field(description="Billing account number")
    tier: str = Field(description="Customer tier")


class SlaPolicyRef(BaseModel):
    id: int = Field(description="Policy row id (one version of the policy)")
    code: str = Field(description="Stable policy code")
    version: int = Field(description="Version the complaint is held to")
    name: str = Field(description="What the commitment is")


class SlaPauseOut(BaseModel):
    start: datetime = Field(description="Clock stood still from (UTC)")
    end: datetime | None = Field(description="Until (UTC); null while still waiting")


class SlaClockOut(BaseModel):
    """One deadline explained: what it measures, under which policy, how far it has run."""

    clock: str = Field(
        description="first_contact, reply, callback (complaint) or acceptance, work_order; "
        "the regulatory outer limits outer_reply (15 days), appeal_accept (5 working days), "
        "appeal_answer (30 days)"
    )
    work_order_id: int | None = Field(description="The work order, for a unit's clock")
    basis: str = Field(description="calendar (every minute) or working (business hours only)")
    limit_minutes: int = Field(
        description="The limit, in minutes of the basis (a period in days: the running time "
        "it allows, from the start to 24:00 of its last day)"
    )
    count: str = Field(
        description="计算规则 / counting rule: hours, working_hours (from the instant), "
        "calendar_days or working_days (from the next day to 24:00 of the last day; a last "
        "calendar day on a holiday moves to the next working day)"
    )
    limit_days: int | None = Field(description="Days, for a period counted in days")
    regulatory: bool = Field(
        description="法定时限 / a regulatory outer limit: law, not policy, never paused"
    )
    started_at: datetime = Field(description="When the clock started (UTC)")
    due_at: datetime = Field(description="When it is due, pauses included (UTC)")
    warn_at: datetime = Field(description="When the early warning (e.g. 80 %) is due (UTC)")
    stopped_at: datetime | None = Field(description="When the stage was finished, if it was")
    used_minutes: int = Field(description="Minutes used so far (a begun minute counts)")
    paused_minutes: int = Field(description="Minutes the clock stood still (waiting on customer)")
    remaining_minutes: int = Field(description="Minutes left; negative once overdue")
    overrun_minutes: int = Field(description="Minutes over the limit (0 if within)")
    state: str = Field(description="running, paused, warning, breached, met or met_late")
    warn_share: float = Field(description="Share of the limit at which it warns")
    pauses: list[SlaPauseOut] = Field(description="Periods the clock stood still")
    fallback_years: list[int] = Field(
        description="Years whose holiday notice is not entered: their statutory holidays "
        "rest, but bridge days and make-up working days are assumed (weekend rule), so the due "
        "date may move once the notice is entered"
    )
    explanation: str = Field(description="The clock in one sentence, in the caller's language")


class ComplaintSlaOut(BaseModel):
    policy: SlaPolicyRef | None = Field(description="The policy version the complaint is held to")
    evaluated_at: datetime = Field(description="The instant the clocks were computed for (UTC)")
    clocks: list[SlaClockOut] = Field(description="Every deadline of the complaint and its orders")


class IncidentBriefOut(BaseModel):
    id: int = Field(description="Incident id (GET /api/v1/incidents/{id})")
    number: str = Field(description="Incident number")
    title: str = Field(description="Short name")
    status: str = Field(description="open or resolved")
    status_label: str = Field(description="Status in the caller's language")
    prepared_answer: str = Field(description="统一答复口径: what to tell the customer")


class ComplaintOut(BaseModel):
    id: int = Field(description="Complaint id")
    number: str = Field(description="Number read out to the customer, TS + date + sequence")
    version: int = Field(description="Send it back with every change (optimistic lock)")
    status: str = Field(description="Lifecycle status, see GET /api/v1/lifecycle")
    status_label: str = Field(description="Status in the caller's language")
    channel: str = Field(description="Intake channel")
    source_ref: str | None = Field(
        description="The channel's own reference (call id, regulator case number)"
    )
    customer: CustomerOut = Field(description="The customer")
    category: str = Field(description="Second-level category code")
    category_label: str = Field(description="Category in the caller's language")
    category_l1: str = Field(description="First-level category code")
    product: str = Field(description="Product concerned")
    region: UnitRef = Field(description="City or county the complaint concerns")
    description: str = Field(description="The complaint in the customer's words")
    reply_text: str | None = Field(description="The latest reply given to the customer")
    priority: str = Field(description="low, normal, high or urgent")
    escalated: bool = Field(description="越级: went over the operator's head")
    regulator_transfer: bool = Field(description="Transferred by the regulator")
    is_repeat: bool = Field(
        description="Same customer, same first-level category within 30 days of an earlier one"
    )
    repeat_of_id: int | None = Field(description="The earlier complaint this one repeats")
    merged_into_id: int | None = Field(description="Set when merged into another complaint")
    reopen_count: int = Field(description="Times a dissatisfied callback reopened it")
    callback_satisfied: bool | None = Field(
        description="Latest callback: true satisfied, false dissatisfied, null otherwise "
        "(unreachable, declined or none yet)"
    )
    callback_outcome: Literal["satisfied", "dissatisfied", "unreachable", "declined"] | None = (
        Field(
            None,
            description="How the latest callback loop ended (回访结果): satisfied, dissatisfied "
            "(reopened), unreachable (closed after the last attempt) or declined; kept until "
            "a later callback replaces it, null before any",
        )
    )
    callback_attempts: int = Field(
        0, description="Unreachable callback attempts since the latest reply"
    )
    callback_next_at: datetime | None = Field(
        None,
        description="When to call the customer again after an unreachable attempt (UTC); "
        "an earlier attempt is refused",
    )
    appeal_outcome: AppealOutcomeCode | None = Field(
        None,
        description="Regulator-transferred complaints: the appeal's outcome (settled 和解, "
        "not_accepted 用户不认可, informed 用户知晓); null until recorded",
    )
    first_owner: str = Field(description="首问责任人: username of the first-question owner")
    first_owner_id: int = Field(description="Staff id of the first-question owner")
    owner_unit_id: int = Field(description="Unit of the first-question owner")
    accepted_at: datetime = Field(description="受理 time (UTC)")
    reply_due_at: datetime | None = Field(description="When the reply is due (UTC)")
    replied_at: datetime | None = Field(description="When the latest reply was given")
    closed_at: datetime | None = Field(
        description="When it was closed (callback, cancel, reject, merge)"
    )
    archived_at: datetime | None = Field(description="When it was archived")
    updated_at: datetime = Field(description="Last change")
    work_orders: list[WorkOrderOut] = Field(description="Work orders in dispatch order")
    allowed_actions: list[str] = Field(description="Transitions the caller may fire now")
    sla: ComplaintSlaOut | None = Field(
        None, description="SLA clocks explained: policy, due, used, paused, remaining"
    )
    incident: IncidentBriefOut | None = Field(
        None,
        description="突发事件: the incident it is linked to and its prepared answer (in the "
        "intake answer and on one complaint; null in lists)",
    )


class ComplaintPage(BaseModel):
    total: int = Field(
        description="Complaints matching the filters, counted up to 10 000 (and at least one "
        "past this page); with total_capped true it is a lower bound"
    )
    total_capped: bool = Field(
        False, description="More complaints match than were counted: total means 'at least'"
    )
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Items skipped")
    next_cursor: str | None = Field(
        None,
        description="Pass as ?after= for the next page in the same sort (keyset paging: "
        "cost independent of depth); null on the last page",
    )
    items: list[ComplaintOut] = Field(description="This page's complaints")


class EventOut(BaseModel):
    id: int = Field(description="Event id (increasing)")
    complaint_id: int = Field(description="The complaint")
    work_order_id: int | None = Field(description="The work order concerned, if any")
    at: datetime = Field(description="When (UTC)")
    actor: str = Field(description="Username of who did it")
    role: str = Field(description="Their role at the time")
    action: str = Field(description="Transition or action name")
    before: dict[str, object] | None = Field(description="Changed fields before")
    after: dict[str, object] | None = Field(description="Changed fields after")
    note: str | None = Field(description="Reason, reply text or note")


class NoteOut(BaseModel):
    id: int = Field(description="Note id")
    complaint_id: int = Field(description="The complaint")
    author: str = Field(description="Username of the author")
    at: datetime = Field(description="When (UTC)")
    text: str = Field(description="The note")


class AttachmentOut(BaseModel):
    id: int = Field(description="Attachment id")
    complaint_id: int = Field(description="The complaint")
    filename: str = Field(description="File name")
    content_type: str = Field(description="MIME type")
    size_bytes: int = Field(description="Size in bytes")
    sha256: str | None = Field(description="SHA-256 of the content")
    storage_ref: str | None = Field(description="Where the document store keeps it")
    uploaded_by: str = Field(description="Username of who attached it")
    at: datetime = Field(description="When (UTC)")


class ProblemError(BaseModel):
    field: str = Field(description="Dotted path of the offending field or parameter")
    message: str = Field(description="What is wrong, in the caller's language")


class Problem(BaseModel):
    """RFC 9457 problem details: every error answer has this shape."""

    type: str = Field(description="URI reference naming the problem type, /problems/{code}")
    title: str = Field(description="Short summary of the HTTP status, in the caller's language")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="What went wrong, for a person, in the caller's language")
    code: str = Field(description="Stable machine code, e.g. invalid_input, version_conflict")
    instance: str = Field(description="The request path")
    errors: list[ProblemError] | None = Field(None, description="Per-field errors, if any")
