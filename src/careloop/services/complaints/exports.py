"""Exports of the complaint list (operators exchange data in Excel, DOMAIN.md §8).

Scoped like every read, masked by role (domain.privacy.EXPORT_UNMASKED), capped in size,
and recorded as a security event: a spreadsheet of phone numbers is the easiest way for
personal data to leave, so who took which rows is kept. The event is written only once the
file exists: a failed export is recorded as ``export_failed`` (with the error's type), never
as an export that happened. An unmasked export also names the complaints it carried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from careloop.domain import permissions, privacy
from careloop.domain.categories import get_category
from careloop.domain.errors import DomainError
from careloop.domain.lifecycle.tickets import STATUS_LABELS, Status
from careloop.i18n import Translator
from careloop.reports import cells
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.complaints import queries
from careloop.services.complaints.filters import ComplaintFilter
from careloop.services.complaints.page_views import ComplaintRow, complaint_row
from careloop.services.sla import calendar as sla_calendar
from careloop.services.sla import clocks as sla_clocks
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint


def column_titles(lang: str) -> list[str]:
    """The export's column titles in ``lang``, in the order of its cells."""
    t = Translator(lang)
    return [
        t("complaint_export.col.number"),
        t("complaint_export.col.status"),
        t("complaint_export.col.channel"),
        t("complaint_export.col.source_ref"),
        t("complaint_export.col.accepted_at"),
        t("complaint_export.col.category"),
        t("complaint_export.col.product"),
        t("complaint_export.col.region"),
        t("complaint_export.col.customer_phone"),
        t("complaint_export.col.customer_name"),
        t("complaint_export.col.customer_tier"),
        t("complaint_export.col.priority"),
        t("complaint_export.col.escalated"),
        t("complaint_export.col.is_repeat"),
        t("complaint_export.col.first_owner"),
        t("complaint_export.col.reply_due_at"),
        t("complaint_export.col.reply_due_assumed"),
        t("complaint_export.col.replied_at"),
        t("complaint_export.col.closed_at"),
        t("complaint_export.col.description"),
    ]


ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": cells.XLSX_MEDIA_TYPE,
}


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    media_type: str
    rows: int
    masked: bool


def _iso(value: Any) -> Any:
    """Times in ISO form with their offset: the file says which instant, not a local guess."""
    return value.isoformat() if isinstance(value, datetime) else value


def _render(fmt: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    if fmt == "xlsx":
        return cells.to_xlsx("complaints", headers, rows)
    return cells.to_csv(headers, rows)


def export_complaints(
    uow: UnitOfWork,
    actor: Actor,
    f: ComplaintFilter,
    now: datetime,
    lang: str = "zh",
    max_rows: int = 10_000,
    fmt: ExportFormat = "csv",
    client: str | None = None,
) -> ExportFile:
    permissions.check_permission("complaint.export", actor.role)
    page = queries.list_complaints(uow, f, max_rows, 0, "-accepted_at", actor=actor)
    if page.total > max_rows:
        raise DomainError("export_too_large", count=page.total, limit=max_rows)
    unmasked = privacy.may_export_personal_data(actor.role)
    en = Translator(lang).lang == "en"
    covered = sla_calendar.calendar_data(uow).covered_years
    rows: list[list[Any]] = []
    for c in page.items:
        category = get_category(c.category)
        status = Status(c.status)
        rows.append(
            [
                c.number,
                STATUS_LABELS[status][1 if en else 0],
                c.channel,
                c.source_ref,
                c.accepted_at,
                category.label(lang) if category else c.category,
                c.product,
                c.region.code,
                privacy.shown(c.customer_phone, "phone", unmasked=unmasked),
                privacy.shown(c.customer_name, "name", unmasked=unmasked),
                c.customer_tier,
                c.priority,
                c.escalated,
                c.is_repeat,
                c.first_owner.username,
                c.reply_due_at,
                # The years whose holiday notice is not entered: their bridge and make-up
                # days are assumed in the due date (services.sla.calendar).
                "、".join(
                    str(y)
                    for y in sla_calendar.assumed_years(covered, c.accepted_at, c.reply_due_at)
                ),
                c.replied_at,
                c.closed_at,
                privacy.shown(c.description, "text", unmasked=unmasked),
            ]
        )
    return _deliver(
        uow, actor, now, fmt, column_titles(lang), [[_iso(v) for v in row] for row in rows],
        [c.id for c in page.items], unmasked, client,
    )  # fmt: skip


def export_list(
    uow: UnitOfWork,
    actor: Actor,
    f: ComplaintFilter,
    now: datetime,
    lang: str,
    headers: Sequence[str],
    cells_of: Callable[[ComplaintRow], list[Any]],
    sort: str,
    max_rows: int = 10_000,
    client: str | None = None,
) -> ExportFile:
    """The web list as a spreadsheet: every complaint the filter finds in the actor's scope
    (not only the page shown), in the list's order, each row as ``cells_of`` makes it from
    the same row the page shows (worst clock, labels in ``lang``), so the file and the
    screen agree. Masked by the export rule (``EXPORT_UNMASKED``), which may hide more than
    the page does: a spreadsheet travels further than a screen. Audited as every export."""
    permissions.check_permission("complaint.export", actor.role)
    page = queries.list_complaints(
        uow, f, max_rows, 0, sort, actor=actor, now=now, count_limit=max_rows
    )
    if page.total_capped or page.total > max_rows:
        raise DomainError("export_too_large", count=page.total, limit=max_rows)
    clocks = sla_clocks.explain(uow, page.items, now)
    unmasked = privacy.may_export_personal_data(actor.role)
    rows = []
    for c in page.items:
        row = complaint_row(c, actor, lang, clocks.get(c.id), now)
        rows.append(cells_of(row if unmasked else _masked(row, c)))
    return _deliver(
        uow, actor, now, "xlsx", list(headers), rows, [c.id for c in page.items], unmasked, client
    )


def _masked(row: ComplaintRow, c: Complaint) -> ComplaintRow:
    """The row with the customer's data masked, whatever the page would have shown."""
    view = row.complaint
    customer = replace(
        view.customer,
        phone=privacy.shown(c.customer_phone, "phone", unmasked=False) or "",
        name=privacy.shown(c.customer_name, "name", unmasked=False),
        account=privacy.shown(c.customer_account, "account", unmasked=False),
    )
    description = privacy.shown(c.description, "text", unmasked=False) or ""
    return replace(row, complaint=replace(view, customer=customer, description=description))


def _deliver(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    fmt: ExportFormat,
    headers: list[str],
    rows: list[list[Any]],
    complaint_ids: list[int],
    unmasked: bool,
    client: str | None,
) -> ExportFile:
    """Render the file and record who took which rows (``export``), or the failure."""
    detail: dict[str, Any] = {
        "rows": len(rows),
        "masked": not unmasked,
        "format": fmt,
        "scope": actor.scope,
    }
    if unmasked:
        detail["complaints"] = sorted(complaint_ids)
    try:
        body = _render(fmt, headers, rows)
    except Exception as exc:
        uow.session.rollback()
        detail["error"] = type(exc).__name__
        record_security_event(uow, "export_failed", actor.username, now, actor.staff_id,
                              client, detail)  # fmt: skip
        uow.commit()
        raise
    record_security_event(uow, "export", actor.username, now, actor.staff_id, client, detail)
    uow.commit()
    return ExportFile(body, MEDIA_TYPES[fmt], len(rows), not unmasked)
