"""Every status change of a complaint, one named function each (Zulip's `actions` style).

All of them take one path through the domain's lifecycle table: the role (`load_to_change`),
the version the caller read and the state (`fire`), then the row's change and its event
(`record`), then the commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from careloop.config import Settings
from careloop.domain import callbacks
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.lifecycle.tickets import COMPLAINT_LIFECYCLE as LIFECYCLE
from careloop.domain.lifecycle.tickets import (
    OPEN_STATUSES,
    OPEN_WORK_ORDER_STATUSES,
    Status,
    ensure_replyable,
)
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import audit
from careloop.services.sla.refresh import refresh_changed
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Attachment, Complaint, Note, WorkOrder


def load_complaint(uow: UnitOfWork, complaint_id: int, actor: Actor) -> Complaint:
    """The complaint if it lies within the actor's org scope; 404 otherwise, so that a
    complaint outside the caller's subtree is indistinguishable from a missing one."""
    if not scope.is_row_id(complaint_id):
        raise NotFound("complaint", complaint_id)
    complaint = uow.session.scalar(
        select(Complaint).where(Complaint.id == complaint_id, scope.visible_to(actor))
    )
    if complaint is None:
        raise NotFound("complaint", complaint_id)
    return complaint


def check_version(current: int, expected: int | None) -> None:
    """Optimistic locking: the caller must say which version it read (DESIGN.md)."""
    if expected is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if current != expected:
        raise DomainError("version_conflict", expected=expected, actual=current)


def commit_or_conflict(uow: UnitOfWork, expected: int | None) -> None:
    """Commit the use case; a concurrent writer that got there first turns into a 409.
    The stored clocks of the complaints it changed follow in the same transaction."""
    try:
        refresh_changed(uow)
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=expected, actual="newer") from exc


def load_to_change(uow: UnitOfWork, complaint_id: int, name: str, actor: Actor) -> Complaint:
    """The complaint `actor` means to fire `name` on: the role first, then the scope, so a
    role that may never do this learns nothing about the complaint, not even that it exists."""
    LIFECYCLE.check_role(name, actor.role)
    return load_complaint(uow, complaint_id, actor)


def fire(complaint: Complaint, name: str, actor: Actor, version: int | None) -> Status:
    """The status `name` leads to: the version first, then the state, so a stale reader is
    told to reload, not that the action is illegal in a state they have not seen yet."""
    check_version(complaint.version, version)
    return LIFECYCLE.apply(complaint.status, name, actor.role)


def record(
    uow: UnitOfWork,
    complaint: Complaint,
    name: str,
    actor: Actor,
    now: datetime,
    status: Status,
    note: str | None = None,
    **fields: Any,
) -> None:
    """Move the complaint to `status` with `fields` and append the transition's event."""
    before, after = audit.changes(complaint, status=status, **fields)
    complaint.updated_at = now
    action = LIFECYCLE.audit_action(name)
    uow.session.add(audit.record(complaint, actor, action, now, before, after, note))


def apply_transition(
    uow: UnitOfWork,
    complaint_id: int,
    name: str,
    actor: Actor,
    version: int | None,
    now: datetime,
    note: str | None = None,
    **fields: Any,
) -> Complaint:
    """Fire transition `name` and append its event, without committing yet."""
    complaint = load_to_change(uow, complaint_id, name, actor)
    record(uow, complaint, name, actor, now, fire(complaint, name, actor, version), note, **fields)
    return complaint


def _transition(
    uow: UnitOfWork,
    complaint_id: int,
    name: str,
    actor: Actor,
    version: int | None,
    now: datetime,
    note: str | None = None,
    **fields: Any,
) -> Complaint:
    complaint = apply_transition(uow, complaint_id, name, actor, version, now, note, **fields)
    commit_or_conflict(uow, version)
    return complaint


def handle(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime
) -> Complaint:
    return _transition(uow, complaint_id, "handle", actor, version, now)


def pause(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime, reason: str
) -> Complaint:
    """Waiting on the customer (补充材料, 约定上门): the reply clock stops until resume."""
    reason = LIFECYCLE.clean_field("pause", "reason", reason)
    return _transition(uow, complaint_id, "pause", actor, version, now, note=reason)


def resume(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime
) -> Complaint:
    return _transition(uow, complaint_id, "resume", actor, version, now)


