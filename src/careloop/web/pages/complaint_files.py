"""The complaint page's attachments and reveal: upload a file, download one, show the
customer's data unmasked — each through the same services (and audit) as the API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.complaints import attachment_files
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.privacy import personal_data
from careloop.web.answers import see_other, whole_number
from careloop.web.composer import upload_limit
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.pages.complaints import complaint_page_response

router = APIRouter()


def _error_page(request: Request, uow: UowDep, actor, lang: str, exc: DomainError) -> Response:  # type: ignore[no-untyped-def]
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=exc.message(lang)
    )


@router.post("/complaints/{complaint_id}/attachments", response_class=HTMLResponse)
def upload_attachment(
    complaint_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    limit = upload_limit(request)
    try:
        data = file.file.read(limit + 1) if file is not None else b""
        name = (file.filename or "") if file is not None else ""
        attachment_files.upload(uow, complaint_id, actor, now, name, data, limit)
    except DomainError as exc:
        uow.rollback()
        try:
            return complaint_page_response(
                request, uow, actor, now, lang, complaint_id, exc.message(lang), exc.status
            )
        except DomainError as missing:
            return _error_page(request, uow, actor, lang, missing)
    return see_other(f"/complaints/{complaint_id}?done=attach#attachments")


@router.get("/complaints/{complaint_id}/attachments", response_class=HTMLResponse)
def download_attachment(
    complaint_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    file: str = "",
) -> Response:
    """One attachment's file (``?file=<id>``), or without it the complaint's page, whose
    attachments section lists them: the attachment travels as a query, not a path, so
    the page keeps one id in its path like the others."""
    if not file:
        try:
            return complaint_page_response(request, uow, actor, now, lang, complaint_id)
        except DomainError as missing:
            return _error_page(request, uow, actor, lang, missing)
    client = request.client.host if request.client else None
    try:
        attachment_id = whole_number(file, "file", lang)
        found = attachment_files.download(uow, complaint_id, attachment_id, actor, now, client)
    except DomainError as exc:
        return _error_page(request, uow, actor, lang, exc)
    if found.content is None:
        # Recorded through the API: the file lives in the operator's document store.
        t = Translator(lang)
        where = found.view.storage_ref or t("composer.attach.no_ref")
        return render(
            request,
            "error.html",
            lang,
            actor,
            error=t("composer.attach.elsewhere", name=found.view.filename, where=where),
        )
    name = quote(found.view.filename or f"attachment-{attachment_id}")
    return Response(
        found.content,
        media_type=found.view.content_type,
        headers={
            # Always a download, never shown inline: an uploaded file must not run as a page.
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/complaints/{complaint_id}/reveal", response_class=HTMLResponse)
def reveal_customer(
    complaint_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    reason: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """The API's audited unmask (``personal_data.unmask``), shown on the page once: the
    next visit is masked again."""
    try:
        load_complaint(uow, complaint_id, actor)
        data = personal_data.unmask(uow, complaint_id, actor, now, reason or text)
        return complaint_page_response(request, uow, actor, now, lang, complaint_id, revealed=data)
    except DomainError as exc:
        uow.rollback()
        try:
            return complaint_page_response(
                request, uow, actor, now, lang, complaint_id, exc.message(lang), exc.status
            )
        except DomainError as missing:
            return _error_page(request, uow, actor, lang, missing)
