"""Entering an inspection's result: a draft saved item by item, a submit that checks the
evidence, scores against the checklist version and opens a rectification task per failed
item (督促整改); each step one audit row.

Updates carry the version read (optimistic locking): two people on one visit conflict with
409 rather than overwrite each other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from careloop.domain import privacy
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.supervision import checklists as checklist_rules
from careloop.domain.supervision import scoring
from careloop.domain.supervision.checklists import Checklist
from careloop.domain.supervision.scoring import ItemResult
from careloop.domain.time_bounds import instant
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.supervision import checklists
from careloop.services.supervision import inspection_audit as audit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Inspection, InspectionEvent, InspectionSubject, Staff

log = logging.getLogger("careloop.supervision.inspections")
LOCAL = ZoneInfo("Asia/Shanghai")
STATUSES: dict[str, tuple[str, str]] = {
    "planned": ("待检查", "planned"),
    "draft": ("草稿", "draft"),
    "submitted": ("已提交", "submitted"),
}


@dataclass(frozen=True)
class ItemView:
    code: str
    name: str
    weight: float
    mandatory: bool
    evidence_needed: tuple[str, ...]
    guidance: str
    awarded: float | None
    evidence: dict[str, str]
    note: str
    failed: bool | None


@dataclass(frozen=True)
class InspectionView:
    id: int
    version: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    subject_code: str
    subject_name: str
    region_path: str
    inspector: str | None
    inspector_name: str | None
    due_on: date
    overdue: bool
    checklist_version: int | None
    score: float | None
    compliant: bool | None
    failed_items: tuple[str, ...]
    visited_at: datetime | None
    submitted_at: datetime | None
    source: str
    plan_id: int | None


@dataclass(frozen=True)
class InspectionDetail:
    inspection: InspectionView
    checklist_name: str
    pass_mark: float
    items: tuple[ItemView, ...]
    trail: tuple[dict[str, Any], ...]


def not_found(inspection_id: object) -> NotFound:
    return NotFound("检查记录", inspection_id)


def _label(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang.startswith("en") else pair[0]


def view_of(
    row: Inspection,
    subject: InspectionSubject,
    staff: Staff | None,
    lang: str,
    today: date | None = None,
) -> InspectionView:
    return InspectionView(
        id=row.id,
        version=row.version,
        kind=row.kind,
        kind_label=_label(checklist_rules.INSPECTION_KINDS[row.kind], lang),
        status=row.status,
        status_label=_label(STATUSES[row.status], lang),
        subject_code=subject.code,
        subject_name=subject.name_en if lang.startswith("en") else subject.name_zh,
        region_path=row.region_path,
        inspector=staff.username if staff else None,
        inspector_name=staff.display_name if staff else None,
        due_on=row.due_on,
        overdue=today is not None and row.status != "submitted" and row.due_on < today,
        checklist_version=row.checklist_version,
        score=row.score,
        compliant=row.compliant,
        failed_items=tuple(row.failed_items or ()),
        visited_at=row.visited_at,
        submitted_at=row.submitted_at,
        source=row.source,
        plan_id=row.plan_id,
    )


def load(uow: UnitOfWork, inspection_id: int, actor: Actor) -> Inspection:
    """The inspection if the reader may see it; 404 otherwise (never 403)."""
    audit.require(actor, "inspection.read")
    if not access_scope.is_row_id(inspection_id):
        raise not_found(inspection_id)
    row = uow.session.scalar(
        select(Inspection).where(Inspection.id == inspection_id, audit.inspection_visible_to(actor))
    )
    if row is None:
        raise not_found(inspection_id)
    return row


def list_inspections(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    *,
    mine: bool = False,
    status: str | None = None,
    kind: str | None = None,
    subject: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[InspectionView]]:
    audit.require(actor, "inspection.read")
    query = (
        select(Inspection, InspectionSubject, Staff)
        .join(InspectionSubject, InspectionSubject.id == Inspection.subject_id)
        .outerjoin(Staff, Staff.id == Inspection.inspector_id)
        .where(audit.inspection_visible_to(actor))
    )
    if mine:
        query = query.where(Inspection.inspector_id == (actor.staff_id or -1))
    if status:
        query = query.where(Inspection.status == status)
    if kind:
        query = query.where(Inspection.kind == kind)
    if subject:
        query = query.where(InspectionSubject.code == subject)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (
        (Inspection.due_on, Inspection.id)
        if mine or status in ("planned", "draft")
        else (Inspection.due_on.desc(), Inspection.id.desc())
    )
    rows = uow.session.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    today = now.astimezone(LOCAL).date()
    return total, [view_of(i, s, st, lang, today) for i, s, st in rows]


def _results_of(row: Inspection) -> list[ItemResult]:
    return [
        ItemResult(
            str(r["code"]),
            None if r.get("awarded") is None else float(r["awarded"]),
            dict(r.get("evidence") or {}),
            str(r.get("note") or ""),
        )
        for r in row.results or []
    ]


def _said(text: str, unmasked: bool) -> str:
    return privacy.shown(text, "text", unmasked=unmasked) or ""


def _items(
    checklist: Checklist, results: Sequence[ItemResult], lang: str, *, unmasked: bool = True
) -> tuple[ItemView, ...]:
    """The checklist's items with what was recorded; evidence and notes are free text that
    may quote a customer, so they are masked for readers without the right."""
    given = {r.code: r for r in results}
    out = []
    for item in checklist.items:
        r = given.get(item.code)
        awarded = r.awarded if r else None
        out.append(
            ItemView(
                code=item.code,
                name=item.name(lang),
                weight=item.weight,
                mandatory=item.mandatory,
                evidence_needed=item.evidence,
                guidance=item.guidance_zh,
                awarded=awarded,
                evidence=(
                    {
                        k: privacy.shown(v, "text", unmasked=unmasked) or ""
                        for k, v in r.evidence.items()
                    }
                    if r
                    else {}
                ),
                note=_said(r.note, unmasked) if r else "",
                failed=None if awarded is None else scoring.item_failed(item, awarded),
            )
        )
    return tuple(out)


def detail(
    uow: UnitOfWork, inspection_id: int, actor: Actor, lang: str, now: datetime
) -> InspectionDetail:
    row = load(uow, inspection_id, actor)
    subject = uow.session.get(InspectionSubject, row.subject_id)
    assert subject is not None
    staff = uow.session.get(Staff, row.inspector_id) if row.inspector_id else None
    checklist = checklists.checklist(uow, row.kind, row.checklist_version)
    # The inspector sent reads (and edits) their own notes as typed; others per their role.
    unmasked = privacy.may_see_personal_data(
        actor.role, owns=row.inspector_id is not None and row.inspector_id == actor.staff_id
    )
    trail = tuple(
        {
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "after": e.after,
            "note": privacy.shown(e.note, "text", unmasked=unmasked),
        }
        for e in uow.session.scalars(
            select(InspectionEvent)
            .where(InspectionEvent.inspection_id == row.id)
            .order_by(InspectionEvent.id)
        )
    )
    return InspectionDetail(
        view_of(row, subject, staff, lang, now.astimezone(LOCAL).date()),
        checklist.name(lang),
        checklist.pass_mark,
        _items(checklist, _results_of(row), lang, unmasked=unmasked),
        trail,
    )


def require_may_record(row: Inspection, actor: Actor) -> None:
    """The inspector sent records the result; supervisors and admins may for anyone (an
    inspector's notes typed in by the office), within their scope."""
    audit.require(actor, "inspection.record")
    if row.inspector_id is not None and row.inspector_id == actor.staff_id:
        return
    if actor.role in ("supervisor", "admin", "system"):
        return
    raise DomainError("role_not_allowed", role=actor.role, action="record another's inspection")


def _as_json(results: Sequence[ItemResult]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "awarded": r.awarded,
            "evidence": {k: v.strip() for k, v in r.evidence.items() if v and v.strip()},
            "note": r.note,
        }
        for r in results
    ]


