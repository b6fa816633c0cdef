"""Rectification tasks (督促整改): open from a finding, work, submit with evidence, re-inspect,
escalate when late. Every step is a transition of ``domain.supervision.rectification``,
one row of the task's audit trail and (for the ones others hang on) a domain event
published after the commit.

``open_rectification`` is the seam the other supervision parts call (an inspection's failed
item, a dial test, a social supervisor's failed observation): it joins the caller's unit of
work and the caller commits. The other use cases commit their own unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from careloop.domain import events as domain_events
from careloop.domain import privacy
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.events import DomainEvent
from careloop.domain.permissions import check_permission, in_scope
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import ClockState, limit_from_terms
from careloop.domain.supervision import rectification as rules
from careloop.domain.supervision.rectification import RectificationStatus as Status
from careloop.domain.text import clean_text, required_text
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.access.auth import record_security_event
from careloop.services.sla.calendar import calendar_data, calendar_for
from careloop.services.sla.clocks import LOCAL_TIME, local_due
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Notification, OrgUnit, Staff
from careloop.store.models.rectification import (
    RectificationAlert,
    RectificationEvent,
    RectificationPolicyRow,
    RectificationTask,
)

log = logging.getLogger("careloop.supervision.rectification")


@dataclass(frozen=True)
class FindingRef:
    """What a task (or a responsibility case) came from."""

    kind: str
    """inspection | dial_test | social_supervision | complaint | rectification"""
    id: int
    """The source record's id."""
    item: str = ""
    """The checklist item's code, if any."""


@dataclass(frozen=True)
class UnitView:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ActionView:
    name: str
    label: str


@dataclass(frozen=True)
class RectificationView:
    """A task as channels show it: words for codes, Beijing time beside UTC."""

    id: int
    number: str
    version: int
    source_kind: str
    source_label: str
    source_id: int
    source_item: str
    unit: UnitView
    title: str
    detail: str
    status: str
    status_label: str
    cycle: int
    opened_at: datetime
    due_at: datetime
    due_local: str
    remaining: str
    """剩余 … / 超时 … / 按时提交 (words, the reader's language)."""
    overdue: bool
    limit: str
    """The limit in words (5 个工作日（…）)."""
    escalation_level: int
    escalated_to: UnitView | None
    actions_taken: str | None
    evidence_ref: str | None
    evidence_text: str | None
    submitted_at: datetime | None
    check_note: str | None
    closed_at: datetime | None
    allowed: tuple[ActionView, ...]
    """What the reader may do now, in table order (pages offer exactly these)."""


@dataclass(frozen=True)
class RectificationEventView:
    at: datetime
    at_local: str
    actor: str
    action: str
    action_label: str
    cycle: int
    note: str | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class PolicyView:
    source_kind: str
    source_label: str
    limits: dict[str, Any]
    limit: str
    warn_share: float
    escalation: list[dict[str, Any]]
    configured: bool
    """False: the seeded default holds."""


# --- policies ----------------------------------------------------------------------------


def policy_for(uow: UnitOfWork, source_kind: str) -> rules.RectificationPolicy:
    """The limit for findings of ``source_kind``: the operator's, else the seeded one."""
    row = uow.session.get(RectificationPolicyRow, source_kind)
    if row is None:
        return rules.DEFAULT_POLICIES[source_kind]
    return rules.policy_from_terms(source_kind, row.limits, row.warn_share, row.escalation)


def list_policies(uow: UnitOfWork, lang: str) -> list[PolicyView]:
    rows = {r.source_kind: r for r in uow.session.scalars(select(RectificationPolicyRow))}
    return [_policy_view(policy_for(uow, kind), kind in rows, lang) for kind in rules.SOURCE_KINDS]


def _policy_view(policy: rules.RectificationPolicy, configured: bool, lang: str) -> PolicyView:
    return PolicyView(
        policy.source_kind,
        rules.source_label(policy.source_kind, lang),
        policy.limit.as_terms(),
        policy.limit.describe("en" if lang.startswith("en") else "zh"),
        policy.warn_share,
        [dict(s) for s in policy.escalation],
        configured,
    )


