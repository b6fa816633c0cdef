"""GET /api/v1/complaints/export: the complaint list as CSV or Excel, masked by role."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from careloop.api.deps import ActorDep, LangDep
from careloop.http.dependencies import NowDep, UowDep, client_address
from careloop.services.complaints import exports, filters

router = APIRouter(prefix="/api/v1/complaints", tags=["export"])

XLSX = exports.MEDIA_TYPES["xlsx"]


@router.get(
    "/export",
    summary="Export the complaint list (CSV or XLSX), scoped and masked by role; audited",
    response_class=Response,
    responses={
        200: {
            "description": "The file",
            "content": {"text/csv": {}, XLSX: {}},
        }
    },
)
def export_complaints(
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
    status_: Annotated[
        list[str] | None, Query(alias="status", description="One or more statuses")
    ] = None,
    category: Annotated[str | None, Query(max_length=60, description="Category code")] = None,
    unit: Annotated[str | None, Query(max_length=64, description="Work order at unit")] = None,
    channel: Annotated[str | None, Query(max_length=30)] = None,
    region: Annotated[str | None, Query(max_length=64, description="Region code")] = None,
    created_from: Annotated[datetime | None, Query(description="Accepted at or after")] = None,
    created_to: Annotated[datetime | None, Query(description="Accepted before")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text search, as in the list (masked roles: numbers)"),
    ] = None,
) -> Response:
    chosen = filters.from_api(
        status=status_,
        category=category,
        unit=unit,
        channel=channel,
        region=region,
        created_from=created_from,
        created_to=created_to,
        q=q,
    )
    exported = exports.export_complaints(
        uow,
        actor,
        chosen,
        now,
        lang,
        request.app.state.settings.max_export_rows,
        format,
        client_address(request),
    )
    stamp = now.strftime("%Y%m%d%H%M")
    return Response(
        exported.body,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="complaints-{stamp}.{format}"',
            "X-Total-Count": str(exported.rows),
            "X-Personal-Data": "masked" if exported.masked else "unmasked",
            "Cache-Control": "no-store",
        },
    )
