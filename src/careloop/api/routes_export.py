"""GET /api/v1/complaints/export: the complaint list as CSV or Excel, masked by role."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from careloop.api.deps import ActorDep, LangDep, NowDep, UowDep, client_address
from careloop.domain.errors import InvalidInput
from careloop.services import exports, queries

router = APIRouter(prefix="/api/v1/complaints", tags=["export"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Spreadsheet-safe: times in ISO form, and no text a spreadsheet would run as a
    formula (CSV injection: a description starting with '=' is quoted with a ')."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(table: exports.ExportTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    # A byte-order mark so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(table: exports.ExportTable) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("complaints")
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(name, "需要带时区的时间 / include a time-zone offset")
    return value


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
    q: Annotated[str | None, Query(max_length=200, description="Text search")] = None,
) -> Response:
    filters = queries.ComplaintFilter(
        status=status_ or [],
        category=category,
        unit=unit,
        channel=channel,
        region=region,
        created_from=_aware("created_from", created_from),
        created_to=_aware("created_to", created_to),
        text=q,
    )
    table = exports.export_complaints(
        uow,
        actor,
        filters,
        now,
        lang,
        request.app.state.settings.max_export_rows,
        format,
        client_address(request),
    )
    stamp = now.strftime("%Y%m%d%H%M")
    if format == "xlsx":
        body, media = _xlsx(table), XLSX
    else:
        body, media = _csv(table), "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="complaints-{stamp}.{format}"',
            "X-Total-Count": str(len(table.rows)),
            "X-Personal-Data": "masked" if table.masked else "unmasked",
            "Cache-Control": "no-store",
        },
    )