def set_policy(
    uow: UnitOfWork,
    source_kind: str,
    limits: dict[str, Any],
    actor: Actor,
    now: datetime,
    *,
    warn_share: float = 0.8,
    escalation: Sequence[dict[str, Any]] | None = None,
    lang: str = "zh",
) -> PolicyView:
    """Set the limit for one source kind (audited); open tasks keep the deadline they got."""
    check_permission("rectification.policy", actor.role)
    policy = rules.policy_from_terms(source_kind, limits, warn_share, escalation)
    row = uow.session.get(RectificationPolicyRow, source_kind)
    if row is None:
        row = RectificationPolicyRow(source_kind=source_kind)
        uow.session.add(row)
    row.limits = policy.limit.as_terms()
    row.warn_share = policy.warn_share
    row.escalation = [dict(s) for s in policy.escalation]
    row.updated_at = now
    row.updated_by = actor.username
    record_security_event(
        uow,
        "rectification_policy_set",
        actor.username,
        now,
        staff_id=actor.staff_id,
        detail={"source_kind": source_kind, "limits": row.limits, "escalation": row.escalation},
    )
    uow.commit()
    return _policy_view(policy, True, lang)


def business_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The operator's working calendar (holidays, make-up days) with office hours: the one
    the SLA clocks count working days on."""
    return calendar_for(calendar_data(uow), None)


# --- reading, within scope ---------------------------------------------------------------


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on tasks: the owner unit lies within the actor's scope (a city sees its
    counties' tasks, the province everything, the next county nothing)."""
    if actor.scope == "/":
        return true()
    return RectificationTask.unit_path.startswith(actor.scope, autoescape=True)


def _check_reader(actor: Actor) -> None:
    if actor.role not in rules.READER_ROLES | {"system"}:
        raise DomainError("role_not_allowed", role=actor.role, action="read rectification tasks")


def load_task(uow: UnitOfWork, task_id: int, actor: Actor) -> RectificationTask:
    """The task if the actor may see it; 404 otherwise (never 403: it does not exist for
    someone outside its scope)."""
    if not access_scope.is_row_id(task_id):
        raise rules.not_found(task_id)
    found = uow.session.scalar(
        select(RectificationTask).where(RectificationTask.id == task_id, visible_to(actor))
    )
    if found is None:
        raise rules.not_found(task_id)
    return found


def _unit(uow: UnitOfWork, unit_id: int) -> OrgUnit:
    unit = uow.session.get(OrgUnit, unit_id)
    assert unit is not None
    return unit


def _unit_view(unit: OrgUnit, lang: str) -> UnitView:
    return UnitView(unit.id, unit.code, unit.name_en if lang.startswith("en") else unit.name_zh)


def _limit(task: RectificationTask) -> Any:
    return limit_from_terms(task.limit_terms)


def task_clock(task: RectificationTask, calendar: WorkingCalendar, now: datetime) -> ClockState:
    """The round's clock: from the round's start, stopped when it was submitted."""
    submitted = task.submitted_at if task.status in (Status.SUBMITTED, Status.CLOSED) else None
    moment = max(now, task.cycle_started_at)
    if submitted is not None:
        moment = max(moment, submitted)
    return rules.clock(
        task.cycle_started_at,
        _limit(task),
        calendar,
        moment,
        submitted_at=submitted,
        warn_share=task.warn_share,
    )


def view_of(
    uow: UnitOfWork,
    task: RectificationTask,
    actor: Actor,
    lang: str,
    now: datetime,
    calendar: WorkingCalendar | None = None,
) -> RectificationView:
    working = task.status in {s.value for s in rules.WORKING_STATUSES}
    submitted = task.status in (Status.SUBMITTED, Status.CLOSED)
    late = submitted and task.submitted_at is not None and task.submitted_at > task.due_at
    remaining = rules.remaining_words(
        task.due_at, now, lang, submitted_late=late if submitted else None
    )
    escalated = (
        _unit_view(_unit(uow, task.escalated_to_unit_id), lang)
        if task.escalated_to_unit_id
        else None
    )
    owns = actor.role in rules.CHECK_ROLES or task.unit_path.startswith(actor.org_path)
    # A finding's text may quote a customer's number: masked like a complaint's text for
    # roles not involved (domain.privacy).
    unmasked = privacy.may_see_personal_data(actor.role, owns=owns)
    allowed = tuple(
        ActionView(t.name, t.label(lang))
        for t in rules.RECTIFICATION_LIFECYCLE.allowed(task.status, actor.role)
        if owns or t.name in ("confirm", "fail")
    )
    return RectificationView(
        id=task.id,
        number=task.number,
        version=task.version,
        source_kind=task.source_kind,
        source_label=rules.source_label(task.source_kind, lang),
        source_id=task.source_id,
        source_item=task.source_item,
        unit=_unit_view(_unit(uow, task.unit_id), lang),
        title=task.title,
        detail=privacy.shown(task.detail, "text", unmasked=unmasked) or "",
        status=task.status,
        status_label=rules.status_label(task.status, lang),
        cycle=task.cycle,
        opened_at=task.opened_at,
        due_at=task.due_at,
        due_local=local_due(task.due_at),
        remaining=remaining,
        overdue=(working and now > task.due_at) or late,
        limit=_limit(task).describe("en" if lang.startswith("en") else "zh"),
        escalation_level=task.escalation_level,
        escalated_to=escalated,
        actions_taken=privacy.shown(task.actions_taken, "text", unmasked=unmasked),
        evidence_ref=task.evidence_ref,
        evidence_text=privacy.shown(task.evidence_text, "text", unmasked=unmasked),
        submitted_at=task.submitted_at,
        check_note=privacy.shown(task.check_note, "text", unmasked=unmasked),
        closed_at=task.closed_at,
        allowed=allowed,
    )