def reply(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime, text: str
) -> Complaint:
    text = LIFECYCLE.clean_field("reply", "text", text)
    complaint = load_to_change(uow, complaint_id, "reply", actor)
    status = fire(complaint, "reply", actor, version)
    open_orders = uow.session.scalar(
        select(func.count())
        .select_from(WorkOrder)
        .where(
            WorkOrder.complaint_id == complaint_id,
            WorkOrder.status.in_([s.value for s in OPEN_WORK_ORDER_STATUSES]),
        )
    )
    ensure_replyable(open_orders or 0)
    # A reply starts a new callback loop: no unreachable attempts yet, nothing scheduled.
    record(
        uow,
        complaint,
        "reply",
        actor,
        now,
        status,
        text,
        reply_text=text,
        replied_at=now,
        callback_attempts=0,
        callback_next_at=None,
    )
    commit_or_conflict(uow, version)
    return complaint


def callback(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    satisfied: bool,
    comment: str | None = None,
) -> Complaint:
    """回访: satisfied closes the complaint; dissatisfied reopens it with the same owner.
    Either way the loop's outcome is kept (`callback_outcome`) until a later one replaces it."""
    name = "callback_satisfied" if satisfied else "reopen"
    note = LIFECYCLE.clean_field(name, "comment", comment)
    complaint = load_to_change(uow, complaint_id, name, actor)
    status = fire(complaint, name, actor, version)
    outcome: dict[str, Any] = (
        {"closed_at": now} if satisfied else {"reopen_count": complaint.reopen_count + 1}
    )
    record(uow, complaint, name, actor, now, status, note, **outcome, **_outcome_fields(name))
    commit_or_conflict(uow, version)
    return complaint


def _outcome_fields(name: str) -> dict[str, Any]:
    """The callback columns the transition `name` that ends a callback loop leaves."""
    outcome = callbacks.OUTCOME_OF_ACTION[name]
    return {
        "callback_outcome": outcome.value,
        "callback_satisfied": callbacks.legacy_satisfied(outcome),
        "callback_next_at": None,
    }


def callback_unreachable(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    comment: str | None = None,
    max_attempts: int | None = None,
) -> Complaint:
    """回访未接通: record one unreachable attempt and schedule the next (domain.callbacks);
    the last attempt allowed (`max_attempts`, default the site's setting) closes the
    complaint as unreachable instead (`close_unreachable`, the caller recorded as its actor).
    An attempt before the scheduled time is refused with that time."""
    name = callbacks.ATTEMPT_ACTION
    note = LIFECYCLE.clean_field(name, "comment", comment)
    rule = callbacks.rule_for(
        Settings.from_env().callback_attempts if max_attempts is None else max_attempts
    )
    complaint = load_to_change(uow, complaint_id, name, actor)
    status = fire(complaint, name, actor, version)
    callbacks.check_attempt_due(complaint.callback_next_at, now)
    attempts = (complaint.callback_attempts or 0) + 1
    if rule.closes(attempts):
        closing = "close_unreachable"
        status = LIFECYCLE.apply(complaint.status, closing, "system")
        fields = {"callback_attempts": attempts, "closed_at": now, **_outcome_fields(closing)}
        record(uow, complaint, closing, actor, now, status, note, **fields)
    else:
        record(
            uow,
            complaint,
            name,
            actor,
            now,
            status,
            note,
            callback_attempts=attempts,
            callback_next_at=rule.next_attempt_at(attempts, now),
        )
    commit_or_conflict(uow, version)
    return complaint


def callback_declined(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    comment: str | None = None,
) -> Complaint:
    """客户拒绝回访: the customer does not want the callback; closed, counted apart."""
    name = "callback_declined"
    note = LIFECYCLE.clean_field(name, "comment", comment)
    return _transition(
        uow, complaint_id, name, actor, version, now, note, closed_at=now, **_outcome_fields(name)
    )


def record_appeal_outcome(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    outcome: str,
    comment: str | None = None,
) -> Complaint:
    """The regulator appeal's outcome (和解 / 不认可 / 知晓) on a complaint the regulator
    transferred, once replied; a later record replaces it, the audit trail keeps both."""
    name = "appeal_outcome"
    code = LIFECYCLE.get(name).field("outcome").choose(outcome)
    note = LIFECYCLE.clean_field(name, "comment", comment)
    complaint = load_to_change(uow, complaint_id, name, actor)
    status = fire(complaint, name, actor, version)
    if not complaint.regulator_transfer:
        raise DomainError("not_regulator_transfer", field="outcome")
    record(uow, complaint, name, actor, now, status, note, appeal_outcome=code)
    commit_or_conflict(uow, version)
    return complaint


def archive(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime
) -> Complaint:
    return _transition(uow, complaint_id, "archive", actor, version, now, archived_at=now)


def cancel(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime, reason: str
) -> Complaint:
    reason = LIFECYCLE.clean_field("cancel", "reason", reason)
    return _transition(uow, complaint_id, "cancel", actor, version, now, note=reason, closed_at=now)


