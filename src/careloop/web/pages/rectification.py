"""The rectification pages (督促整改): a unit's task list with its deadlines in local time,
and one task with its source, evidence, re-inspection and trail — the same services as
``/api/v1/rectifications``; a page offers exactly the transitions the reader may fire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from careloop.domain import attachments
from careloop.domain.errors import DomainError
from careloop.domain.supervision import rectification as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.supervision import evidence_files
from careloop.services.supervision import rectification as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.composer import upload_limit
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()

FILTERS = ("open_all", "overdue", "submitted", "closed")
"""The list's tabs: not closed (default), overdue, waiting for re-inspection, closed."""
UPLOADED = "evidence_uploaded"
DONE = {
    "start": "rectification_started",
    "submit": "rectification_submitted",
    "confirm": "rectification_confirmed",
    "fail": "rectification_failed",
    "note": "rectification_noted",
}


@router.get("/rectifications", response_class=HTMLResponse)
def task_list(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    status: str | None = None,
) -> Response:
    chosen = status if status in FILTERS else "open_all"
    try:
        page = service.list_tasks(uow, actor, lang, now, status=chosen, limit=200)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return render(
        request,
        "rectifications.html",
        lang,
        actor,
        page=page,
        status=chosen,
        filters=FILTERS,
    )


def _detail(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    task_id: int,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    task = service.get_task(uow, task_id, actor, lang, now)
    trail = service.task_events(uow, task_id, actor, lang)
    files = evidence_files.task_files(uow, task_id, actor)
    done = request.query_params.get("done")
    limit = upload_limit(request)
    return render(
        request,
        "rectification.html",
        lang,
        actor,
        status_code=status_code,
        task=task,
        trail=trail,
        allowed={a.name for a in task.allowed},
        error=error,
        values=values or {},
        done=done if done in DONE.values() or done == UPLOADED else None,
        files=files,
        upload_limit=limit,
        upload_limit_text=attachments.size_text(limit),
    )


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    """A task outside the reader's scope is as missing as one that never was."""
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
    )


@router.get("/rectifications/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request, task_id: int, uow: UowDep, actor: WebActorDep, lang: LangDep, now: NowDep
) -> Response:
    try:
        return _detail(request, uow, actor, lang, now, task_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/rectifications/{task_id}/evidence", response_class=HTMLResponse)
def upload_evidence(
    request: Request,
    task_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A photo or file for the task's current round (before ``act``: ``evidence`` is not
    a transition); a refusal shows the task again with the reason, nothing stored."""
    limit = upload_limit(request)
    try:
        data = file.file.read(limit + 1) if file is not None else b""
        name = (file.filename or "") if file is not None else ""
        evidence_files.upload_for_task(uow, task_id, actor, now, name, data, limit)
    except DomainError as exc:
        uow.rollback()
        if exc.status == 404:
            return _error_page(request, actor, lang, exc)
        try:
            return _detail(
                request, uow, actor, lang, now, task_id, error_text(exc, lang), exc.status
            )
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/rectifications/{task_id}?done={UPLOADED}#evidence")


@router.get("/rectifications/{task_id}/evidence/{file_id}", response_class=HTMLResponse)
def download_evidence(
    request: Request,
    task_id: int,
    file_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    client = request.client.host if request.client else None
    try:
        found = evidence_files.download_for_task(uow, task_id, file_id, actor, now, client)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return Response(
        found.content,
        media_type=found.view.content_type,
        headers={
            # Always a download, never shown inline: an uploaded file must not run as a page.
            "Content-Disposition": "attachment; filename*=UTF-8''"
            + quote(found.view.filename or f"evidence-{file_id}"),
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/rectifications/{task_id}/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    task_id: int,
    action: str,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    actions_taken: Annotated[str, Form()] = "",
    evidence_ref: Annotated[str, Form()] = "",
    evidence_text: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "actions_taken": actions_taken, "evidence_ref": evidence_ref,
        "evidence_text": evidence_text, "reason": reason, "note": note, "text": text,
    }  # fmt: skip
    try:
        if action not in DONE:
            raise rules.not_found(task_id)
        number = whole_number(version, "version", lang)
        if action == "start":
            service.start_task(uow, task_id, actor, number, now, lang)
        elif action == "submit":
            service.submit_task(
                uow, task_id, actor, number, now, actions_taken=actions_taken,
                evidence_ref=evidence_ref, evidence_text=evidence_text, lang=lang,
            )  # fmt: skip
        elif action == "confirm":
            service.confirm_task(uow, task_id, actor, number, now, note=note, lang=lang)
        elif action == "fail":
            service.fail_task(uow, task_id, actor, number, now, reason=reason, lang=lang)
        else:
            service.note_task(uow, task_id, actor, number, now, text=text, lang=lang)
    except DomainError as exc:
        uow.rollback()
        if exc.status == 404:
            return _error_page(request, actor, lang, exc)
        try:
            return _detail(
                request, uow, actor, lang, now, task_id, error_text(exc, lang), exc.status, values
            )
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/rectifications/{task_id}?done={DONE[action]}")
