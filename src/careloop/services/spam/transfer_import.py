"""12321 transfer files (12321 转办): the national reporting centre's spam reports about our
subscribers' messages, as .xlsx or .csv, one report per row.

Every row is checked on its own; a bad row is reported by its row number, column and
reason in words and left out, the good rows are stored. A row's identity is the centre's
report number (举报编号), or when the file has none, a hash of what the row says: importing
the same file again stores nothing twice and reports the same bad rows again.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from careloop.domain import permissions
from careloop.domain.errors import DomainError
from careloop.domain.spam import ports as port_rules
from careloop.domain.spam import reports as rules
from careloop.services.access.actors import Actor
from careloop.services.complaints.intake_import import spreadsheet_rows
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.spam import reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit

SOURCE = "transfer_12321"
HEADERS: dict[str, tuple[str, ...]] = {
    "key": ("key", "report_id", "举报编号", "转办编号", "工单编号"),
    "reporter": ("reporter", "reporter_phone", "举报号码", "举报人号码", "举报人"),
    "sender": ("sender", "reported_number", "被举报号码", "发送号码", "端口号码", "发送端口"),
    "text": ("text", "message", "短信内容", "举报内容", "内容"),
    "received_at": ("received_at", "reported_at", "举报时间", "接收时间", "时间"),
    "region": ("region", "地区", "地区编码", "归属地"),
    "serious": ("serious", "违规情形", "违规类型", "严重违规"),
}
"""Column → the header names accepted for it (case and surrounding blanks ignored)."""
REQUIRED = ("reporter", "sender", "text", "received_at")
COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "key": ("举报编号", "report number"),
    "reporter": ("举报号码", "reporter's number"),
    "sender": ("被举报号码", "reported number"),
    "text": ("短信内容", "message text"),
    "received_at": ("举报时间", "time reported"),
    "region": ("地区", "region"),
    "serious": ("违规情形", "violation"),
}
_LOOKUP = {a.strip().lower(): c for c, aliases in HEADERS.items() for a in aliases}
_SERIOUS_WORDS = {
    **{zh: code for code, (zh, _) in rules.SERIOUS_REASONS.items()},
    **{code: code for code in rules.SERIOUS_REASONS},
    "退订后发送": "after_unsubscribe",
    "未经同意": "no_consent",
    "": "",
    "无": "",
    "否": "",
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


@dataclass(frozen=True)
class RowError:
    row: int
    """As a spreadsheet shows it (the header is row 1)."""
    column: str
    """The column's code (``sender``, ``received_at`` …)."""
    column_label: str
    reason: str


@dataclass
class TransferResult:
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    campaigns: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps numbers typed as numbers as floats
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


class _Bad(Exception):
    def __init__(self, column: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.column = column
        self.zh = zh
        self.en = en


def _moment(raw: Any, text: str, now: datetime) -> datetime:
    moment: datetime | None = None
    if isinstance(raw, datetime):
        moment = raw if raw.tzinfo else raw.replace(tzinfo=LOCAL_TIME)
    elif isinstance(raw, date):
        moment = datetime.combine(raw, time(0), tzinfo=LOCAL_TIME)
    else:
        for fmt in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TIME)
                break
            except ValueError:
                continue
    if moment is None:
        raise _Bad(
            "received_at",
            f"「{text}」不是可识别的时间，例如 2026-09-27 10:02",
            f"'{text}' is not a readable time, e.g. 2026-09-27 10:02",
        )
    if moment > now:
        raise _Bad("received_at", "举报时间晚于现在", "the time reported lies in the future")
    if moment.year < 2000:
        raise _Bad("received_at", "举报时间早于 2000 年", "the time reported is before 2000")
    return moment


