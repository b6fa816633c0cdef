"""/api/v1/spam: 垃圾短信治理 — spam reports from every source, the campaigns they are
grouped into, the port registry, 12321 transfer files and staff labels.

Who may do what (domain.permissions, ``spam.*``): everybody reads reports and campaigns
within their scope (the region a report was filed under; elsewhere a report does not exist:
404); the desk and the SMS gateway's account record forwarded SMS, the SMS centre's account
posts interception batches; the quality centre imports 12321 files and keeps the port
registry (changes carry the version read: 409 on a stale one); staff label reports for the
classifier. A reporter's number is masked for roles that may not see personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.api.schemas import Strict, free_text
from careloop.domain.errors import InvalidInput
from careloop.domain.spam import reports as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.spam import ports as port_service
from careloop.services.spam import reports as service
from careloop.services.spam import transfer_import

router = APIRouter(prefix="/api/v1/spam", tags=["spam"])

MAX_IMPORT_BYTES = 20 * 1024 * 1024
SOURCE = Literal["complaint", "forwarded", "transfer_12321", "interception"]
MESSAGE_KIND = Literal["notification", "verification", "marketing", "service"]
PORT_STATUS = Literal["active", "warned", "throttled", "suspended", "closed"]
SERIOUS_REASON = Literal["after_unsubscribe", "no_consent"]
SPAM_KIND = Literal[
    "fraud", "loan", "real_estate", "recruitment", "advertising", "gambling", "phishing", "other"
]


def _check_upload(content: bytes, lang: str) -> None:
    """An uploaded file is refused, in the caller's words, if it is empty or too large."""
    t = Translator(lang)
    if not content:
        raise InvalidInput("file", t("api.file.empty"))
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput("file", t("api.file.too_large", mb=MAX_IMPORT_BYTES // (1024 * 1024)))


# --- reports ----------------------------------------------------------------------------


class ReportOut(BaseModel):
    id: int = Field(description="Report id")
    source: str = Field(description="complaint, forwarded, transfer_12321 or interception")
    source_label: str = Field(description="The source in the caller's language")
    reporter_phone: str | None = Field(
        description="Who reported it, masked unless your role may see personal data; none "
        "for an interception"
    )
    sender_number: str = Field(description="The sender as reported (digits)")
    port_id: int | None = Field(description="The registered port it was attributed to")
    port_number: str | None = Field(description="That port's number, else the sender")
    text: str = Field(description="The message reported")
    received_at: datetime = Field(description="When it was received or reported (UTC)")
    received_local: str = Field(description="The same, Beijing time")
    region: str = Field(description="The region it was filed under, in the caller's language")
    region_code: str = Field(description="That region's code")
    campaign_id: int | None = Field(description="The campaign it belongs to")
    message_count: int = Field(description="Messages it stands for (an interception counts many)")
    serious: bool = Field(description="Sent after an unsubscribe or without consent")
    serious_label: str = Field(description="Which of the two, in the caller's language")
    spam: bool | None = Field(description="The classifier's verdict; null when none is trained")
    kind: str | None = Field(description="The kind of spam the classifier saw")
    kind_label: str = Field(description="That kind in the caller's language")
    score: float | None = Field(description="The classifier's score, 0–1")
    label_spam: bool | None = Field(description="Staff's latest label: spam or not")
    label_kind: str | None = Field(description="Staff's latest label: the kind")
    complaint_id: int | None = Field(description="The complaint it came from")


class ReportPage(BaseModel):
    total: int = Field(description="Reports matching, within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Reports skipped")
    items: list[ReportOut] = Field(description="The reports of this page, newest first")


class ForwardedIn(Strict):
    message_id: str = Field(
        min_length=1,
        max_length=service.KEY_MAX,
        description="The SMS gateway's id of the forwarded message: sending it again stores "
        "nothing",
        examples=["gw-20260928-000123"],
    )
    reporter_phone: str = Field(
        min_length=3, max_length=30, description="Who forwarded it", examples=["13912345678"]
    )
    sender: str = Field(
        min_length=1,
        max_length=40,
        description="The number the spam came from (a 106 port or a mobile)",
        examples=["10657555123401"],
    )
    text: str = free_text(rules.TEXT_MAX_CHARS, "The spam message as forwarded")
    received_at: AwareDatetime = Field(
        description="When the customer received it (with offset)",
        examples=["2026-09-28T09:12:00+08:00"],
    )
    region: str = Field(
        min_length=1,
        max_length=64,
        description="Code of the region the reporter's number belongs to",
        examples=["C1"],
    )
    serious_reason: SERIOUS_REASON | None = Field(
        None,
        description="What the customer said with it: after_unsubscribe (sent after they "
        "replied 0000/TD) or no_consent (they never agreed); either makes the report "
        "serious. Without it the text is read for the same words.",
    )


class ForwardedOut(BaseModel):
    id: int = Field(description="The report stored (or stored before, for a resent message)")
    created: bool = Field(description="False when the same message_id was stored before")


class InterceptionIn(Strict):
    key: str = Field(
        min_length=1, max_length=service.KEY_MAX, description="The item's id in the batch"
    )
    sender: str = Field(min_length=1, max_length=40, description="The sending number or port")
    text: str = free_text(rules.TEXT_MAX_CHARS, "The message intercepted")
    count: int = Field(ge=1, le=100_000_000, description="Copies of it intercepted")
    serious_reason: SERIOUS_REASON | None = Field(
        None,
        description="The SMS centre's finding: after_unsubscribe (the recipients had "
        "unsubscribed, 0000) or no_consent (no consent on record); either makes it serious",
    )


class InterceptionBatchIn(Strict):
    batch_id: str = Field(
        min_length=1,
        max_length=service.KEY_MAX,
        description="The interception system's batch id: sending the batch again stores nothing",
        examples=["smsc-2026-09-28-001"],
    )
    region: str = Field(min_length=1, max_length=64, description="Region code of the SMS centre")
    intercepted_at: AwareDatetime = Field(
        description="When the batch's messages were intercepted (its period's end, with offset)"
    )
    items: list[InterceptionIn] = Field(
        min_length=1, max_length=5000, description="The messages intercepted"
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "batch_id": "smsc-2026-09-28-001",
                    "region": "C1",
                    "intercepted_at": "2026-09-28T09:00:00+08:00",
                    "items": [
                        {
                            "key": "1",
                            "sender": "10657555123401",
                            "text": "【工商银行】您的积分即将清零，请登录 t.cn/x 兑换",
                            "count": 1200,
                        }
                    ],
                }
            ]
        },
    )


