"""Evidence files of supervision (佐证材料): the photo or PDF a unit uploads for a
rectification task before submitting it for re-inspection, and the photo an inspector takes
on the spot for a checklist item that needs one.

The rules for what may be uploaded are the complaint attachments' (``domain.attachments``:
the kinds, their signatures, the size). The owner's scope and the uploader's right are
checked before the bytes are looked at, so a caller outside the scope learns nothing (404,
as for the task or inspection itself). Each upload is a row of the owner's own audit trail;
each download a security event: a photo of a store or a letter may show a customer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from careloop.domain import attachments as upload_rules
from careloop.domain.errors import InvalidInput, NotFound
from careloop.domain.supervision import rectification as rectification_rules
from careloop.domain.supervision.scoring import ItemResult
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.supervision import checklists, inspections
from careloop.services.supervision import inspection_audit as audit
from careloop.services.supervision.rectification_queries import load_task
from careloop.services.supervision.rectification_trail import record
from careloop.services.supervision.rectification_views import unit_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Inspection, Staff
from careloop.store.models.evidence import EvidenceContent, EvidenceFile
from careloop.store.models.rectification import RectificationTask

OwnerKind = Literal["rectification_task", "inspection"]
TASK: Final = "rectification_task"
INSPECTION: Final = "inspection"
LOCAL: Final = ZoneInfo("Asia/Shanghai")
PHOTO: Final = "photo"
"""The checklist evidence kind a stored image satisfies (``domain.supervision.checklists``)."""


@dataclass(frozen=True)
class EvidenceFileView:
    id: int
    owner_kind: str
    owner_id: int
    item_code: str
    cycle: int
    filename: str
    content_type: str
    size_bytes: int
    size_text: str
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    uploaded_local: str
    """Beijing time, as pages show it."""
    is_image: bool


@dataclass(frozen=True)
class Download:
    view: EvidenceFileView
    content: bytes


def _clean_name(filename: str | None) -> str:
    """The file's own name, without a client's folders (some browsers send them)."""
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]


def _store(
    uow: UnitOfWork,
    owner_kind: str,
    owner_id: int,
    item_code: str,
    cycle: int,
    filename: str,
    data: bytes,
    actor: Actor,
    now: datetime,
    limit: int,
) -> EvidenceFile:
    kind = upload_rules.check_upload(filename, data, limit)
    row = EvidenceFile(
        owner_kind=owner_kind,
        owner_id=owner_id,
        item_code=item_code,
        cycle=cycle,
        filename=filename,
        content_type=kind.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.staff_id,
        uploaded_by=actor.username,
        uploaded_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.add(EvidenceContent(file_id=row.id, content=data))
    return row


def _trail_after(row: EvidenceFile) -> dict[str, object]:
    return {
        "file_id": row.id,
        "filename": row.filename,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        **({"item": row.item_code} if row.item_code else {}),
    }


# --- rectification tasks -----------------------------------------------------------------


def upload_for_task(
    uow: UnitOfWork,
    task_id: int,
    actor: Actor,
    now: datetime,
    filename: str | None,
    data: bytes,
    limit: int = upload_rules.MAX_BYTES,
) -> EvidenceFileView:
    """A file for the task's current round, from someone who may submit it (the owner
    unit's staff, the quality centre) while the unit still owes it; commits."""
    rectification_rules.RECTIFICATION_LIFECYCLE.check_role("submit", actor.role)
    task = load_task(uow, task_id, actor)
    unit = unit_of(uow, task.unit_id)
    rectification_rules.check_owner(
        actor.role, actor.org_path, task.unit_path, (unit.name_zh, unit.name_en)
    )
    rectification_rules.check_transition("submit", task.status, actor.role)
    name = _clean_name(filename)
    row = _store(uow, TASK, task.id, "", task.cycle, name, data, actor, now, limit)
    record(uow, task, actor, "evidence_added", now, after=_trail_after(row), note=name)
    uow.commit()
    return _views(uow, [row])[0]


def task_files(
    uow: UnitOfWork, task_id: int, actor: Actor, *, cycle: int | None = None
) -> list[EvidenceFileView]:
    """The task's files, oldest first (``cycle``: one round's only); 404 outside scope."""
    task = load_task(uow, task_id, actor)
    return _views(uow, _rows(uow, TASK, task.id, cycle))


def files_in_round(uow: UnitOfWork, task: RectificationTask) -> list[EvidenceFile]:
    """The files uploaded in the task's current round: the evidence a submission or the
    re-inspection rests on (a failed round needs new evidence)."""
    return _rows(uow, TASK, task.id, task.cycle)


def evidence_ref_of_files(rows: list[EvidenceFile]) -> str | None:
    """A reference naming the uploaded files, where the unit typed none: the task's record
    then says what the submission rested on."""
    if not rows:
        return None
    names = "、".join(f"#{r.id} {r.filename}" for r in rows)
    return f"evidence-files: {names}"[: rectification_rules.EVIDENCE_REF_MAX_CHARS]


def download_for_task(
    uow: UnitOfWork,
    task_id: int,
    file_id: int,
    actor: Actor,
    now: datetime,
    client: str | None = None,
) -> Download:
    task = load_task(uow, task_id, actor)
    return _download(uow, TASK, task.id, file_id, actor, now, client)