def reject(
    uow: UnitOfWork, complaint_id: int, actor: Actor, version: int, now: datetime, reason: str
) -> Complaint:
    reason = LIFECYCLE.clean_field("reject", "reason", reason)
    return _transition(uow, complaint_id, "reject", actor, version, now, note=reason, closed_at=now)


def _lock_for_merge(uow: UnitOfWork, ids: tuple[int, int]) -> None:
    """Lock both complaints of a merge, lowest id first, before either is read.

    PostgreSQL: SELECT ... FOR UPDATE in one order for every merge, so "A into B" and
    "B into A" at the same moment queue up instead of both reading the other as open
    (which let both succeed: neither carried on, the grievance was dropped); the one that
    waited then reads what the first wrote. SQLite: writers are serialised by BEGIN
    IMMEDIATE (store.database), the clause is left out there.
    """
    uow.session.execute(
        select(Complaint.id).where(Complaint.id.in_(ids)).order_by(Complaint.id).with_for_update()
    ).all()


def merge(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    into_id: int,
    reason: str | None = None,
) -> Complaint:
    """Fold a duplicate into the complaint that carries on; both keep a record of it.

    The one that carries on must itself be open and not merged: no chains (A into B while
    B is already in C) and no cycles (B into A after A into B), so every merged complaint
    points at a complaint someone still works on.
    """
    if into_id == complaint_id:
        raise DomainError("merge_into_self", field="into")
    reason = LIFECYCLE.clean_field("merge", "reason", reason)
    # The role before the locks and the target: a role that may never merge learns nothing.
    LIFECYCLE.check_role("merge", actor.role)
    for ident in (complaint_id, into_id):
        if not scope.is_row_id(ident):
            raise NotFound("complaint", ident)
    _lock_for_merge(uow, (complaint_id, into_id))
    target = uow.session.scalar(
        select(Complaint)
        .where(Complaint.id == into_id, scope.visible_to(actor))
        .execution_options(populate_existing=True)
    )
    if target is None:
        raise NotFound("complaint", into_id)
    if target.status == Status.MERGED:
        raise DomainError("merge_target_merged", field="into", ident=into_id)
    if target.status not in OPEN_STATUSES:
        raise DomainError("merge_target_closed", field="into", ident=into_id)
    merged = apply_transition(
        uow,
        complaint_id,
        "merge",
        actor,
        version,
        now,
        reason,
        merged_into_id=into_id,
        closed_at=now,
    )
    # The target changes too (it takes the merge): its version moves, so a writer that
    # read it before this merge conflicts instead of acting on a stale picture.
    target.updated_at = now
    uow.session.add(
        audit.record(
            target, actor, "merged_in", now, after={"merged_from_id": complaint_id}, note=reason
        )
    )
    commit_or_conflict(uow, version)
    return merged


def add_note(uow: UnitOfWork, complaint_id: int, actor: Actor, now: datetime, text: str) -> Note:
    """Notes don't change the complaint, so they need no version: two people may both write."""
    text = LIFECYCLE.clean_field("note", "text", text)
    complaint = load_to_change(uow, complaint_id, "note", actor)
    LIFECYCLE.check(complaint.status, "note", actor.role)
    note = Note(
        complaint_id=complaint_id,
        author_id=actor.staff_id,
        author=actor.username,
        at=now,
        text=text,
    )
    uow.session.add(note)
    uow.session.add(audit.record(complaint, actor, LIFECYCLE.audit_action("note"), now, note=text))
    uow.commit()
    return note


def add_attachment(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    now: datetime,
    filename: str,
    content_type: str,
    size_bytes: int,
    sha256: str | None = None,
    storage_ref: str | None = None,
) -> Attachment:
    complaint = load_to_change(uow, complaint_id, "attach", actor)
    LIFECYCLE.check(complaint.status, "attach", actor.role)
    attachment = Attachment(
        complaint_id=complaint_id,
        filename=LIFECYCLE.clean_field("attach", "filename", filename),
        content_type=LIFECYCLE.clean_field("attach", "content_type", content_type),
        size_bytes=size_bytes,
        sha256=sha256,
        storage_ref=LIFECYCLE.clean_field("attach", "storage_ref", storage_ref),
        uploaded_by=actor.username,
        at=now,
    )
    uow.session.add(attachment)
    uow.session.flush()
    uow.session.add(
        audit.record(
            complaint,
            actor,
            LIFECYCLE.audit_action("attach"),
            now,
            after={
                "attachment_id": attachment.id,
                "filename": attachment.filename,
                "size_bytes": size_bytes,
            },
        )
    )
    uow.commit()
    return attachment
