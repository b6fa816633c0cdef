"""Reading rectification tasks within the reader's scope: one task (404 outside the scope,
never 403), the list, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true

from careloop.domain import privacy
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.supervision import rectification as rules
from careloop.domain.supervision.rectification import RectificationStatus as Status
from careloop.i18n import Translator
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import Actor
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.supervision.rectification_views import (
    RectificationEventView,
    RectificationView,
    view_of,
)
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, Staff
from careloop.store.models.rectification import (
    RectificationEvent,
    RectificationTask,
)

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
    t = Translator(lang)
    system = t("rect_view.system")
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


def _other_actions(t: Translator) -> dict[str, str]:
    return {
        "open": t("rect_view.action.open"),
        "escalate": t("rect_view.action.escalate"),
        "evidence_added": t("rect_view.action.evidence_added"),
    }


def _action_label(action: str, lang: str) -> str:
    if action in rules.RECTIFICATION_LIFECYCLE:
        return rules.RECTIFICATION_LIFECYCLE.get(action).label(lang)
    return _other_actions(Translator(lang)).get(action, action)