# --- inspections -------------------------------------------------------------------------


def upload_for_inspection(
    uow: UnitOfWork,
    inspection_id: int,
    item_code: str,
    actor: Actor,
    now: datetime,
    filename: str | None,
    data: bytes,
    limit: int = upload_rules.MAX_BYTES,
) -> EvidenceFileView:
    """A photo (or file) for one checklist item of a result not yet submitted, from whoever
    may record the result; commits. An image for an item that needs a photo satisfies it
    when the result is submitted (``with_stored_photos``)."""
    row = inspections.load(uow, inspection_id, actor)
    inspections.require_may_record(row, actor)
    if row.status == "submitted":
        raise InvalidInput("status", "检查结果已提交，不能再上传 / the result is submitted already")
    checklist = checklists.checklist(uow, row.kind, row.checklist_version)
    code = (item_code or "").strip()
    if code not in {i.code for i in checklist.items}:
        raise InvalidInput("item", f"检查项不存在 / no such checklist item '{code[:60]}'")
    name = _clean_name(filename)
    stored = _store(uow, INSPECTION, row.id, code, 1, name, data, actor, now, limit)
    audit.record(
        uow, actor, "inspection", row.id, "evidence_added", now, inspection_id=row.id,
        after=_trail_after(stored), note=name,
    )  # fmt: skip
    uow.commit()
    return _views(uow, [stored])[0]


def inspection_files(uow: UnitOfWork, inspection_id: int, actor: Actor) -> list[EvidenceFileView]:
    row = inspections.load(uow, inspection_id, actor)
    return _views(uow, _rows(uow, INSPECTION, row.id, None))


def with_stored_photos(
    uow: UnitOfWork, inspection: Inspection, results: list[ItemResult]
) -> list[ItemResult]:
    """The results with each item's photo evidence filled from an image uploaded for it,
    where nothing was typed: the stored photo is the evidence the checklist asks for."""
    photos: dict[str, str] = {}
    for r in _rows(uow, INSPECTION, inspection.id, None):
        if r.content_type.startswith("image/"):
            photos.setdefault(r.item_code, f"evidence-file #{r.id} {r.filename}"[:200])
    if not photos:
        return results
    filled = []
    for result in results:
        ref = photos.get(result.code)
        if ref and not (result.evidence.get(PHOTO) or "").strip():
            result = ItemResult(
                result.code, result.awarded, {**result.evidence, PHOTO: ref}, result.note
            )
        filled.append(result)
    return filled


def download_for_inspection(
    uow: UnitOfWork,
    inspection_id: int,
    file_id: int,
    actor: Actor,
    now: datetime,
    client: str | None = None,
) -> Download:
    row = inspections.load(uow, inspection_id, actor)
    return _download(uow, INSPECTION, row.id, file_id, actor, now, client)


# --- shared ------------------------------------------------------------------------------


def _rows(uow: UnitOfWork, kind: str, owner_id: int, cycle: int | None) -> list[EvidenceFile]:
    query = select(EvidenceFile).where(
        EvidenceFile.owner_kind == kind, EvidenceFile.owner_id == owner_id
    )
    if cycle is not None:
        query = query.where(EvidenceFile.cycle == cycle)
    return list(uow.session.scalars(query.order_by(EvidenceFile.id)))


def _views(uow: UnitOfWork, rows: list[EvidenceFile]) -> list[EvidenceFileView]:
    ids = {r.uploaded_by_id for r in rows if r.uploaded_by_id}
    names = {
        staff_id: name
        for staff_id, name in uow.session.execute(
            select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))
        )
    }
    return [
        EvidenceFileView(
            id=r.id,
            owner_kind=r.owner_kind,
            owner_id=r.owner_id,
            item_code=r.item_code,
            cycle=r.cycle,
            filename=r.filename,
            content_type=r.content_type,
            size_bytes=r.size_bytes,
            size_text=upload_rules.size_text(r.size_bytes),
            sha256=r.sha256,
            uploaded_by=names.get(r.uploaded_by_id or 0, r.uploaded_by),
            uploaded_at=r.uploaded_at,
            uploaded_local=r.uploaded_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"),
            is_image=r.content_type.startswith("image/"),
        )
        for r in rows
    ]


def _download(
    uow: UnitOfWork,
    kind: str,
    owner_id: int,
    file_id: int,
    actor: Actor,
    now: datetime,
    client: str | None,
) -> Download:
    """One file of an owner the actor may see (checked by the caller); 404 for a file of
    another owner, as for one that never was. The download is recorded."""
    found = (
        uow.session.scalar(
            select(EvidenceFile).where(
                EvidenceFile.id == file_id,
                EvidenceFile.owner_kind == kind,
                EvidenceFile.owner_id == owner_id,
            )
        )
        if access_scope.is_row_id(file_id)
        else None
    )
    content = uow.session.get(EvidenceContent, found.id) if found is not None else None
    if found is None or content is None:
        raise NotFound("佐证文件 / evidence file", file_id)
    record_security_event(
        uow,
        "evidence_downloaded",
        actor.username,
        now,
        actor.staff_id,
        client,
        {"owner_kind": kind, "owner_id": owner_id, "file": found.id},
    )
    uow.commit()
    return Download(_views(uow, [found])[0], content.content)
