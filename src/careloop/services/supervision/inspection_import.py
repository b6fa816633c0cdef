"""Inspection results from Excel (.xlsx): a row per visit × item, as inspection teams keep
them. All or nothing: every row is checked first and any problem — named by its row and
column, in words — imports nothing, so a file is fixed and imported again, never
half-loaded. ``check_file`` is that check without writing (the import page's preview and
``careloop inspections import --dry-run``); ``import_results`` checks again and writes.

A visit is the rows sharing subject, kind and visit time; it fills the subject's open
planned slot if there is one. A visit already submitted for the same subject, kind and time
is refused (已导入过), so importing the same file again imports nothing twice; imports take
a lock first (PostgreSQL: an advisory lock; SQLite: its BEGIN IMMEDIATE writer) so two
confirmations of one file at once cannot both pass that check.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from careloop.domain.errors import DomainError
from careloop.domain.supervision import checklists as checklist_rules
from careloop.domain.supervision import scoring
from careloop.domain.supervision.checklists import Checklist, ChecklistItem
from careloop.domain.supervision.scoring import ItemResult
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.supervision import checklists
from careloop.services.supervision import inspection_audit as audit
from careloop.services.supervision.inspections import record_visit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Inspection, InspectionSubject, Staff

LOCAL = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 20_000
MAX_BYTES: Final = 2 * 1024 * 1024
"""An .xlsx of 20 000 rows is well under 1 MB; larger is not an inspection file."""
MAX_PARTS: Final = 1_000
MAX_UNPACKED_BYTES: Final = 64 * 1024 * 1024
LOCK_KEY: Final = 0x1A5B_0C70
"""pg_advisory_xact_lock key of imports: one import checks and writes at a time."""
IMPORT_ROLES: Final = ("supervisor", "admin", "unit_lead", "system")
"""Roles that enter other people's results from a file (the inspector sent records their
own visit on the result page instead)."""
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


def column_words(lang: str) -> dict[str, str]:
    """Column → its name as people read it: the template's own headers, then English."""
    t = Translator(lang)
    return {
        "subject": t("insp_file.column.subject"),
        "kind": t("insp_file.column.kind"),
        "visited_at": t("insp_file.column.visited_at"),
        "inspector": t("insp_file.column.inspector"),
        "item": t("insp_file.column.item"),
        "awarded": t("insp_file.column.awarded"),
        "photo": t("insp_file.column.photo"),
        "recording": t("insp_file.column.recording"),
        "timestamp": t("insp_file.column.timestamp"),
        "note": t("insp_file.column.note"),
    }