def _row_draft(
    values: dict[str, str],
    raw: dict[str, Any],
    regions: dict[str, OrgUnit],
    default_region: OrgUnit,
    now: datetime,
) -> reports.NewReport:
    for column in REQUIRED:
        if not values.get(column):
            raise _Bad(column, "不能为空", "must not be empty")
    try:
        reporter = port_rules.parse_number(values["reporter"])
    except port_rules.PortNumberError as exc:
        raise _Bad("reporter", exc.zh, exc.en) from None
    if reporter.kind != port_rules.POINT_TO_POINT or reporter.operator == "fixed":
        raise _Bad("reporter", "举报号码应为手机号", "the reporter's number must be a mobile")
    try:
        sender = port_rules.parse_number(values["sender"])
    except port_rules.PortNumberError as exc:
        raise _Bad("sender", exc.zh, exc.en) from None
    text = values["text"]
    if len(text) > rules.TEXT_MAX_CHARS:
        raise _Bad(
            "text",
            f"超过 {rules.TEXT_MAX_CHARS} 字（{len(text)} 字）",
            f"longer than {rules.TEXT_MAX_CHARS} characters ({len(text)})",
        )
    if not text.isprintable() and any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise _Bad("text", "含有控制字符", "contains control characters")
    received = _moment(raw.get("received_at"), values["received_at"], now)
    region = default_region
    if values.get("region"):
        found = regions.get(values["region"])
        if found is None:
            raise _Bad(
                "region",
                f"没有编码为「{values['region']}」的地区，或不在您的管辖范围内",
                f"no region '{values['region']}' within your scope",
            )
        region = found
    serious = _SERIOUS_WORDS.get(values.get("serious", ""))
    if serious is None:
        allowed_zh = "、".join(zh for zh, _ in rules.SERIOUS_REASONS.values())
        allowed_en = ", ".join(en for _, en in rules.SERIOUS_REASONS.values())
        raise _Bad(
            "serious",
            f"「{values['serious']}」不是可识别的违规情形（可填：{allowed_zh}，或留空）",
            f"'{values['serious']}' is not a known violation ({allowed_en}, or empty)",
        )
    key = (
        values.get("key")
        or hashlib.sha256(
            "\x1f".join(
                (reporter.number, sender.number, received.isoformat(), text, region.code)
            ).encode()
        ).hexdigest()
    )
    return reports.NewReport(
        source=SOURCE,
        key=key,
        sender=sender.number,
        text=text,
        received_at=received.astimezone(now.tzinfo),
        region_id=region.id,
        reporter_phone=reporter.number,
        serious_reason=serious or None,
        source_ref=values.get("key") or None,
    )


def import_transfer(
    uow: UnitOfWork,
    path: Path,
    actor: Actor,
    now: datetime,
    lang: str,
    *,
    default_region: str,
    name: str | None = None,
) -> TransferResult:
    """Store the good rows of a 12321 transfer file, report the bad ones; a row stored
    before (same report number, or the same content) is counted as a duplicate."""
    permissions.check_permission("spam.import", actor.role)
    home = reports.region_for(uow, default_region, actor)
    regions = {
        u.code: u
        for u in uow.session.scalars(
            select(OrgUnit).where(OrgUnit.path.startswith(actor.scope, autoescape=True))
        )
    }
    rows = spreadsheet_rows(path)
    header = next(rows, None)
    columns = [_LOOKUP.get(_cell(h).lower()) for h in (header or [])]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        zh = "、".join(COLUMN_WORDS[c][0] for c in missing)
        en = ", ".join(COLUMN_WORDS[c][1] for c in missing)
        raise DomainError(
            "import_file_rejected",
            field="file",
            reason_zh=f"表头缺少列：{zh}",
            reason_en=f"the header lacks the columns: {en}",
        )
    en = lang.startswith("en")
    result = TransferResult()
    drafts: list[reports.NewReport] = []
    keys_seen: dict[str, int] = {}
    for number, cells in enumerate(rows, start=2):
        raw = {c: v for c, v in zip(columns, cells, strict=False) if c is not None}
        values = {c: _cell(v) for c, v in raw.items()}
        if not any(values.values()):
            continue
        result.rows += 1
        try:
            draft = _row_draft(values, raw, regions, home, now)
            first = keys_seen.setdefault(draft.key, number)
            if first != number:
                raise _Bad(
                    "key",
                    f"与第 {first} 行的举报编号重复",
                    f"the same report number as row {first}",
                )
        except _Bad as bad:
            label = COLUMN_WORDS[bad.column][1 if en else 0]
            result.errors.append(RowError(number, bad.column, label, bad.en if en else bad.zh))
            continue
        drafts.append(draft)
    recorded = reports.record_reports(
        uow, drafts, actor, now, action="transfer_imported", note=(name or path.name)[:200]
    )
    result.imported = len(recorded.created)
    result.duplicates = recorded.duplicates
    result.campaigns = recorded.campaigns
    return result


def import_transfer_content(
    uow: UnitOfWork,
    content: bytes,
    filename: str,
    actor: Actor,
    now: datetime,
    lang: str,
    *,
    default_region: str,
) -> TransferResult:
    """``import_transfer`` of an uploaded file's bytes: an .xlsx (a zip) or a UTF-8 CSV."""
    permissions.check_permission("spam.import", actor.role)
    suffix = ".xlsx" if content[:2] == b"PK" else ".csv"
    with tempfile.TemporaryDirectory(prefix="careloop-12321-") as folder:
        path = Path(folder) / f"transfer{suffix}"
        path.write_bytes(content)
        return import_transfer(
            uow, path, actor, now, lang, default_region=default_region, name=filename
        )