def _merge(old: Sequence[ItemResult], new: Sequence[ItemResult]) -> list[ItemResult]:
    """A draft saved item by item: what is sent replaces that item, the rest stays."""
    merged = {r.code: r for r in old}
    merged.update({r.code: r for r in new})
    return list(merged.values())


def _check_version(row: Inspection, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if row.version != version:
        raise DomainError("version_conflict", expected=version, actual=row.version)


def _commit(uow: UnitOfWork, version: int) -> None:
    try:
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=version, actual="newer") from exc


def _visited(visited_at: datetime | None, now: datetime) -> datetime | None:
    if visited_at is None:
        return None
    moment = instant("visited_at", visited_at)
    if moment > now:
        raise InvalidInput(
            "visited_at", "检查时间不能晚于当前时间 / the visit cannot lie in the future"
        )
    return moment


def save_draft(
    uow: UnitOfWork,
    inspection_id: int,
    results: Sequence[ItemResult],
    version: int,
    actor: Actor,
    now: datetime,
    visited_at: datetime | None = None,
) -> Inspection:
    row = load(uow, inspection_id, actor)
    require_may_record(row, actor)
    _check_version(row, version)
    if row.status == "submitted":
        raise InvalidInput("status", "检查结果已提交，不能再修改 / the result is submitted already")
    checklist = checklists.checklist(uow, row.kind, row.checklist_version)
    scoring.check_results(checklist, results)
    merged = _merge(_results_of(row), results)
    row.results = _as_json(merged)
    row.checklist_version = checklist.version
    row.visited_at = _visited(visited_at, now) or row.visited_at
    row.status = "draft"
    row.updated_at = now
    audit.record(
        uow, actor, "inspection", row.id, "draft_saved", now, inspection_id=row.id,
        after={"items": [r.code for r in results], "answered": sum(
            1 for r in merged if r.awarded is not None)},
    )  # fmt: skip
    _commit(uow, version)
    return row