def get_task(
    uow: UnitOfWork, task_id: int, actor: Actor, lang: str, now: datetime
) -> RectificationView:
    _check_reader(actor)
    return view_of(uow, load_task(uow, task_id, actor), actor, lang, now)


@dataclass(frozen=True)
class TaskPage:
    total: int
    items: list[RectificationView]


LIST_STATUSES = frozenset({s.value for s in Status}) | {"open_all", "overdue"}


def list_tasks(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    *,
    status: str | None = None,
    unit_code: str | None = None,
    source_kind: str | None = None,
    source_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> TaskPage:
    """Tasks within scope, the soonest due first. ``status``: one status, ``open_all``
    (not closed) or ``overdue`` (still owed and past due); ``unit_code``: one unit and the
    units below it."""
    _check_reader(actor)
    query = select(RectificationTask).where(visible_to(actor))
    if status == "open_all":
        query = query.where(RectificationTask.status != Status.CLOSED.value)
    elif status == "overdue":
        query = query.where(
            RectificationTask.status.in_([s.value for s in rules.WORKING_STATUSES]),
            RectificationTask.due_at < now,
        )
    elif status:
        if status not in LIST_STATUSES:
            raise InvalidInput("status", f"未知状态 / unknown status '{status}'")
        query = query.where(RectificationTask.status == status)
    if unit_code:
        unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None or not unit_code.isprintable():
            raise InvalidInput("unit", f"未知单位 / unknown unit '{unit_code}'")
        query = query.where(RectificationTask.unit_path.startswith(unit.path, autoescape=True))
    if source_kind:
        rules.check_source_kind(source_kind)
        query = query.where(RectificationTask.source_kind == source_kind)
    if source_id is not None:
        query = query.where(RectificationTask.source_id == source_id)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(
        query.order_by(RectificationTask.due_at, RectificationTask.id).limit(limit).offset(offset)
    )
    return TaskPage(total, [view_of(uow, t, actor, lang, now) for t in rows])


def task_events(
    uow: UnitOfWork, task_id: int, actor: Actor, lang: str
) -> list[RectificationEventView]:
    _check_reader(actor)
    task = load_task(uow, task_id, actor)
    owns = actor.role in rules.CHECK_ROLES or task.unit_path.startswith(actor.org_path)
    unmasked = privacy.may_see_personal_data(actor.role, owns=owns)
    rows = list(
        uow.session.scalars(
            select(RectificationEvent)
            .where(RectificationEvent.task_id == task_id)
            .order_by(RectificationEvent.id)
        )
    )
    ids = {e.actor_id for e in rows if e.actor_id}
    names = {
        staff_id: name
        for staff_id, name in uow.session.execute(
            select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))
        )
    }
    system = "system" if lang.startswith("en") else "系统"
    return [
        RectificationEventView(
            e.at,
            e.at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M"),
            names.get(e.actor_id, e.actor) if e.actor_id else system,
            e.action,
            _action_label(e.action, lang),
            e.cycle,
            privacy.shown(e.note, "text", unmasked=unmasked),
            e.after,
        )
        for e in rows
    ]


_OTHER_ACTIONS = {
    "open": ("立项整改", "opened"),
    "escalate": ("超时升级", "escalated (late)"),
}


