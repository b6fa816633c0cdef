"""突发事件报告: one incident's complaints by region and day, its reply times and the notices
sent, as a read model (JSON) and as a report file (CSV, XLSX, HTML) rendered by
careloop.reports like the periodic reports. Whoever may read the incident reads its report
(it holds counts, no personal data), scoped like everything else: a reader counts the
complaints in their own scope."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from careloop.domain import incidents as rules
from careloop.domain.errors import InvalidInput
from careloop.i18n import Translator
from careloop.reports import render as renderer
from careloop.reports.model import Column, Report, Table, both
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.incidents import records
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, IncidentLink, Notification, OrgUnit

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
FORMATS = ("csv", "xlsx", "html")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", **renderer.MEDIA_TYPES}


@dataclass(frozen=True)
class RegionDayRow:
    region_code: str
    region: str
    day: date
    """Local (Beijing) day of acceptance."""
    linked: int
    replied: int
    median_reply_minutes: float | None


@dataclass(frozen=True)
class IncidentReport:
    number: str
    title: str
    kind_label: str
    status_label: str
    starts_at: datetime
    ended_at: datetime | None
    linked: int
    replied: int
    median_reply_minutes: float | None
    """Accepted to replied, in minutes of the clock: the wait the customer felt."""
    max_reply_minutes: float | None
    notices_sent: int
    notices_pending: int
    notices_failed: int
    rows: list[RegionDayRow]


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def incident_report(uow: UnitOfWork, incident_id: int, actor: Actor, lang: str) -> IncidentReport:
    incident = records.load_incident(uow, incident_id, actor)
    session = uow.session
    rows = session.execute(
        select(
            OrgUnit.code,
            OrgUnit.name_zh,
            OrgUnit.name_en,
            Complaint.accepted_at,
            Complaint.replied_at,
        )
        .join(IncidentLink, IncidentLink.complaint_id == Complaint.id)
        .join(OrgUnit, OrgUnit.id == Complaint.region_id)
        .where(IncidentLink.incident_id == incident.id, scope.visible_to(actor))
    ).all()
    cells: dict[tuple[str, str, date], list[float | None]] = defaultdict(list)
    waits: list[float] = []
    for code, name_zh, name_en, accepted_at, replied_at in rows:
        name = name_en if lang.startswith("en") else name_zh
        wait = _minutes(accepted_at, replied_at)
        cells[(code, name, accepted_at.astimezone(LOCAL_ZONE).date())].append(wait)
        if wait is not None:
            waits.append(wait)
    table = []
    for (code, name, day), values in sorted(cells.items(), key=lambda kv: (kv[0][2], kv[0][0])):
        done = [v for v in values if v is not None]
        table.append(
            RegionDayRow(
                code,
                name,
                day,
                len(values),
                len(done),
                round(statistics.median(done), 1) if done else None,
            )
        )
    visible = select(Complaint.id).where(scope.visible_to(actor))
    notices = dict(
        session.execute(
            select(Notification.status, func.count())
            .join(IncidentLink, IncidentLink.notice_id == Notification.id)
            .where(IncidentLink.incident_id == incident.id, IncidentLink.complaint_id.in_(visible))
            .group_by(Notification.status)
        ).all()
    )
    status = rules.IncidentStatus(incident.status)
    return IncidentReport(
        number=incident.number,
        title=incident.title,
        kind_label=rules.label(rules.KINDS.get(incident.kind, (incident.kind,) * 2), lang),
        status_label=rules.label(rules.STATUS_LABELS[status], lang),
        starts_at=incident.starts_at,
        ended_at=incident.ended_at,
        linked=len(rows),
        replied=len(waits),
        median_reply_minutes=round(statistics.median(waits), 1) if waits else None,
        max_reply_minutes=max(waits) if waits else None,
        notices_sent=int(notices.get("sent", 0)),
        notices_pending=int(notices.get("pending", 0)),
        notices_failed=int(notices.get("failed", 0)),
        rows=table,
    )


_ROW_COLUMNS = [
    Column("region", *both.t("incident_report.col.region")),
    Column("day", *both.t("incident_report.col.day")),
    Column("linked", *both.t("incident_report.col.linked"), "int"),
    Column("replied", *both.t("incident_report.col.replied"), "int"),
    Column("median", *both.t("incident_report.col.median"), "float"),
]


def as_report(found: IncidentReport, lang: str) -> Report:
    """The read model as a `careloop.reports` report (tables of typed values)."""
    t = Translator(lang)
    local = found.starts_at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
    summary = Table(
        "summary",
        *both.t("incident_report.table.summary"),
        [
            Column("item", *both.t("incident_report.col.item")),
            Column("value", *both.t("incident_report.col.value")),
        ],
        [
            [t("incident_report.item.number"), found.number],
            [t("incident_report.item.title"), found.title],
            [t("incident_report.item.kind"), found.kind_label],
            [t("incident_report.item.status"), found.status_label],
            [t("incident_report.item.starts_at"), local],
            [t("incident_report.item.linked"), found.linked],
            [t("incident_report.item.replied"), found.replied],
            [
                t("incident_report.item.median"),
                found.median_reply_minutes if found.median_reply_minutes is not None else "—",
            ],
            [t("incident_report.item.notices_sent"), found.notices_sent],
            [t("incident_report.item.notices_pending"), found.notices_pending],
            [t("incident_report.item.notices_failed"), found.notices_failed],
        ],
    )
    by_day = Table(
        "by_region_day",
        *both.t("incident_report.table.by_region_day"),
        _ROW_COLUMNS,
        [
            [r.region, r.day.isoformat(), r.linked, r.replied, r.median_reply_minutes]
            for r in found.rows
        ],
    )
    return Report(
        "incident",
        *both.t("incident_report.title", number=found.number),
        found.title,
        tables=[summary, by_day],
    )


def _csv(found: IncidentReport, lang: str) -> bytes:
    """The region-and-day table; a BOM so that Excel opens the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label(lang) for c in _ROW_COLUMNS])
    for r in found.rows:
        median = "" if r.median_reply_minutes is None else r.median_reply_minutes
        writer.writerow([r.region, r.day.isoformat(), r.linked, r.replied, median])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_bytes(found: IncidentReport, fmt: str, lang: str) -> tuple[bytes, str, str]:
    """(body, media type, file name) of the report in `fmt`: csv, xlsx or html."""
    if fmt not in FORMATS:
        raise InvalidInput("format", f"应为 / must be one of {', '.join(FORMATS)}")
    body = _csv(found, lang) if fmt == "csv" else renderer.render(as_report(found, lang), fmt, lang)
    return body, MEDIA_TYPES[fmt], f"careloop-incident-{found.number}.{fmt}"
