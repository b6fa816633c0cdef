"""Inspection results from Excel (.xlsx): a row per visit × item, as inspection teams keep
them. All or nothing: every row is checked first and any error (named by its row, in
words) imports nothing, so a file is fixed and imported again, never half-loaded.

A visit is the rows sharing subject, kind, visit time and inspector; it fills the
subject's open planned slot if there is one. Importing the same file again is refused
visit by visit (already imported), so nothing counts twice.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from careloop.domain.errors import DomainError
from careloop.domain.supervision import checklists as checklist_rules
from careloop.domain.supervision import scoring
from careloop.domain.supervision.scoring import ItemResult
from careloop.services.access.actors import Actor
from careloop.services.supervision import checklists
from careloop.services.supervision import inspection_audit as audit
from careloop.services.supervision.inspections import record_visit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Inspection, InspectionSubject, Staff

LOCAL = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 20_000
HEADERS: dict[str, tuple[str, ...]] = {
    "subject": ("subject", "检查对象编码", "门店编码", "检查对象"),
    "kind": ("kind", "检查类型"),
    "visited_at": ("visited_at", "检查时间", "检查日期"),
    "inspector": ("inspector", "检查人", "检查人员"),
    "item": ("item", "检查项", "检查项编码"),
    "awarded": ("awarded", "得分"),
    "photo": ("photo", "照片"),
    "recording": ("recording", "录音编号", "录音"),
    "timestamp": ("timestamp", "时间记录"),
    "note": ("note", "说明", "备注"),
}
REQUIRED = ("subject", "visited_at", "item", "awarded")
_LOOKUP = {a.strip().lower(): c for c, aliases in HEADERS.items() for a in aliases}
_KIND_BY_NAME = {zh: code for code, (zh, _) in checklist_rules.INSPECTION_KINDS.items()}


@dataclass
class ImportResult:
    imported: bool
    visits: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Visit:
    subject: InspectionSubject
    kind: str
    visited_at: datetime
    inspector: Staff | None
    rows: list[int] = field(default_factory=list)
    results: list[ItemResult] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _moment(value: Any) -> datetime | None:
    """A visit time: an Excel date or date-time (Beijing time), or text like 2026-09-27 10:02."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=LOCAL) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(9), LOCAL)
    text = _text(value)
    for pattern in (
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d",
    ):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=LOCAL)
        except ValueError:
            continue
    return None


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """(errors, rows): the first sheet's rows as column → value, numbered as Excel shows."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return ["文件不是有效的 Excel（.xlsx）文件 / not a readable .xlsx file"], []
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return ["文件是空的 / the file is empty"], []
    columns = [_LOOKUP.get(_text(h).lower()) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        names = "、".join(HEADERS[c][1] for c in missing)
        return [f"缺少列：{names} / missing columns: {', '.join(missing)}"], []
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            return [f"最多 {MAX_ROWS} 行 / at most {MAX_ROWS} rows"], []
        if all(v is None or _text(v) == "" for v in values):
            continue
        out.append((number, {c: v for c, v in zip(columns, values, strict=False) if c}))
    book.close()
    return [], out


def import_results(
    uow: UnitOfWork, content: bytes, actor: Actor, now: datetime, filename: str = ""
) -> ImportResult:
    audit.require(actor, "inspection.record")
    if actor.role not in ("supervisor", "admin", "unit_lead", "system"):
        audit.require(actor, "inspection.plan")  # an import enters others' results
    errors, rows = read_rows(content)
    if errors:
        return ImportResult(False, errors=errors)
    if not rows:
        return ImportResult(False, errors=["文件中没有数据行 / no data rows"])
    subjects = {
        s.code: s
        for s in uow.session.scalars(
            select(InspectionSubject).where(audit.subject_visible_to(actor))
        )
    }
    staff = {
        s.username: s for s in uow.session.scalars(select(Staff).where(Staff.active.is_(True)))
    }
    visits: dict[tuple[str, str, datetime, str], _Visit] = {}
    for number, row in rows:
        where = f"第 {number} 行"
        code = _text(row.get("subject"))
        subject = subjects.get(code)
        if subject is None:
            errors.append(f"{where}：未知检查对象「{code}」 / row {number}: unknown subject")
            continue
        kind_text = _text(row.get("kind")) or "store_visit"
        kind = _KIND_BY_NAME.get(kind_text, kind_text)
        if kind not in checklist_rules.INSPECTION_KINDS:
            errors.append(f"{where}：未知检查类型「{kind_text}」 / row {number}: unknown kind")
            continue
        moment = _moment(row.get("visited_at"))
        if moment is None or moment > now:
            errors.append(f"{where}：检查时间无效或晚于现在 / row {number}: bad visit time")
            continue
        who = _text(row.get("inspector"))
        inspector = staff.get(who) if who else None
        if who and inspector is None:
            errors.append(f"{where}：未知检查人员「{who}」 / row {number}: unknown inspector")
            continue
        checklist = checklists.checklist(uow, kind)
        item_text = _text(row.get("item"))
        item = checklist.item(item_text) or next(
            (i for i in checklist.items if i.name_zh == item_text), None
        )
        if item is None:
            errors.append(
                f"{where}：检查表中没有检查项「{item_text}」 / row {number}: unknown item"
            )
            continue
        try:
            awarded = float(_text(row.get("awarded")))
            scoring.check_awarded(item, awarded)
        except ValueError:
            errors.append(
                f"{where}：「{item.name_zh}」得分不是数字 / row {number}: points not a number"
            )
            continue
        except DomainError as exc:  # the rule's own words
            errors.append(f"{where}：{exc.message('zh')}")
            continue
        evidence = {
            k: _text(row.get(k)) for k in ("photo", "recording", "timestamp") if _text(row.get(k))
        }
        key = (code, kind, moment, who)
        visit = visits.setdefault(key, _Visit(subject, kind, moment, inspector))
        if any(r.code == item.code for r in visit.results):
            errors.append(
                f"{where}：「{item.name_zh}」在同一次检查中重复 / row {number}: item twice"
            )
            continue
        visit.rows.append(number)
        visit.results.append(ItemResult(item.code, awarded, evidence, _text(row.get("note"))[:500]))
    for visit in visits.values():
        span = f"第 {visit.rows[0]}–{visit.rows[-1]} 行" if visit.rows else ""
        checklist = checklists.checklist(uow, visit.kind)
        problems = scoring.missing_for_submit(checklist, visit.results)
        if problems:
            errors.append(
                f"{span}（{visit.subject.name_zh}）：还不能提交："
                + "；".join(p.zh for p in problems)
            )
        done = uow.session.scalar(
            select(Inspection.id).where(
                Inspection.subject_id == visit.subject.id,
                Inspection.kind == visit.kind,
                Inspection.status == "submitted",
                Inspection.visited_at == visit.visited_at,
            )
        )
        if done is not None:
            errors.append(f"{span}（{visit.subject.name_zh}）：这次检查已导入过（检查记录 {done}）")
    if errors:
        uow.rollback()
        return ImportResult(False, errors=errors)
    for visit in visits.values():
        record_visit(
            uow, subject=visit.subject, kind=visit.kind, results=visit.results,
            inspector=visit.inspector, visited_at=visit.visited_at, actor=actor, now=now,
            source="import",
        )  # fmt: skip
    audit.record(
        uow, actor, "import", filename or "upload", "results_imported", now,
        after={"visits": len(visits), "rows": len(rows), "file": filename[:100]},
    )  # fmt: skip
    uow.commit()
    return ImportResult(True, visits=len(visits))
