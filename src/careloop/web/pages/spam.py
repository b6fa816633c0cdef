"""The spam pages (垃圾短信举报): campaigns with their reporter counts, port and kind; one
campaign with its reports (reporters masked by role); the port registry with its edit form,
history and file import — the same services as ``/api/v1/spam``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.permissions import has_permission
from careloop.domain.spam import ports as port_rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.spam import ports as port_service
from careloop.services.spam import reports as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()

DONE = ("spam_port_saved", "spam_port_created", "spam_ports_imported", "spam_labelled")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _done(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    """A campaign or port outside the reader's scope is as missing as one that never was."""
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
    )


def _report_months(request: Request, now: datetime) -> tuple[str, str]:
    """The monthly report's default month (last month, the one the regulator asks for at the
    start of a month) and the latest month it can cover (this one), in the business zone."""
    today = now.astimezone(ZoneInfo(request.app.state.settings.timezone)).date()
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}", f"{today:%Y-%m}"


@router.get("/spam", response_class=HTMLResponse)
def campaign_list(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    port: str | None = None,
) -> Response:
    try:
        page = service.list_campaigns(uow, actor, lang, port=port or None, limit=100)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    report_month, report_max = _report_months(request, now)
    return render(
        request,
        "spam_campaigns.html",
        lang,
        actor,
        page=page,
        port=port or "",
        done=_done(request),
        # The same permission the report's route checks: nobody is offered a refusal.
        may_report=has_permission("report.read", actor.role),
        report_month=report_month,
        report_max=report_max,
    )