class EvidenceMissing(DomainError):
    """Submit refused: items not scored or evidence not referenced (422), each named."""

    def __init__(self, problems: Sequence[scoring.Problem]) -> None:
        self.problems = list(problems)
        super().__init__("invalid_input", field="items", reason="")

    def message(self, lang: str = "zh") -> str:
        if lang.startswith("en"):
            return "Cannot submit yet: " + "; ".join(p.en for p in self.problems)
        return "还不能提交：" + "；".join(p.zh for p in self.problems)


def _score_and_close(
    uow: UnitOfWork,
    row: Inspection,
    checklist: Checklist,
    results: Sequence[ItemResult],
    actor: Actor,
    now: datetime,
    visited_at: datetime | None,
) -> scoring.VisitScore:
    problems = scoring.missing_for_submit(checklist, results)
    if problems:
        raise EvidenceMissing(problems)
    verdict = scoring.score_visit(checklist, results)
    checklists.keep_version(uow, checklist, now)
    row.results = _as_json(results)
    row.checklist_version = checklist.version
    row.visited_at = visited_at or row.visited_at or now
    row.submitted_at = now
    row.status = "submitted"
    row.score = verdict.score
    row.compliant = verdict.compliant
    row.failed_items = list(verdict.failed_items)
    row.updated_at = now
    audit.record(
        uow, actor, "inspection", row.id, "submitted", now, inspection_id=row.id,
        after={"score": verdict.score, "compliant": verdict.compliant,
               "failed_items": list(verdict.failed_items),
               "checklist": f"{checklist.kind} v{checklist.version}"},
    )  # fmt: skip
    return verdict


