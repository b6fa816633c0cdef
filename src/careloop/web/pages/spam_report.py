"""/spam/report: the monthly spam report (垃圾短信治理月报) downloaded from the spam pages,
the same file and rules as ``GET /api/v1/spam/monthly-report``; a refusal is a page in the
reader's language, not a file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep
from careloop.web.answers import error_text
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()


@router.get("/spam/report", response_class=Response)
def spam_report_download(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    month: str = "",
    format_: Annotated[str, Query(alias="format")] = "xlsx",
    region: str | None = None,
) -> Response:
    from careloop.services.spam import monthly_report

    try:
        report = monthly_report.report_file(uow, month, format_, region or None, actor, now, lang)
    except DomainError as exc:
        uow.rollback()
        return render(
            request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
        )
    disposition = "inline" if report.name.endswith(".html") else "attachment"
    return Response(
        report.body,
        media_type=report.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{report.name}"',
            "Cache-Control": "no-store",
        },
    )
