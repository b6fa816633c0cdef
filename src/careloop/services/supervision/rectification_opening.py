"""立项整改: a finding (an inspection's failed item, a dial test, a social supervisor's
observation, a complaint) becomes a task owned by a unit, with a deadline from its source
kind's policy. ``open_rectification`` joins the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.permissions import in_scope
from careloop.domain.supervision import rectification as rules
from careloop.domain.text import clean_text, required_text
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import Actor
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.supervision.rectification_policies import business_calendar, policy_for
from careloop.services.supervision.rectification_queries import get_task
from careloop.services.supervision.rectification_trail import iso, record
from careloop.services.supervision.rectification_views import FindingRef, RectificationView, view_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit
from careloop.store.models.rectification import (
    RectificationTask,
)


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
    record(
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
            "due_at": iso(due),
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
