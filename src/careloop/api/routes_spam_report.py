"""/api/v1/spam/monthly-report: 垃圾短信治理月报, the month's spam figures for the regulator,
as an XLSX, PDF or HTML download — read and scoped as the other periodic reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from careloop.api.deps import ActorDep, LangDep
from careloop.http.dependencies import NowDep, UowDep

router = APIRouter(prefix="/api/v1/spam", tags=["spam"])


@router.get(
    "/monthly-report",
    summary="Download the monthly spam report",
    description=(
        "垃圾短信治理月报 (monthly spam-SMS governance report) of the month given: per region "
        "the reports, distinct reporters, reports per million subscribers, enforcement cases "
        "with their handling rate and on-time rate, ports warned, throttled, suspended and "
        "closed, messages intercepted and serious violations; the daily trend, the ten most "
        "reported ports and enterprises, the reports by kind and the serious violations "
        "(reporter and text masked, the sending port in full), each figure with its change "
        "against the month before. Limited to the caller's org scope (`region`: a unit "
        "within it; default the top of the scope); needs the report.read permission. "
        "Chinese by default; `lang=en` or Accept-Language: en for English. A malformed or "
        "future month, an unknown format or a region outside the scope is refused with a "
        "problem+json saying why (422, 422, 404)."
    ),
    response_class=Response,
    responses={
        200: {
            "description": "The report file",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                "application/pdf": {},
                "text/html": {},
            },
        },
    },
)
def download_spam_report(
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    caller_lang: LangDep,
    month: Annotated[
        str,
        Query(
            description="YYYY-MM: the month the report is about (Beijing time)",
            examples=["2026-11"],
            max_length=20,
        ),
    ],
    format_: Annotated[
        str, Query(alias="format", description="xlsx (default), pdf or html", max_length=20)
    ] = "xlsx",
    region: Annotated[
        str | None, Query(description="Org unit code within your scope", max_length=64)
    ] = None,
    lang: Annotated[
        str | None, Query(description="zh or en (default: the caller's language)", max_length=5)
    ] = None,
) -> Response:
    from careloop.services.spam import monthly_report

    language = lang if lang in ("zh", "en") else caller_lang
    report = monthly_report.report_file(
        uow, month, format_, region, actor, now, "en" if language.startswith("en") else "zh"
    )
    disposition = "inline" if report.name.endswith(".html") else "attachment"
    return Response(
        report.body,
        media_type=report.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{report.name}"',
            "X-Personal-Data": "masked",
            "Cache-Control": "no-store",
        },
    )
