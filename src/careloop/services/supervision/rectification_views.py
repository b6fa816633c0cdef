"""Rectification tasks as channels show them: words for codes, Beijing time beside UTC, the
finding's text masked for roles not involved, and the actions the reader may take now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from careloop.domain import privacy
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import ClockState, limit_from_terms
from careloop.domain.supervision import rectification as rules
from careloop.domain.supervision.rectification import RectificationStatus as Status
from careloop.services.access.actors import Actor
from careloop.services.sla.clocks import local_due
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit
from careloop.store.models.rectification import (
    RectificationTask,
)


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


def unit_of(uow: UnitOfWork, unit_id: int) -> OrgUnit:
    unit = uow.session.get(OrgUnit, unit_id)
    assert unit is not None
    return unit


def unit_view(unit: OrgUnit, lang: str) -> UnitView:
    return UnitView(unit.id, unit.code, unit.name_en if lang.startswith("en") else unit.name_zh)


def limit_of(task: RectificationTask) -> Any:
    return limit_from_terms(task.limit_terms)


def task_clock(task: RectificationTask, calendar: WorkingCalendar, now: datetime) -> ClockState:
    """The round's clock: from the round's start, stopped when it was submitted."""
    submitted = task.submitted_at if task.status in (Status.SUBMITTED, Status.CLOSED) else None
    moment = max(now, task.cycle_started_at)
    if submitted is not None:
        moment = max(moment, submitted)
    return rules.clock(
        task.cycle_started_at,
        limit_of(task),
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
        unit_view(unit_of(uow, task.escalated_to_unit_id), lang)
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
        unit=unit_view(unit_of(uow, task.unit_id), lang),
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
        limit=limit_of(task).describe("en" if lang.startswith("en") else "zh"),
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