REQUIRED = ("subject", "visited_at", "item", "awarded")
_LOOKUP = {a.strip().lower(): c for c, aliases in HEADERS.items() for a in aliases}
_KIND_BY_NAME = {zh: code for code, (zh, _) in checklist_rules.INSPECTION_KINDS.items()}


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or a visit's rows, or the file) cannot be imported, in both languages."""

    row: int | None
    """The row number Excel shows; None: the file as a whole."""
    column: str | None
    """The column (a HEADERS key); None: the row or visit as a whole."""
    zh: str
    en: str
    last_row: int | None = None
    """The last row of a visit the problem is about (its first is ``row``)."""

    def reason(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh

    def column_name(self, lang: str) -> str:
        if self.column is None:
            return ""
        return column_words(lang)[self.column]

    def rows(self) -> str:
        """「5」 or 「5–13」 (a visit's rows), empty for the file as a whole."""
        if self.row is None:
            return ""
        if self.last_row is not None and self.last_row != self.row:
            return f"{self.row}–{self.last_row}"
        return str(self.row)

    def line(self) -> str:
        """Both languages on one line (the API's ``errors``): 第 5 行（得分）：… / row 5 …"""
        if self.row is None:
            return f"{self.zh} / {self.en}"
        where_zh = f"第 {self.rows()} 行" + (f"（{self.column_name('zh')}）" if self.column else "")
        where_en = f"row {self.rows()}" + (f" ({self.column_name('en')})" if self.column else "")
        return f"{where_zh}：{self.zh} / {where_en}: {self.en}"


@dataclass(frozen=True)
class VisitPreview:
    """One visit the file would import, as the preview lists it."""

    first_row: int
    last_row: int
    subject_code: str
    subject_name_zh: str
    subject_name_en: str
    kind: str
    visited_at: datetime
    inspector: str
    items: int
    score: float
    compliant: bool

    def subject_name(self, lang: str) -> str:
        return (
            (self.subject_name_en or self.subject_name_zh)
            if lang.startswith("en")
            else (self.subject_name_zh)
        )

    def kind_name(self, lang: str) -> str:
        zh, en = checklist_rules.INSPECTION_KINDS[self.kind]
        return en if lang.startswith("en") else zh


@dataclass
class Preview:
    """What a file would do: the visits it would import, or every problem that stops it."""

    rows: int = 0
    visits: list[VisitPreview] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    fingerprint: str = ""
    """sha256 of the file: the confirmation imports exactly the file previewed."""

    @property
    def importable(self) -> bool:
        return not self.problems and bool(self.visits)


@dataclass
class ImportResult:
    imported: bool
    visits: int = 0
    errors: list[str] = field(default_factory=list)
    """Each problem on one line in both languages (the API's answer)."""
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class _Visit:
    subject: InspectionSubject
    kind: str
    visited_at: datetime
    inspector: Staff | None
    rows: list[int] = field(default_factory=list)
    results: list[ItemResult] = field(default_factory=list)
    row_of_item: dict[str, int] = field(default_factory=dict)


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
    raw = _text(value)
    for pattern in (
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d",
    ):
        try:
            return datetime.strptime(raw, pattern).replace(tzinfo=LOCAL)
        except ValueError:
            continue
    return None


def _file_problem(zh: str, en: str) -> RowProblem:
    return RowProblem(None, None, zh, en)


def _unpacks_safely(content: bytes) -> bool:
    """A workbook's zip, and no decompression bomb: openpyxl trusts the sizes it declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return False
    return (
        any(p.filename == "xl/workbook.xml" for p in parts)
        and len(parts) <= MAX_PARTS
        and sum(p.file_size for p in parts) <= MAX_UNPACKED_BYTES
    )


def read_table(content: bytes) -> tuple[list[RowProblem], list[tuple[int, dict[str, Any]]]]:
    """(problems, rows): the first sheet's rows as column → value, numbered as Excel shows."""
    from openpyxl import load_workbook

    if len(content) > MAX_BYTES:
        return [_file_problem("文件超过 2 MB", "the file is larger than 2 MB")], []
    unreadable = [_file_problem("文件不是有效的 Excel（.xlsx）文件", "not a readable .xlsx file")]
    if not _unpacks_safely(content):
        return unreadable, []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # whatever a damaged workbook raises, the person learns one thing
        return unreadable, []
    try:
        rows = book.worksheets[0].iter_rows(values_only=True, max_col=len(HEADERS) * 2)
        header = next(rows, None)
        if header is None:
            return [_file_problem("文件是空的", "the file is empty")], []
        columns = [_LOOKUP.get(_text(h).lower()) for h in header]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            zh = "、".join(column_words("zh")[c] for c in missing)
            en = ", ".join(column_words("en")[c] for c in missing)
            return [_file_problem(f"缺少列：{zh}", f"missing columns: {en}")], []
        out: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                return [_file_problem(f"最多 {MAX_ROWS} 行", f"at most {MAX_ROWS} rows")], []
            if all(v is None or _text(v) == "" for v in values):
                continue
            out.append((number, {c: v for c, v in zip(columns, values, strict=False) if c}))
        return [], out
    except Exception:
        return unreadable, []
    finally:
        book.close()


def may_import(actor: Actor) -> None:
    """An import enters other people's results: recorders who also plan (IMPORT_ROLES)."""
    audit.require(actor, "inspection.record")
    if actor.role not in IMPORT_ROLES:
        audit.require(actor, "inspection.plan")


def _find_item(checklist: Checklist, given: str) -> ChecklistItem | None:
    return checklist.item(given) or next(
        (i for i in checklist.items if given in (i.name_zh, i.name_en)), None
    )


class _Reader:
    """Reads the rows into visits, collecting every problem rather than stopping at one."""

    def __init__(self, uow: UnitOfWork, actor: Actor, now: datetime) -> None:
        self.uow = uow
        self.now = now
        self.subjects = {
            s.code: s
            for s in uow.session.scalars(
                select(InspectionSubject).where(audit.subject_visible_to(actor))
            )
        }
        self.staff = {
            s.username: s for s in uow.session.scalars(select(Staff).where(Staff.active.is_(True)))
        }
        self.checklists: dict[str, Checklist] = {}
        self.visits: dict[tuple[str, str, datetime], _Visit] = {}
        self.problems: list[RowProblem] = []
        self.refused_rows: set[int] = set()
        self.visit_of_row: dict[int, tuple[str, datetime]] = {}

    def checklist(self, kind: str) -> Checklist:
        if kind not in self.checklists:
            self.checklists[kind] = checklists.checklist(self.uow, kind)
        return self.checklists[kind]

    def bad(self, row: int, column: str, zh: str, en: str) -> None:
        self.problems.append(RowProblem(row, column, zh, en))
        self.refused_rows.add(row)

    def row(self, number: int, row: dict[str, Any]) -> None:
        code = _text(row.get("subject"))
        subject = self.subjects.get(code)
        if subject is None:
            zh, en = (
                (f"未知检查对象「{code}」（不存在或不在您的范围内）", f"unknown subject {code!r}")
                if code
                else ("检查对象编码为空", "no subject code")
            )
            return self.bad(number, "subject", zh, en)
        kind_text = _text(row.get("kind")) or "store_visit"
        kind = _KIND_BY_NAME.get(kind_text, kind_text)
        if kind not in checklist_rules.INSPECTION_KINDS:
            return self.bad(
                number, "kind", f"未知检查类型「{kind_text}」", f"unknown kind {kind_text!r}"
            )
        if checklist_rules.SUBJECT_OF_KIND[kind] != subject.kind:
            zh_kind, en_kind = checklist_rules.INSPECTION_KINDS[kind]
            return self.bad(
                number, "kind",
                f"「{subject.name_zh}」不能做{zh_kind}",
                f"{subject.name_en or subject.code} cannot have a {en_kind.lower()}",
            )  # fmt: skip
        moment = _moment(row.get("visited_at"))
        if moment is None:
            return self.bad(
                number, "visited_at",
                f"「{_text(row.get('visited_at'))}」不是日期时间（如 2026-09-27 10:02）",
                "not a date and time (e.g. 2026-09-27 10:02)",
            )  # fmt: skip
        self.visit_of_row[number] = (code, moment)
        if moment > self.now:
            return self.bad(
                number, "visited_at", "检查时间晚于现在", "the visit time is in the future"
            )
        who = _text(row.get("inspector"))
        inspector = self.staff.get(who) if who else None
        if who and inspector is None:
            return self.bad(
                number, "inspector", f"未知检查人员「{who}」", f"unknown inspector {who!r}"
            )
        checklist = self.checklist(kind)
        item_text = _text(row.get("item"))
        item = _find_item(checklist, item_text)
        if item is None:
            return self.bad(
                number, "item",
                f"检查表中没有检查项「{item_text}」",
                f"no item {item_text!r} on the checklist",
            )  # fmt: skip
        try:
            awarded = float(_text(row.get("awarded")))
            scoring.check_awarded(item, awarded)
        except ValueError:
            return self.bad(
                number, "awarded",
                f"「{item.name_zh}」的得分不是数字",
                f"{item.name_en}: the points are not a number",
            )  # fmt: skip
        except DomainError as exc:  # the rule's own words
            zh, _, en = str(exc.params.get("reason") or exc.message("zh")).partition(" / ")
            return self.bad(number, "awarded", zh, en or zh)
        evidence = {
            k: _text(row.get(k)) for k in ("photo", "recording", "timestamp") if _text(row.get(k))
        }
        for kind_key, ref in evidence.items():
            if len(ref) > scoring.EVIDENCE_MAX_CHARS or not ref.isprintable():
                return self.bad(
                    number, kind_key,
                    f"「{item.name_zh}」的{column_words('zh')[kind_key]}过长或含不可见字符",
                    f"{item.name_en}: {column_words('en')[kind_key]} too long or not plain text",
                )  # fmt: skip
        visit = self.visits.setdefault(
            (code, kind, moment), _Visit(subject, kind, moment, inspector)
        )
        if visit.inspector is None and inspector is not None:
            visit.inspector = inspector
        elif inspector is not None and visit.inspector is not inspector:
            return self.bad(
                number, "inspector",
                "同一次检查（同一对象、类型、时间）的检查人不一致",
                "the rows of one visit name different inspectors",
            )  # fmt: skip
        if item.code in visit.row_of_item:
            return self.bad(
                number, "item",
                f"「{item.name_zh}」在同一次检查中重复（见第 {visit.row_of_item[item.code]} 行）",
                f"{item.name_en} given twice in one visit (see row {visit.row_of_item[item.code]})",
            )  # fmt: skip
        visit.rows.append(number)
        visit.row_of_item[item.code] = number
        note = _text(row.get("note"))[: scoring.NOTE_MAX_CHARS]
        visit.results.append(ItemResult(item.code, awarded, evidence, note))
        return None

    def _lost_a_row(self, visit: _Visit, first: int, last: int) -> bool:
        """A refused row may be one of this visit's items: inside its rows, or naming its
        subject and time. Its item then reads as missing only because of that row's own
        problem, said already."""
        key = (visit.subject.code, visit.visited_at)
        return any(first <= n <= last or self.visit_of_row.get(n) == key for n in self.refused_rows)

    def visit_problems(self, visit: _Visit) -> list[RowProblem]:
        first, last = min(visit.rows), max(visit.rows)
        out = []
        lost = self._lost_a_row(visit, first, last)
        for problem in scoring.missing_for_submit(self.checklist(visit.kind), visit.results):
            row = visit.row_of_item.get(problem.item)
            if row is None and lost:
                continue  # said already, on the refused row
            if row is None:  # the item has no row at all
                out.append(RowProblem(first, "item", problem.zh, problem.en, last))
                continue
            column = next(
                (k for k, (zh, _) in checklist_rules.EVIDENCE_KINDS.items() if zh in problem.zh),
                "awarded",
            )
            out.append(RowProblem(row, column, problem.zh, problem.en))
        done = self.uow.session.scalar(
            select(Inspection.id).where(
                Inspection.subject_id == visit.subject.id,
                Inspection.kind == visit.kind,
                Inspection.status == "submitted",
                Inspection.visited_at == visit.visited_at,
            )
        )
        if done is not None:
            out.append(
                RowProblem(
                    first, None,
                    f"这次检查已导入过（检查记录 {done}），不再重复导入",
                    f"this visit was imported before (inspection {done}); not imported twice",
                    last,
                )
            )  # fmt: skip
        return out

    def preview(self, visit: _Visit) -> VisitPreview:
        scored = scoring.score_visit(self.checklist(visit.kind), visit.results)
        return VisitPreview(
            min(visit.rows), max(visit.rows), visit.subject.code, visit.subject.name_zh,
            visit.subject.name_en, visit.kind, visit.visited_at,
            visit.inspector.username if visit.inspector else "", len(visit.results),
            scored.score, scored.compliant,
        )  # fmt: skip


def _check(
    uow: UnitOfWork, content: bytes, actor: Actor, now: datetime
) -> tuple[Preview, _Reader | None]:
    may_import(actor)
    preview = Preview(fingerprint=hashlib.sha256(content).hexdigest())
    problems, rows = read_table(content)
    preview.rows = len(rows)
    if problems:
        preview.problems = problems
        return preview, None
    if not rows:
        preview.problems = [_file_problem("文件中没有数据行", "no data rows")]
        return preview, None
    reader = _Reader(uow, actor, now)
    for number, row in rows:
        reader.row(number, row)
    for visit in reader.visits.values():
        found = reader.visit_problems(visit)
        reader.problems += found
        checklist = reader.checklist(visit.kind)
        if not found and not scoring.missing_for_submit(checklist, visit.results):
            preview.visits.append(reader.preview(visit))
    preview.problems = sorted(reader.problems, key=lambda p: (p.row or 0, p.column or ""))
    return preview, reader


def check_file(uow: UnitOfWork, content: bytes, actor: Actor, now: datetime) -> Preview:
    """What importing the file now would do, writing nothing."""
    preview, _ = _check(uow, content, actor, now)
    uow.rollback()
    return preview


def _lock(uow: UnitOfWork) -> None:
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def import_results(
    uow: UnitOfWork, content: bytes, actor: Actor, now: datetime, filename: str = ""
) -> ImportResult:
    """Check the file and, when nothing is wrong, record every visit in one unit of work."""
    may_import(actor)
    _lock(uow)
    preview, reader = _check(uow, content, actor, now)
    if preview.problems or reader is None:
        uow.rollback()
        return _refused(preview.problems)
    for visit in reader.visits.values():
        record_visit(
            uow, subject=visit.subject, kind=visit.kind, results=visit.results,
            inspector=visit.inspector, visited_at=visit.visited_at, actor=actor, now=now,
            source="import",
        )  # fmt: skip
    audit.record(
        uow, actor, "import", filename[:60] or "upload", "results_imported", now,
        after={"visits": len(reader.visits), "rows": preview.rows, "file": filename[:100],
               "sha256": preview.fingerprint},
    )  # fmt: skip
    uow.commit()
    return ImportResult(True, visits=len(reader.visits))


def _refused(problems: Sequence[RowProblem]) -> ImportResult:
    return ImportResult(False, errors=[p.line() for p in problems], problems=list(problems))


# --- the template ---------------------------------------------------------------------------


TEMPLATE_COLUMNS: Final = (
    "subject", "kind", "visited_at", "inspector", "item", "awarded",
    "photo", "recording", "timestamp", "note",
)  # fmt: skip


def template_workbook(uow: UnitOfWork, actor: Actor, now: datetime, lang: str = "zh") -> bytes:
    """The file to fill in: Chinese headers and one example row on the first sheet; the
    subject codes in the actor's scope and every checklist item on the second, so a team
    types codes it can import."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    may_import(actor)
    t = Translator(lang)
    en = t.lang == "en"
    subjects = list(
        uow.session.scalars(
            select(InspectionSubject)
            .where(audit.subject_visible_to(actor), InspectionSubject.active.is_(True))
            .order_by(InspectionSubject.region_path, InspectionSubject.code)
        )
    )
    lists = checklists.all_latest(uow)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检查结果"  # the headers and sheet names stay Chinese: the teams' files
    # The headers are the file format the import reads back (HEADERS), not catalogue words.
    sheet.append([HEADERS[c][1] for c in TEMPLATE_COLUMNS])
    store = next((s for s in subjects if s.kind == "store"), subjects[0] if subjects else None)
    kind = next(
        (k for k, s in checklist_rules.SUBJECT_OF_KIND.items() if store and s == store.kind),
        "store_visit",
    )
    example = next(c for c in lists if c.kind == kind).items[0]
    sheet.append([
        store.code if store else t("insp_file.template.subject_code"),
        checklist_rules.INSPECTION_KINDS[kind][0],
        now.astimezone(LOCAL).strftime("%Y-%m-%d 10:00"), actor.username, example.name_zh,
        example.weight,
        "IMG_0412.jpg" if "photo" in example.evidence else None,
        "REC-0928-01" if "recording" in example.evidence else None,
        "10:02-10:19" if "timestamp" in example.evidence else None,
        t("insp_file.template.example_note"),
    ])  # fmt: skip
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (16, 16, 18, 10, 16, 8, 16, 16, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    codes = book.create_sheet("有效代码")
    codes.append(
        ["检查对象编码", "名称", "类型", "", "检查类型", "检查项编码", "检查项", "分值",
         "必检项", "须附佐证"]
    )  # fmt: skip
    left = [
        [s.code, s.name_en if en and s.name_en else s.name_zh,
         checklist_rules.SUBJECT_KINDS[s.kind][1 if en else 0]]
        for s in subjects
    ]  # fmt: skip
    right = [
        [checklist_rules.INSPECTION_KINDS[c.kind][0], i.code, i.name_en if en else i.name_zh,
         i.weight, "是" if i.mandatory else "",
         "、".join(checklist_rules.EVIDENCE_KINDS[e][0] for e in i.evidence)]
        for c in lists
        for i in c.items
    ]  # fmt: skip
    for n in range(max(len(left), len(right))):
        a = left[n] if n < len(left) else ["", "", ""]
        b = right[n] if n < len(right) else ["", "", "", "", "", ""]
        codes.append([*a, "", *b])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
