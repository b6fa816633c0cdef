"""/api/v1/reports/{kind}: the periodic reports as HTML, XLSX or PDF downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from careloop.api.deps import ActorDep
from careloop.http.dependencies import NowDep, UowDep, client_address

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get(
    "/{kind}",
    summary="Download a periodic report",
    description=(
        "daily = 投诉预警日报 (the day given), weekly = 网络质量周报 (network-quality weekly "
        "report: the ISO week, Monday–Sunday, containing the date), tenday = 客服信息旬报 (the "
        "ten-day period 1–10, 11–20 or 21–end containing the date), monthly = 月度服务质量分析. "
        "Handle times are in working hours. Limited to the "
        "caller's org scope; needs the report.read permission. Complaint text in it is "
        "masked; `personal_data=unmasked` shows it in full to supervisors and "
        "administrators only, and records who read which complaints (a security event). "
        "A masked report of a closed period (a past day, week, ten days or month) is made "
        "once and then served from storage (`X-Report-Generated` says when it was made); "
        "`regenerate=true` makes it again (supervisors and administrators; audited)."
    ),
    response_class=Response,
)
def download_report(
    kind: Literal["daily", "weekly", "tenday", "monthly"],
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    date_: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
    format_: Annotated[
        Literal["html", "xlsx", "pdf"], Query(alias="format", description="html, xlsx or pdf")
    ] = "html",
    region: Annotated[str | None, Query(description="Org unit code within your scope")] = None,
    personal_data: Annotated[
        Literal["masked", "unmasked"],
        Query(description="masked (default) or unmasked (supervisors, administrators; audited)"),
    ] = "masked",
    lang: Annotated[Literal["zh", "en"], Query(description="zh (default) or en")] = "zh",
    regenerate: Annotated[
        bool, Query(description="Make a stored report again (supervisors; audited)")
    ] = False,
) -> Response:
    from careloop.services.monitoring import reports

    report = reports.report_file(
        uow,
        kind,
        date_,
        region,
        actor,
        now,
        format_,
        unmasked=personal_data == "unmasked",
        client=client_address(request),
        lang=lang,
        regenerate=regenerate,
    )
    disposition = "inline" if format_ == "html" else "attachment"
    return Response(
        report.body,
        media_type=report.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{report.name}"',
            "X-Personal-Data": personal_data,
            "Cache-Control": "no-store",
            "X-Report-Stored": "true" if report.stored else "false",
            **(
                {"X-Report-Generated": report.generated_at.isoformat()}
                if report.generated_at
                else {}
            ),
        },
    )