def submit(
    uow: UnitOfWork,
    inspection_id: int,
    results: Sequence[ItemResult],
    version: int,
    actor: Actor,
    now: datetime,
    visited_at: datetime | None = None,
) -> Inspection:
    """Submit: every item scored, every required evidence referenced, then scored against
    the checklist version and closed; failed items become rectification tasks."""
    row = load(uow, inspection_id, actor)
    require_may_record(row, actor)
    _check_version(row, version)
    if row.status == "submitted":
        raise InvalidInput("status", "检查结果已提交 / the result is submitted already")
    checklist = checklists.checklist(uow, row.kind, row.checklist_version)
    scoring.check_results(checklist, results)
    merged = _merge(_results_of(row), results)
    # A photo uploaded for an item is the photo evidence its checklist asks for.
    from careloop.services.supervision.evidence_files import with_stored_photos

    merged = with_stored_photos(uow, row, merged)
    verdict = _score_and_close(uow, row, checklist, merged, actor, now, _visited(visited_at, now))
    uow.session.flush()
    open_findings(uow, row, checklist, verdict, now)
    _commit(uow, version)
    return row


def record_visit(
    uow: UnitOfWork,
    *,
    subject: InspectionSubject,
    kind: str,
    results: Sequence[ItemResult],
    inspector: Staff | None,
    visited_at: datetime,
    actor: Actor,
    now: datetime,
    source: str,
) -> Inspection:
    """A finished visit entered at once (an Excel row group, the demo): fills the subject's
    open planned slot of that kind if there is one, else a visit of its own. The caller
    commits (an import commits all its visits or none)."""
    checklist = checklists.checklist(uow, kind)
    scoring.check_results(checklist, results)
    row = uow.session.scalar(
        select(Inspection)
        .where(
            Inspection.subject_id == subject.id,
            Inspection.kind == kind,
            Inspection.status.in_(("planned", "draft")),
        )
        .order_by(Inspection.due_on)
        .limit(1)
    )
    if row is None:
        row = Inspection(
            version=1,
            plan_id=None,
            kind=kind,
            subject_id=subject.id,
            region_path=subject.region_path,
            inspector_id=inspector.id if inspector else None,
            due_on=visited_at.astimezone(LOCAL).date(),
            status="planned",
            checklist_version=None,
            results=[],
            failed_items=[],
            source=source,
            created_at=now,
            updated_at=now,
        )
        uow.session.add(row)
        uow.session.flush()
    row.source = source
    verdict = _score_and_close(uow, row, checklist, results, actor, now, visited_at)
    uow.session.flush()
    open_findings(uow, row, checklist, verdict, now)
    return row


# --- the seam to the rectification loop ----------------------------------------------------


def open_findings(
    uow: UnitOfWork,
    row: Inspection,
    checklist: Checklist,
    verdict: scoring.VisitScore,
    now: datetime,
) -> int:
    """督促整改: one rectification task per failed item, owned by the subject's unit, in
    this unit of work (``services.supervision.rectification.open_rectification``, idempotent
    per inspection and item). Opened by the system on the inspection's behalf: the inspector
    sent from another county may not act on this county's units."""
    if not verdict.failed_items:
        return 0
    try:
        from careloop.services.supervision.rectification import FindingRef, open_rectification
    except ImportError:  # pragma: no cover - the rectification loop not installed
        log.warning("no rectification service: %d finding(s) not opened", len(verdict.failed_items))
        return 0

    subject = uow.session.get(InspectionSubject, row.subject_id)
    assert subject is not None
    opened = 0
    for code in verdict.failed_items:
        item = checklist.item(code)
        assert item is not None
        awarded = next(v.awarded for v in verdict.items if v.code == code)
        must = "（必检项，一票否决）" if item.mandatory else ""
        open_rectification(
            uow,
            source=FindingRef("inspection", row.id, code),
            unit_id=subject.unit_id,
            title=f"{subject.name_zh}：{item.name_zh}不达标"[:60],
            detail=(
                f"{checklist_rules.INSPECTION_KINDS[row.kind][0]}（检查记录 {row.id}）"
                f"「{item.name_zh}」得 {awarded:g} 分，满分 {item.weight:g} 分{must}；"
                f"本次总分 {verdict.score:g}，达标线 {verdict.pass_mark:g}。"
            ),
            actor=SYSTEM,
            now=now,
        )
        opened += 1
    return opened
