"""Working a task: start, submit for re-inspection with evidence (提交复查), the re-inspection
confirming (销号) or failing it (a new round), notes. Each commits its own unit of work with
optimistic locking on the version the reader saw."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.supervision import rectification as rules
from careloop.domain.supervision.rectification import RectificationStatus as Status
from careloop.services.access.actors import Actor
from careloop.services.supervision import evidence_files
from careloop.services.supervision.rectification_policies import business_calendar
from careloop.services.supervision.rectification_queries import get_task, load_task
from careloop.services.supervision.rectification_trail import iso, record
from careloop.services.supervision.rectification_views import RectificationView, limit_of, unit_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.rectification import (
    RectificationTask,
)


def _check_version(task: RectificationTask, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if task.version != version:
        raise DomainError("version_conflict", expected=version, actual=task.version)


def _commit(uow: UnitOfWork, version: int) -> None:
    try:
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=version, actual="newer") from exc


def _begin(
    uow: UnitOfWork, task_id: int, name: str, actor: Actor, version: int | None
) -> RectificationTask:
    """Role first (nothing about the task is read for a refusal), then scope, version and
    state."""
    rules.RECTIFICATION_LIFECYCLE.check_role(name, actor.role)
    task = load_task(uow, task_id, actor)
    if name not in ("confirm", "fail"):
        unit = unit_of(uow, task.unit_id)
        rules.check_owner(actor.role, actor.org_path, task.unit_path, (unit.name_zh, unit.name_en))
    _check_version(task, version)
    rules.check_transition(name, task.status, actor.role)
    return task


def _done(
    uow: UnitOfWork, task: RectificationTask, actor: Actor, version: int, lang: str, now: datetime
) -> RectificationView:
    _commit(uow, version)
    return get_task(uow, task.id, actor, lang, now)


def start_task(
    uow: UnitOfWork, task_id: int, actor: Actor, version: int, now: datetime, lang: str = "zh"
) -> RectificationView:
    """开始整改: the unit has taken it on (the deadline keeps running)."""
    task = _begin(uow, task_id, "start", actor, version)
    before = task.status
    task.status = Status.IN_PROGRESS.value
    task.updated_at = now
    record(uow, task, actor, "start", now, {"status": before}, {"status": task.status})
    return _done(uow, task, actor, version, lang, now)


def submit_task(
    uow: UnitOfWork,
    task_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    actions_taken: str | None,
    evidence_ref: str | None = None,
    evidence_text: str | None = None,
    lang: str = "zh",
) -> RectificationView:
    """提交复查: the unit says what it did and shows evidence (a reference, a written
    account, or a file uploaded in this round: ``evidence_files``); without any it is
    refused (rectification_evidence_required). Stops the round's clock."""
    task = _begin(uow, task_id, "submit", actor, version)
    lifecycle = rules.RECTIFICATION_LIFECYCLE
    ref = lifecycle.clean_field("submit", "evidence_ref", evidence_ref)
    text = lifecycle.clean_field("submit", "evidence_text", evidence_text)
    # A file uploaded in this round is evidence too; the record then names it.
    ref = ref or evidence_files.evidence_ref_of_files(evidence_files.files_in_round(uow, task))
    rules.check_evidence(rules.Evidence(ref, text))
    actions = lifecycle.clean_field("submit", "actions_taken", actions_taken)
    before = task.status
    task.status = Status.SUBMITTED.value
    task.actions_taken = actions
    task.evidence_ref = ref
    task.evidence_text = text
    task.submitted_at = now
    task.updated_at = now
    late = now > task.due_at
    record(
        uow,
        task,
        actor,
        "submit",
        now,
        {"status": before},
        {"status": task.status, "evidence_ref": ref, "late": late},
        note=actions,
    )
    return _done(uow, task, actor, version, lang, now)


def confirm_task(
    uow: UnitOfWork,
    task_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    note: str | None = None,
    lang: str = "zh",
) -> RectificationView:
    """复查通过，销号: the re-inspection confirms the rectification; closed."""
    task = _begin(uow, task_id, "confirm", actor, version)
    # Defence in depth: whatever path led here, nothing closes without evidence.
    rules.check_evidence(rules.Evidence(task.evidence_ref, task.evidence_text))
    note = rules.RECTIFICATION_LIFECYCLE.clean_field("confirm", "note", note)
    task.status = Status.CLOSED.value
    task.check_note = note
    task.closed_at = now
    task.updated_at = now
    record(
        uow,
        task,
        actor,
        "confirm",
        now,
        {"status": Status.SUBMITTED.value},
        {"status": task.status, "cycles": task.cycle},
        note=note,
    )
    return _done(uow, task, actor, version, lang, now)


def fail_task(
    uow: UnitOfWork,
    task_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    reason: str | None,
    lang: str = "zh",
) -> RectificationView:
    """复查不通过: back to the unit for a new round, its deadline counted again from now
    by the limit the task was opened with; escalations start afresh for the round."""
    task = _begin(uow, task_id, "fail", actor, version)
    reason = rules.RECTIFICATION_LIFECYCLE.clean_field("fail", "reason", reason)
    policy = rules.RectificationPolicy(
        task.source_kind, limit_of(task), task.warn_share, tuple(task.escalation)
    )
    due = rules.deadline(now, policy, business_calendar(uow))
    before = {"status": task.status, "cycle": task.cycle, "due_at": iso(task.due_at)}
    task.status = Status.REOPENED.value
    task.cycle += 1
    task.cycle_started_at = now
    task.due_at = due
    task.escalation_level = 0
    task.escalated_to_unit_id = None
    task.submitted_at = None
    task.check_note = reason
    task.updated_at = now
    record(
        uow,
        task,
        actor,
        "fail",
        now,
        before,
        {"status": task.status, "cycle": task.cycle, "due_at": iso(due)},
        note=reason,
    )
    return _done(uow, task, actor, version, lang, now)


def note_task(
    uow: UnitOfWork,
    task_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    text: str | None,
    lang: str = "zh",
) -> RectificationView:
    task = _begin(uow, task_id, "note", actor, version)
    cleaned = rules.RECTIFICATION_LIFECYCLE.clean_field("note", "text", text)
    task.updated_at = now
    record(uow, task, actor, "note", now, note=cleaned)
    return _done(uow, task, actor, version, lang, now)


TRANSITIONS = {
    "start": start_task,
    "submit": submit_task,
    "confirm": confirm_task,
    "fail": fail_task,
    "note": note_task,
}
