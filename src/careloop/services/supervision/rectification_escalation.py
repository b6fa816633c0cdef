"""The escalation sweep: tasks still owed past their deadline go up the org tree, each step
once per round, with a message to the superior's leads."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from careloop.domain.supervision import rectification as rules
from careloop.services.access.actors import SYSTEM
from careloop.services.org import escalation as org_escalation
from careloop.services.sla.clocks import local_due
from careloop.services.supervision.rectification_policies import business_calendar
from careloop.services.supervision.rectification_trail import iso, record
from careloop.services.supervision.rectification_views import task_clock, unit_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Notification
from careloop.store.models.rectification import (
    RectificationAlert,
    RectificationTask,
)

# --- escalation: the sweep ---------------------------------------------------------------

log = logging.getLogger("careloop.supervision.rectification")


@dataclass(frozen=True)
class EscalationReport:
    examined: int
    escalated: int


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
            unit = unit_of(uow, task.unit_id)
            superior = org_escalation.superior(uow, unit, str(step.get("to", rules.SUPERIOR)))
            alert_id = org_escalation.record_alert_once(
                uow,
                RectificationAlert,
                ("task_id", "cycle", "kind"),
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
            record(
                uow,
                task,
                SYSTEM,
                "escalate",
                now,
                after={
                    "level": level,
                    "escalated_to_unit_id": superior.id,
                    "escalated_to": superior.code,
                    "due_at": iso(task.due_at),
                    "overrun_minutes": state.overrun_minutes,
                },
                note=f"整改超期，已升级至{superior.name_zh}",
            )
            for recipient in org_escalation.leads(uow, superior):
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