class BatchOut(BaseModel):
    created: int = Field(description="Reports stored now")
    duplicates: int = Field(description="Items stored before (same key), left out")
    campaigns: list[int] = Field(description="Campaigns the new reports joined or started")


class LabelIn(Strict):
    spam: bool = Field(description="Whether the message is spam")
    kind: SPAM_KIND | None = Field(None, description="The kind of spam (default other)")
    note: str | None = free_text(500, "Why (optional)", None, required=False)


class RowErrorOut(BaseModel):
    row: int = Field(description="Row number as the spreadsheet shows it (header is row 1)")
    column: str = Field(description="The column's code")
    column_label: str = Field(description="The column as the file names it")
    reason: str = Field(description="What is wrong, in the caller's language")


class TransferOut(BaseModel):
    rows: int = Field(description="Rows read (blank rows skipped)")
    imported: int = Field(description="Reports stored now")
    duplicates: int = Field(description="Rows stored by an earlier import, left out")
    campaigns: list[int] = Field(description="Campaigns the new reports joined or started")
    errors: list[RowErrorOut] = Field(description="Bad rows, left out")


def _report(view: service.ReportView) -> ReportOut:
    return ReportOut.model_validate(view, from_attributes=True)


@router.get("/reports", response_model=ReportPage, summary="Spam reports within your scope")
def list_reports(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    campaign_id: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="One campaign")
    ] = None,
    port: Annotated[str | None, Query(max_length=32, description="Attributed port")] = None,
    source: Annotated[SOURCE | None, Query(description="Where reports came from")] = None,
    serious: Annotated[bool | None, Query(description="Only serious ones (or not)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ReportPage:
    page = service.list_reports(
        uow,
        actor,
        lang,
        campaign_id=campaign_id,
        port=port,
        source=source,
        serious=serious,
        limit=limit,
        offset=offset,
    )
    return ReportPage(
        total=page.total, limit=limit, offset=offset, items=[_report(v) for v in page.items]
    )


@router.post(
    "/forwarded",
    status_code=status.HTTP_201_CREATED,
    response_model=ForwardedOut,
    summary="An SMS a customer forwarded to the reporting number (the SMS gateway posts it)",
    description="Stored as a spam report, attributed to the sending port and grouped into "
    "its campaign. The gateway's `message_id` makes a retry safe: the same id answers 200 "
    "with the report stored first.",
    responses={200: {"description": "Stored before (same message_id)"}},
)
def record_forwarded(
    body: ForwardedIn, response: Response, uow: UowDep, actor: ActorDep, now: NowDep
) -> ForwardedOut:
    report_id, created = service.record_forwarded(
        uow,
        reporter_phone=body.reporter_phone,
        sender=body.sender,
        text=body.text,
        received_at=body.received_at,
        region=body.region,
        key=body.message_id,
        actor=actor,
        now=now,
        serious_reason=body.serious_reason,
    )
    response.headers["Location"] = f"/api/v1/spam/reports/{report_id}"
    if not created:
        response.status_code = status.HTTP_200_OK
    return ForwardedOut(id=report_id, created=created)


@router.post(
    "/interceptions",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchOut,
    summary="A batch from the SMS centre's interception system (messages with counts)",
    description="Each item is a message the SMS centre stopped and how many copies; each "
    "becomes a report without a reporter, grouped into campaigns. Sending the same batch "
    "again stores nothing (`duplicates`).",
)
def record_interceptions(
    body: InterceptionBatchIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> BatchOut:
    result = service.record_interceptions(
        uow,
        batch_id=body.batch_id,
        region=body.region,
        items=[
            service.Interception(
                i.key, i.sender, i.text, i.count, body.intercepted_at, i.serious_reason
            )
            for i in body.items
        ],
        actor=actor,
        now=now,
    )
    return BatchOut(
        created=len(result.created), duplicates=result.duplicates, campaigns=result.campaigns
    )


@router.post(
    "/transfers",
    response_model=TransferOut,
    summary="Import a 12321 transfer file (.xlsx or .csv): good rows stored, bad rows named",
    description="The request body is the file itself. Columns (Chinese or English headers): "
    "举报编号/key, 举报号码/reporter, 被举报号码/sender, 短信内容/text, 举报时间/received_at "
    "(Beijing time), 地区/region (a region code; default the `region` parameter), "
    "违规情形/serious (退订后仍发送 or 未经同意发送, or empty). Each bad row is named by row, "
    "column and reason and left out; importing the same file again stores nothing twice.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def import_transfer(
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    region: Annotated[
        str, Query(min_length=1, max_length=64, description="Region of rows naming none")
    ],
) -> TransferOut:
    content = await request.body()
    _check_upload(content, lang)
    name = request.headers.get("x-filename", "")[:100]
    result = await run_in_threadpool(
        transfer_import.import_transfer_content,
        uow,
        content,
        name,
        actor,
        now,
        lang,
        default_region=region,
    )
    return TransferOut(
        rows=result.rows,
        imported=result.imported,
        duplicates=result.duplicates,
        campaigns=result.campaigns,
        errors=[RowErrorOut.model_validate(e, from_attributes=True) for e in result.errors],
    )


@router.get("/reports/{report_id}", response_model=ReportOut, summary="One spam report")
def get_report(report_id: int, uow: UowDep, actor: ActorDep, lang: LangDep) -> ReportOut:
    return _report(service.get_report(uow, report_id, actor, lang))


@router.post(
    "/reports/{report_id}/label",
    response_model=ReportOut,
    summary="Label a report spam or not (and its kind) for the classifier's next training",
    description="The latest label of a report counts; `careloop spam train` learns from them.",
)
def label_report(
    report_id: int, body: LabelIn, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> ReportOut:
    return _report(
        service.label_report(
            uow,
            report_id,
            spam=body.spam,
            kind=body.kind,
            note=body.note,
            actor=actor,
            now=now,
            lang=lang,
        )
    )


# --- campaigns --------------------------------------------------------------------------


class CampaignOut(BaseModel):
    id: int = Field(description="Campaign id")
    sample_text: str = Field(description="The first message reported")
    port_id: int | None = Field(description="The registered port most reports name")
    port_number: str | None = Field(description="That port's number, else the usual sender")
    port_owner: str | None = Field(description="The port's owning customer or SP")
    kind: str | None = Field(description="The kind of spam most reports were judged")
    kind_label: str = Field(description="That kind in the caller's language")
    reports: int = Field(description="Reports within your scope")
    reporters: int = Field(description="Distinct reporters within your scope")
    messages: int = Field(description="Messages the reports stand for")
    serious: int = Field(
        description="Reports of messages sent after an unsubscribe or without consent"
    )
    first_local: str = Field(description="First report, Beijing time")
    last_local: str = Field(description="Latest report, Beijing time")
    last_at: datetime = Field(description="Latest report (UTC)")


class CampaignPage(BaseModel):
    total: int = Field(description="Campaigns with a report within your scope")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Campaigns skipped")
    items: list[CampaignOut] = Field(description="Most distinct reporters first")


@router.get(
    "/campaigns",
    response_model=CampaignPage,
    summary="Campaigns (the same message reported by many) within your scope",
)
def list_campaigns(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    port: Annotated[str | None, Query(max_length=32, description="Attributed port")] = None,
    min_reporters: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> CampaignPage:
    page = service.list_campaigns(
        uow, actor, lang, port=port, min_reporters=min_reporters, limit=limit, offset=offset
    )
    return CampaignPage(
        total=page.total,
        limit=limit,
        offset=offset,
        items=[CampaignOut.model_validate(v, from_attributes=True) for v in page.items],
    )


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, summary="One campaign")
def get_campaign(campaign_id: int, uow: UowDep, actor: ActorDep, lang: LangDep) -> CampaignOut:
    view = service.get_campaign(uow, campaign_id, actor, lang)
    return CampaignOut.model_validate(view, from_attributes=True)


# --- ports ------------------------------------------------------------------------------


class PortOut(BaseModel):
    id: int = Field(description="Port id")
    version: int = Field(description="Send it back with every change (optimistic lock)")
    number: str = Field(description="The port or point-to-point number (digits)")
    kind: str = Field(description="service_port (106…) or point_to_point")
    kind_label: str = Field(description="The kind in the caller's language")
    operator: str = Field(description="cmcc, cucc, ctcc, cbn, all (1069) or fixed")
    operator_label: str = Field(description="The network in the caller's language")
    owner_kind: str = Field(description="enterprise or sp")
    owner_kind_label: str = Field(description="The owner kind in the caller's language")
    owner_name: str = Field(description="The owning enterprise customer or SP")
    owner_code: str | None = Field(description="Its customer or SP code")
    contract_ref: str | None = Field(description="The contract it sends under")
    allowed_kinds: list[str] = Field(description="Message kinds the contract allows")
    allowed_kinds_label: str = Field(description="The same, in the caller's language")
    status: str = Field(description="active, warned, throttled, suspended or closed")
    status_label: str = Field(description="The status in the caller's language")
    note: str | None = Field(description="Remarks")
    updated_local: str = Field(description="Last change, Beijing time")


class PortPage(BaseModel):
    total: int = Field(description="Ports matching")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Ports skipped")
    items: list[PortOut] = Field(description="The ports of this page, by number")


class PortIn(Strict):
    number: str = Field(
        min_length=1,
        max_length=40,
        description="A 106 port (10657/10655/10659/1069 + digits) or a point-to-point number",
        examples=["106575551234"],
    )
    owner_kind: Literal["enterprise", "sp"] = Field(description="Enterprise customer or SP")
    owner_name: str = free_text(port_service.OWNER_NAME_MAX, "The owning customer or SP")
    owner_code: str | None = Field(None, max_length=64, description="Customer or SP code")
    contract_ref: str | None = free_text(
        port_service.CONTRACT_MAX, "The contract", None, required=False
    )
    allowed_kinds: list[MESSAGE_KIND] = Field(
        default_factory=lambda: ["notification"],
        min_length=1,
        max_length=4,
        description="Message kinds the contract allows",
    )
    status: PORT_STATUS = Field("active", description="Its status")
    note: str | None = free_text(port_service.NOTE_MAX, "Remarks", None, required=False)


class PortPatch(Strict):
    version: int = Field(ge=1, le=2**31, description="The port's version as you read it")
    owner_kind: Literal["enterprise", "sp"] | None = Field(None, description="New owner kind")
    owner_name: str | None = free_text(
        port_service.OWNER_NAME_MAX, "New owner", None, required=False
    )
    owner_code: str | None = Field(None, max_length=64, description="New customer or SP code")
    contract_ref: str | None = free_text(
        port_service.CONTRACT_MAX, "New contract", None, required=False
    )
    allowed_kinds: list[MESSAGE_KIND] | None = Field(
        None, min_length=1, max_length=4, description="New allowed kinds"
    )
    status: PORT_STATUS | None = Field(
        None,
        description="New status. A closed port stays closed; a port an enforcement case "
        "suspended or closed is not made milder here (409 naming the case); a change while "
        "a case for the port is open is noted on its trail",
    )
    note: str | None = free_text(port_service.NOTE_MAX, "New remarks", None, required=False)


class PortChangeOut(BaseModel):
    at: datetime = Field(description="When (UTC)")
    at_local: str = Field(description="When, Beijing time")
    actor: str = Field(description="Who")
    action: str = Field(description="register, edit, import or import_update")
    action_label: str = Field(description="The action in the caller's language")
    changes: list[str] = Field(description="Each field changed, old → new, in words")
    note: str | None = Field(description="The file imported, if any")


class PortImportRowError(BaseModel):
    row: int = Field(description="Row number as the spreadsheet shows it")
    column: str = Field(description="The column's code")
    reason: str = Field(description="What is wrong, in the caller's language")


class PortImportOut(BaseModel):
    imported: bool = Field(description="False when any row was bad (nothing imported)")
    created: int = Field(description="Ports registered")
    updated: int = Field(description="Ports changed")
    unchanged: int = Field(description="Ports already as the file says")
    errors: list[PortImportRowError] = Field(description="Bad rows; any one imports nothing")


def _port(view: port_service.PortView) -> PortOut:
    return PortOut.model_validate(view, from_attributes=True)


@router.get("/ports", response_model=PortPage, summary="The port registry")
def list_ports(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Number's start or owner's name")
    ] = None,
    status_: Annotated[PORT_STATUS | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> PortPage:
    page = port_service.list_ports(
        uow, actor, lang, q=q, status=status_, limit=limit, offset=offset
    )
    return PortPage(
        total=page.total, limit=limit, offset=offset, items=[_port(v) for v in page.items]
    )


@router.post(
    "/ports",
    status_code=status.HTTP_201_CREATED,
    response_model=PortOut,
    summary="Register a port (supervisors, administrators; audited)",
)
def register_port(
    body: PortIn, response: Response, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> PortOut:
    draft = port_service.PortDraft(
        number=body.number,
        owner_kind=body.owner_kind,
        owner_name=body.owner_name,
        owner_code=body.owner_code,
        contract_ref=body.contract_ref,
        allowed_kinds=list(body.allowed_kinds),
        status=body.status,
        note=body.note,
    )
    view = port_service.register_port(uow, draft, actor, now, lang)
    response.headers["Location"] = f"/api/v1/spam/ports/{view.id}"
    return _port(view)


@router.post(
    "/ports/import",
    response_model=PortImportOut,
    summary="Import ports from .xlsx or .csv: new numbers registered, known ones updated",
    description="The request body is the file itself. Columns: 端口号码/number, "
    "归属客户/owner_name, 归属类型/owner_kind (集团客户 or SP), 客户编码/owner_code, "
    "合同编号/contract, 允许的短信类型/allowed_kinds (营销类、通知类 …), 状态/status, "
    "备注/note. Any bad row (named by row and column) imports nothing.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def import_ports(
    request: Request, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> PortImportOut:
    content = await request.body()
    _check_upload(content, lang)
    result = await run_in_threadpool(
        port_service.import_ports_content, uow, content, actor, now, lang
    )
    return PortImportOut(
        imported=not result.errors,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=[PortImportRowError.model_validate(e, from_attributes=True) for e in result.errors],
    )


@router.get("/ports/{port_id}", response_model=PortOut, summary="One port")
def get_port(port_id: int, uow: UowDep, actor: ActorDep, lang: LangDep) -> PortOut:
    return _port(port_service.get_port(uow, port_id, actor, lang))


@router.patch(
    "/ports/{port_id}",
    response_model=PortOut,
    summary="Change a port's owner, contract, allowed kinds or status (version → 409)",
)
def update_port(
    port_id: int, body: PortPatch, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> PortOut:
    changes = port_service.PortChanges(
        version=body.version,
        owner_kind=body.owner_kind,
        owner_name=body.owner_name,
        owner_code=body.owner_code,
        contract_ref=body.contract_ref,
        allowed_kinds=list(body.allowed_kinds) if body.allowed_kinds is not None else None,
        status=body.status,
        note=body.note,
    )
    return _port(port_service.update_port(uow, port_id, changes, actor, now, lang))


@router.get(
    "/ports/{port_id}/history",
    response_model=list[PortChangeOut],
    summary="Every change of a port, oldest first",
)
def port_history(port_id: int, uow: UowDep, actor: ActorDep, lang: LangDep) -> list[PortChangeOut]:
    return [
        PortChangeOut.model_validate(v, from_attributes=True)
        for v in port_service.port_history(uow, port_id, actor, lang)
    ]
