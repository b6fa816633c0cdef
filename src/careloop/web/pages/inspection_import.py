"""The Excel import page for inspection results (导入检查结果): download the template, upload
a file, read the preview — the visits it would import and every bad row as (行, 列, 原因)
— then confirm. The same service as ``POST /api/v1/inspections/import``.

The confirmation carries the previewed file itself (URL-safe base64 in a hidden field, with
its sha256) rather than a copy kept on the server: nothing to clean up, any worker can
confirm, and the import checks the whole file again before it writes, so a hand-edited
field gains nothing. Importing the same visits twice is refused by the service.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError, InvalidInput
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.supervision import inspection_import
from careloop.services.supervision.inspection_import import Preview, RowProblem
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()
PATH = "/inspections/import"
ENVELOPE = 64 * 1024
"""Room in the request-size limit for the form's other fields."""


def upload_limit(request: Request) -> int:
    """The largest file the page takes: the service's limit, or less where the confirmation
    (the file as base64, 4 characters per 3 bytes) would pass the site's request limit."""
    body = int(request.app.state.settings.max_body_bytes)
    return max(1, min(inspection_import.MAX_BYTES, (body - ENVELOPE) * 3 // 4))


def _too_large(limit: int, t: Translator) -> InvalidInput:
    return InvalidInput("file", t("insp_import.too_large", kb=limit // 1024))


def _problem_rows(problems: list[RowProblem], lang: str) -> list[dict[str, str]]:
    return [
        {"row": p.rows() or "—", "column": p.column_name(lang) or "—", "reason": p.reason(lang)}
        for p in problems
    ]


def _page(
    request: Request,
    actor: Actor,
    lang: str,
    *,
    preview: Preview | None = None,
    content: bytes = b"",
    filename: str = "",
    error: str | None = None,
    status_code: int = 200,
    imported: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "inspection_import.html",
        lang,
        actor,
        status_code=status_code,
        error=error,
        preview=preview,
        problems=_problem_rows(preview.problems, lang) if preview else [],
        payload=base64.urlsafe_b64encode(content).decode() if preview else "",
        filename=filename,
        imported=imported,
        limit_kb=upload_limit(request) // 1024,
    )


def _refused(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
    )


@router.get(PATH, response_class=HTMLResponse)
def import_page(
    request: Request, actor: WebActorDep, lang: LangDep, imported: str | None = None
) -> Response:
    try:
        inspection_import.may_import(actor)
    except DomainError as exc:
        return _refused(request, actor, lang, exc)
    count = int(imported) if imported and imported.isdigit() and len(imported) < 7 else None
    return _page(request, actor, lang, imported=count)


@router.get(PATH + "/template")
def download_template(
    request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep, now: NowDep
) -> Response:
    try:
        body = inspection_import.template_workbook(uow, actor, now, lang)
    except DomainError as exc:
        return _refused(request, actor, lang, exc)
    t = Translator(lang)
    name = t("insp_import.template_file")
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _show(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    content: bytes,
    filename: str,
) -> HTMLResponse:
    preview = inspection_import.check_file(uow, content, actor, now)
    return _page(
        request, actor, lang, preview=preview, content=content, filename=filename,
        status_code=200 if preview.importable else 422,
    )  # fmt: skip


@router.post(PATH + "/preview", response_class=HTMLResponse)
def preview_file(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check the file and show what it would import; nothing is written."""
    limit = upload_limit(request)
    t = Translator(lang)
    try:
        inspection_import.may_import(actor)
    except DomainError as exc:
        return _refused(request, actor, lang, exc)
    try:
        if file is None or not file.filename:
            raise InvalidInput("file", t("insp_import.choose_xlsx"))
        content = file.file.read(limit + 1)
        if len(content) > limit:
            raise _too_large(limit, t)
        return _show(request, uow, actor, lang, now, content, file.filename[:100])
    except DomainError as exc:
        uow.rollback()
        return _page(request, actor, lang, error=error_text(exc, lang), status_code=exc.status)


def _decoded(payload: str, fingerprint: str, limit: int, t: Translator) -> bytes:
    try:
        content = base64.urlsafe_b64decode(payload.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        content = b""
    if not content or hashlib.sha256(content).hexdigest() != fingerprint:
        raise InvalidInput("file", t("insp_import.preview_gone"))
    if len(content) > limit:
        raise _too_large(limit, t)
    return content


@router.post(PATH, response_class=HTMLResponse)
def confirm_import(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    payload: Annotated[str, Form()] = "",
    fingerprint: Annotated[str, Form(max_length=64)] = "",
    filename: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Import the previewed file: checked again, all or nothing."""
    try:
        inspection_import.may_import(actor)
    except DomainError as exc:
        return _refused(request, actor, lang, exc)
    try:
        content = _decoded(payload, fingerprint, upload_limit(request), Translator(lang))
        result = inspection_import.import_results(uow, content, actor, now, filename)
    except DomainError as exc:
        uow.rollback()
        return _page(request, actor, lang, error=error_text(exc, lang), status_code=exc.status)
    if not result.imported:
        # Something changed since the preview (the same file imported meanwhile, a subject
        # moved out of scope): the same page, with the rows refused now.
        return _show(request, uow, actor, lang, now, content, filename)
    return see_other(f"{PATH}?imported={result.visits}")