def _action_label(action: str, lang: str) -> str:
    if action in rules.RECTIFICATION_LIFECYCLE:
        return rules.RECTIFICATION_LIFECYCLE.get(action).label(lang)
    zh, en = _OTHER_ACTIONS.get(action, (action, action))
    return en if lang.startswith("en") else zh


# --- writing -----------------------------------------------------------------------------


def _record(
    uow: UnitOfWork,
    task: RectificationTask,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """One audit row, and the domain event the action stands for (published on commit)."""
    uow.session.add(
        RectificationEvent(
            task_id=task.id,
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            cycle=task.cycle,
            before=before or None,
            after=after or None,
            note=note,
        )
    )
    name = domain_events.RECTIFICATION_EVENTS.get(action)
    if name is not None:
        payload = {
            "rectification_id": task.id,
            "number": task.number,
            "unit_id": task.unit_id,
            "cycle": task.cycle,
            "source_kind": task.source_kind,
            "source_id": task.source_id,
            "source_item": task.source_item,
            **(after or {}),
            "note": note,
        }
        complaint_id = task.source_id if task.source_kind == "complaint" else None
        uow.events.append(
            DomainEvent(name, complaint_id, None, action, at, actor.staff_id, payload)
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _number(task_id: int, at: datetime) -> str:
    """ZG + local date + id: read out on the phone like a complaint's number."""
    return f"ZG{at.astimezone(LOCAL_TIME):%Y%m%d}{task_id:05d}"


def open_rectification(
    uow: UnitOfWork,
    *,
    source: FindingRef,
    unit_id: int,
    title: str,
    detail: str,
    actor: Actor,
    now: datetime,
    lang: str = "zh",
) -> RectificationView:
    """立项整改: a finding becomes a task owned by ``unit_id`` with a deadline from the
    policy of its source kind, counted on the business calendar. Idempotent per (source,
    item): a second call returns the task the first one opened, whatever its state.

    Joins the caller's unit of work: the caller commits (an inspection records its result
    and its tasks at once). The `careloop.rectification.opened` event goes out then.
    """
    if actor.role not in rules.OPENER_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="open a rectification task")
    rules.check_source_kind(source.kind)
    if not access_scope.is_row_id(source.id):
        raise InvalidInput("source_id", "来源编号无效 / not a record id")
    item = clean_text(source.item, "source_item", rules.ITEM_MAX_CHARS, multiline=False) or ""
    existing = _by_source(uow, source.kind, source.id, item)
    if existing is not None:
        return view_of(uow, existing, actor, lang, now)
    unit = uow.session.get(OrgUnit, unit_id) if access_scope.is_row_id(unit_id) else None
    if unit is None or not in_scope(unit.path, actor.scope):
        raise rules.RectificationError("unit", ident=unit_id)
    clean_title = required_text(title, "task_title", rules.TITLE_MAX_CHARS, multiline=False)
    clean_detail = required_text(detail, "detail", rules.DETAIL_MAX_CHARS)
    policy = policy_for(uow, source.kind)
    due = rules.deadline(now, policy, business_calendar(uow))
    task = RectificationTask(
        number=f"tmp-{source.kind}-{source.id}-{item}"[:32],
        version=1,
        source_kind=source.kind,
        source_id=source.id,
        source_item=item,
        unit_id=unit.id,
        unit_path=unit.path,
        title=clean_title,
        detail=clean_detail,
        status=rules.RECTIFICATION_LIFECYCLE.initial.value,
        cycle=1,
        cycle_started_at=now,
        limit_terms=policy.limit.as_terms(),
        warn_share=policy.warn_share,
        escalation=[dict(s) for s in policy.escalation],
        due_at=due,
        escalation_level=0,
        opened_by_id=actor.staff_id,
        opened_at=now,
        updated_at=now,
    )
    savepoint = uow.session.begin_nested()
    try:
        uow.session.add(task)
        uow.session.flush()
    except IntegrityError:
        # Another request opened the same finding at the same moment: theirs stands.
        savepoint.rollback()
        existing = _by_source(uow, source.kind, source.id, item)
        if existing is None:
            raise
        return view_of(uow, existing, actor, lang, now)
    savepoint.commit()
    task.number = _number(task.id, now)
    _record(
        uow,
        task,
        actor,
        "open",
        now,
        after={
            "status": task.status,
            "unit_id": unit.id,
            "unit": unit.code,
            "title": clean_title,
            "due_at": _iso(due),
            "limit": task.limit_terms,
        },
        note=clean_detail,
    )
    uow.session.flush()
    return view_of(uow, task, actor, lang, now)


def _by_source(uow: UnitOfWork, kind: str, source_id: int, item: str) -> RectificationTask | None:
    return uow.session.scalar(
        select(RectificationTask).where(
            RectificationTask.source_kind == kind,
            RectificationTask.source_id == source_id,
            RectificationTask.source_item == item,
        )
    )


def open_rectification_by_code(
    uow: UnitOfWork,
    *,
    source: FindingRef,
    unit_code: str,
    title: str,
    detail: str,
    actor: Actor,
    now: datetime,
    lang: str = "zh",
) -> tuple[RectificationView, bool]:
    """The API's and the page's way in: a unit by its code; commits. (view, created)."""
    if actor.role not in rules.OPENER_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="open a rectification task")
    code = unit_code.strip()
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if code.isprintable()
        else None
    )
    if unit is None or not in_scope(unit.path, actor.scope):
        raise rules.RectificationError("unit", ident=unit_code)
    rules.check_source_kind(source.kind)
    before = _by_source(uow, source.kind, source.id, (source.item or "").strip())
    view = open_rectification(
        uow,
        source=source,
        unit_id=unit.id,
        title=title,
        detail=detail,
        actor=actor,
        now=now,
        lang=lang,
    )
    uow.commit()
    return get_task(uow, view.id, actor, lang, now), before is None


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
        unit = _unit(uow, task.unit_id)
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
    _record(uow, task, actor, "start", now, {"status": before}, {"status": task.status})
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
    """提交复查: the unit says what it did and shows evidence; without evidence it is
    refused (rectification_evidence_required). Stops the round's clock."""
    task = _begin(uow, task_id, "submit", actor, version)
    lifecycle = rules.RECTIFICATION_LIFECYCLE
    ref = lifecycle.clean_field("submit", "evidence_ref", evidence_ref)
    text = lifecycle.clean_field("submit", "evidence_text", evidence_text)
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
    _record(
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
    _record(
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
        task.source_kind, _limit(task), task.warn_share, tuple(task.escalation)
    )
    due = rules.deadline(now, policy, business_calendar(uow))
    before = {"status": task.status, "cycle": task.cycle, "due_at": _iso(task.due_at)}
    task.status = Status.REOPENED.value
    task.cycle += 1
    task.cycle_started_at = now
    task.due_at = due
    task.escalation_level = 0
    task.escalated_to_unit_id = None
    task.submitted_at = None
    task.check_note = reason
    task.updated_at = now
    _record(
        uow,
        task,
        actor,
        "fail",
        now,
        before,
        {"status": task.status, "cycle": task.cycle, "due_at": _iso(due)},
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
    _record(uow, task, actor, "note", now, note=cleaned)
    return _done(uow, task, actor, version, lang, now)


TRANSITIONS = {
    "start": start_task,
    "submit": submit_task,
    "confirm": confirm_task,
    "fail": fail_task,
    "note": note_task,
}


# --- escalation: the sweep ---------------------------------------------------------------


@dataclass(frozen=True)
class EscalationReport:
    examined: int
    escalated: int


def _superior(uow: UnitOfWork, unit: OrgUnit, target: str) -> OrgUnit:
    """Whom a step escalates to: the parent unit (上级单位) or the province."""
    if target == rules.PROVINCE:
        ids = [int(p) for p in unit.path.strip("/").split("/") if p]
        chain = {u.id: u for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
        for unit_id in ids:
            if chain.get(unit_id) is not None and chain[unit_id].kind == "province":
                return chain[unit_id]
    parent = uow.session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    return parent or unit


def _insert_alert(uow: UnitOfWork, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: the alert's id if this call recorded it."""
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(RectificationAlert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["task_id", "cycle", "kind"])
        .returning(RectificationAlert.id)
    )
    return uow.session.scalar(stmt)


def _leads(uow: UnitOfWork, unit: OrgUnit) -> list[str]:
    people = uow.session.scalars(
        select(Staff.username).where(
            Staff.org_unit_id == unit.id,
            Staff.active.is_(True),
            Staff.role.in_(("unit_lead", "supervisor")),
        )
    )
    return sorted(f"staff:{u}" for u in people) or [f"unit:{unit.code}"]


def escalate_late(uow: UnitOfWork, now: datetime) -> EscalationReport:
    """Escalate every task still owed past its deadline, each step once per round (the
    database's UNIQUE, not luck, makes it so: two sweeps at once record it once). Each
    escalation: the alert row, the task's level and superior, an audit row, the
    `careloop.rectification.escalated` event and a message to the superior's leads in the
    outbox. Commits."""
    working = [s.value for s in rules.WORKING_STATUSES]
    tasks = list(
        uow.session.scalars(
            select(RectificationTask)
            .where(RectificationTask.status.in_(working), RectificationTask.due_at < now)
            .order_by(RectificationTask.id)
        )
    )
    if not tasks:
        return EscalationReport(0, 0)
    calendar = business_calendar(uow)
    sent: dict[tuple[int, int], set[str]] = {}
    for task_id, cycle, kind in uow.session.execute(
        select(RectificationAlert.task_id, RectificationAlert.cycle, RectificationAlert.kind).where(
            RectificationAlert.task_id.in_([t.id for t in tasks])
        )
    ):
        sent.setdefault((task_id, cycle), set()).add(kind)
    escalated = 0
    for task in tasks:
        state = task_clock(task, calendar, now)
        done = sent.get((task.id, task.cycle), set())
        steps = list(task.escalation)
        for kind in rules.escalations_due(state, frozenset(done), steps):
            step = rules.step_of(kind, steps)
            unit = _unit(uow, task.unit_id)
            superior = _superior(uow, unit, str(step.get("to", rules.SUPERIOR)))
            alert_id = _insert_alert(
                uow,
                {
                    "task_id": task.id,
                    "cycle": task.cycle,
                    "kind": kind,
                    "at": now,
                    "due_at": task.due_at,
                    "overrun_minutes": state.overrun_minutes,
                    "to_unit_id": superior.id,
                },
            )
            if alert_id is None:
                continue  # another sweep recorded it (and told everybody)
            level = int(step["level"])
            uow.session.execute(  # derived state: leaves `version` alone (no 409 for users)
                update(RectificationTask)
                .where(RectificationTask.id == task.id)
                .values(
                    escalation_level=func.max(RectificationTask.escalation_level, level)
                    if uow.session.get_bind().dialect.name == "sqlite"
                    else func.greatest(RectificationTask.escalation_level, level),
                    escalated_to_unit_id=superior.id,
                )
                .execution_options(synchronize_session=False)
            )
            _record(
                uow,
                task,
                SYSTEM,
                "escalate",
                now,
                after={
                    "level": level,
                    "escalated_to_unit_id": superior.id,
                    "escalated_to": superior.code,
                    "due_at": _iso(task.due_at),
                    "overrun_minutes": state.overrun_minutes,
                },
                note=f"整改超期，已升级至{superior.name_zh}",
            )
            for recipient in _leads(uow, superior):
                uow.session.add(
                    Notification(
                        dedup_key=f"rectification:{alert_id}:{recipient}"[:120],
                        kind="escalation",
                        channel=str(step.get("channel", "email")),
                        recipient=recipient,
                        subject=f"[CareLoop] 整改超期 / rectification overdue {task.number}"[:200],
                        body=(
                            f"整改任务 {task.number}「{task.title}」已于 "
                            f"{local_due(task.due_at)}（北京时间）到期仍未完成整改，"
                            f"责任单位：{unit.name_zh}。\n"
                            f"Rectification task {task.number} is overdue since "
                            f"{local_due(task.due_at)} (Beijing time); unit: {unit.name_en}."
                        ),
                        complaint_id=None,
                        alert_id=None,
                        level=level,
                        status="pending",
                        created_at=now,
                        send_after=now,
                    )
                )
            escalated += 1
    uow.session.flush()
    uow.commit()
    return EscalationReport(len(tasks), escalated)


def sweep(session_factory: Any, now: datetime) -> dict[str, int]:
    """One round as the job runner calls it (beside the SLA sweep): late tasks escalated."""
    with UnitOfWork(session_factory) as uow:
        report = escalate_late(uow, now)
    if report.escalated:
        log.info("rectification sweep: %s escalated of %s late", report.escalated, report.examined)
    return {"rectifications_late": report.examined, "rectifications_escalated": report.escalated}