def _campaign(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    campaign_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    campaign = service.get_campaign(uow, campaign_id, actor, lang)
    reports = service.list_reports(uow, actor, lang, campaign_id=campaign_id, limit=200)
    return render(
        request,
        "spam_campaign.html",
        lang,
        actor,
        status_code=status_code,
        campaign=campaign,
        reports=reports,
        may_label=has_permission("spam.label", actor.role),
        kinds=_spam_kinds(lang),
        error=error,
        done=_done(request),
    )


def _spam_kinds(lang: str) -> list[tuple[str, str]]:
    from careloop.analytics.spam import kinds

    return [(k.code, k.name(lang)) for k in kinds.KINDS if k.code != kinds.NOT_SPAM]


@router.get("/spam/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request, campaign_id: int, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    try:
        return _campaign(request, uow, actor, lang, campaign_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/spam/campaigns/{campaign_id}/label", response_class=HTMLResponse)
def label(
    request: Request,
    campaign_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    report_id: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
) -> Response:
    t = Translator(lang)
    try:
        service.get_campaign(uow, campaign_id, actor, lang)
        report = whole_number(report_id, "report_id", lang)
        if verdict not in ("spam", "ham"):
            raise InvalidInput("spam", t("spam.choose_verdict"))
        service.label_report(
            uow,
            report,
            spam=verdict == "spam",
            kind=kind or None,
            note=None,
            actor=actor,
            now=now,
            lang=lang,
        )
    except DomainError as exc:
        uow.rollback()
        try:
            return _campaign(
                request, uow, actor, lang, campaign_id, error_text(exc, lang), exc.status
            )
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/spam/campaigns/{campaign_id}?done=spam_labelled")


# --- the port registry --------------------------------------------------------------------


def _choices(table: dict[str, tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    return [(code, port_rules.label(table, code, lang)) for code in table]


def _registry(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    q: str = "",
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, object] | None = None,
    import_errors: list[port_service.RowError] | None = None,
) -> HTMLResponse:
    page = port_service.list_ports(uow, actor, lang, q=q or None, limit=200)
    return render(
        request,
        "spam_ports.html",
        lang,
        actor,
        status_code=status_code,
        page=page,
        q=q,
        may_edit=has_permission("spam.ports", actor.role),
        owner_kinds=_choices(port_rules.OWNER_KINDS, lang),
        message_kinds=_choices(port_rules.MESSAGE_KINDS, lang),
        statuses=_choices(port_rules.STATUSES, lang),
        values=values or {},
        import_errors=import_errors or [],
        error=error,
        done=_done(request),
    )


@router.get("/spam/ports", response_class=HTMLResponse)
def port_registry(
    request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep, search: str = ""
) -> Response:
    try:
        return _registry(request, uow, actor, lang, search[:100])
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/spam/ports", response_class=HTMLResponse)
def register(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    number: Annotated[str, Form()] = "",
    owner_kind: Annotated[str, Form()] = "enterprise",
    owner_name: Annotated[str, Form()] = "",
    owner_code: Annotated[str, Form()] = "",
    contract_ref: Annotated[str, Form()] = "",
    allowed_kinds: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values: dict[str, object] = {
        "number": number,
        "owner_kind": owner_kind,
        "owner_name": owner_name,
        "owner_code": owner_code,
        "contract_ref": contract_ref,
        "allowed_kinds": allowed_kinds or [],
    }
    try:
        draft = port_service.PortDraft(
            number=number,
            owner_kind=owner_kind,
            owner_name=owner_name,
            owner_code=owner_code or None,
            contract_ref=contract_ref or None,
            allowed_kinds=allowed_kinds or ["notification"],
        )
        view = port_service.register_port(uow, draft, actor, now, lang)
    except DomainError as exc:
        uow.rollback()
        try:
            return _registry(
                request, uow, actor, lang, "", error_text(exc, lang), exc.status, values
            )
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/spam/ports/{view.id}?done=spam_port_created")


@router.post("/spam/ports/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    from fastapi.concurrency import run_in_threadpool

    content = await file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    t = Translator(lang)
    try:
        if not content:
            raise InvalidInput("file", t("spam.choose_file"))
        if len(content) > MAX_UPLOAD_BYTES:
            raise InvalidInput("file", t("spam.file_too_large", mb=MAX_UPLOAD_BYTES // 2**20))
        result = await run_in_threadpool(
            port_service.import_ports_content, uow, content, actor, now, lang
        )
    except DomainError as exc:
        uow.rollback()
        return await run_in_threadpool(
            _registry, request, uow, actor, lang, "", error_text(exc, lang), exc.status
        )
    if result.errors:
        return await run_in_threadpool(
            _registry,
            request,
            uow,
            actor,
            lang,
            "",
            None,
            422,
            None,
            result.errors,
        )
    return see_other("/spam/ports?done=spam_ports_imported")


def _port(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    port_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    port = port_service.get_port(uow, port_id, actor, lang)
    return render(
        request,
        "spam_port.html",
        lang,
        actor,
        status_code=status_code,
        port=port,
        history=port_service.port_history(uow, port_id, actor, lang),
        may_edit=has_permission("spam.ports", actor.role),
        owner_kinds=_choices(port_rules.OWNER_KINDS, lang),
        message_kinds=_choices(port_rules.MESSAGE_KINDS, lang),
        statuses=_choices(port_rules.STATUSES, lang),
        error=error,
        done=_done(request),
    )


@router.get("/spam/ports/{port_id}", response_class=HTMLResponse)
def port_page(
    request: Request, port_id: int, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    try:
        return _port(request, uow, actor, lang, port_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/spam/ports/{port_id}", response_class=HTMLResponse)
def edit_port(
    request: Request,
    port_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    owner_kind: Annotated[str, Form()] = "",
    owner_name: Annotated[str, Form()] = "",
    owner_code: Annotated[str, Form()] = "",
    contract_ref: Annotated[str, Form()] = "",
    allowed_kinds: Annotated[list[str] | None, Form()] = None,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        changes = port_service.PortChanges(
            version=whole_number(version, "version", lang),
            owner_kind=owner_kind or None,
            owner_name=owner_name or None,
            owner_code=owner_code,
            contract_ref=contract_ref,
            allowed_kinds=allowed_kinds or None,
            status=status or None,
            note=note,
        )
        port_service.update_port(uow, port_id, changes, actor, now, lang)
    except DomainError as exc:
        uow.rollback()
        try:
            return _port(request, uow, actor, lang, port_id, error_text(exc, lang), exc.status)
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/spam/ports/{port_id}?done=spam_port_saved")
