"""The enforcement job: open the day's cases and escalate the late ones.

Run by the in-process runner each round and by the queue's periodic job; both call
``sweep``. Opening reads today's reports (Asia/Shanghai business day), so a burst of
reports about one port opens its case the same day, not the next morning; it is
idempotent per port. A case not acted on by its deadline escalates to the owner unit's
superior once per level: the database's UNIQUE, not luck, makes it so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from careloop.domain.sla.escalation import due_alerts
from careloop.domain.spam import enforcement as rules
from careloop.services.access.actors import SYSTEM
from careloop.services.org import escalation as org_escalation
from careloop.services.sla.clocks import LOCAL_TIME, local_due
from careloop.services.spam.enforcement_opening import open_cases_for_day
from careloop.services.spam.enforcement_trail import record
from careloop.services.spam.enforcement_views import business_calendar, case_clock, unit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Notification
from careloop.store.models.spam_enforcement import SpamEnforcementAlert, SpamEnforcementCase

log = logging.getLogger("careloop.spam.enforcement")


@dataclass(frozen=True)
class EscalationReport:
    examined: int
    escalated: int


def escalate_late(uow: UnitOfWork, now: datetime) -> EscalationReport:
    """Escalate every case still open (no sanction yet) past its deadline. Commits."""
    cases = list(
        uow.session.scalars(
            select(SpamEnforcementCase)
            .where(
                SpamEnforcementCase.status == rules.CaseStatus.OPEN.value,
                SpamEnforcementCase.handled_at.is_(None),
                SpamEnforcementCase.due_at < now,
            )
            .order_by(SpamEnforcementCase.id)
        )
    )
    if not cases:
        return EscalationReport(0, 0)
    calendar = business_calendar(uow)
    sent: dict[int, set[str]] = {}
    for case_id, kind in uow.session.execute(
        select(SpamEnforcementAlert.case_id, SpamEnforcementAlert.kind).where(
            SpamEnforcementAlert.case_id.in_([c.id for c in cases])
        )
    ):
        sent.setdefault(case_id, set()).add(kind)
    escalated = 0
    for case in cases:
        state = case_clock(case, calendar, now)
        steps = list(case.escalation)
        for kind in due_alerts(state, frozenset(sent.get(case.id, set())), steps):
            if not kind.startswith("escalation:"):
                continue
            level = int(kind.partition(":")[2])
            step = next(s for s in steps if int(s["level"]) == level)
            owner = unit(uow, case.unit_id)
            superior = org_escalation.superior(uow, owner, str(step.get("to", "superior")))
            alert_id = org_escalation.record_alert_once(
                uow,
                SpamEnforcementAlert,
                ("case_id", "kind"),
                {
                    "case_id": case.id,
                    "kind": kind,
                    "at": now,
                    "due_at": case.due_at,
                    "overrun_minutes": state.overrun_minutes,
                    "to_unit_id": superior.id,
                },
            )
            if alert_id is None:
                continue  # another sweep recorded it
            greatest = (
                func.max if uow.session.get_bind().dialect.name == "sqlite" else func.greatest
            )
            uow.session.execute(  # derived state: the version stays (no 409 for people)
                update(SpamEnforcementCase)
                .where(SpamEnforcementCase.id == case.id)
                .values(
                    escalation_level=greatest(SpamEnforcementCase.escalation_level, level),
                    escalated_to_unit_id=superior.id,
                )
                .execution_options(synchronize_session=False)
            )
            record(
                uow,
                case,
                SYSTEM,
                "escalate",
                now,
                after={
                    "level": level,
                    "escalated_to_unit_id": superior.id,
                    "escalated_to": superior.code,
                    "due_at": case.due_at.isoformat(),
                    "overrun_minutes": state.overrun_minutes,
                },
                note=f"端口处置超期，已升级至{superior.name_zh}",
            )
            for recipient in org_escalation.leads(uow, superior):
                uow.session.add(
                    Notification(
                        dedup_key=f"spam_enforcement:{alert_id}:{recipient}"[:120],
                        kind="escalation",
                        channel=str(step.get("channel", "email")),
                        recipient=recipient,
                        subject=f"[CareLoop] 端口处置超期 / port case overdue {case.number}"[:200],
                        body=(
                            f"端口 {case.port_number} 的处置案件 {case.number} 已于 "
                            f"{local_due(case.due_at)}（北京时间）到期仍未处置，"
                            f"责任单位：{owner.name_zh}。\n"
                            f"Enforcement case {case.number} (port {case.port_number}) is "
                            f"overdue since {local_due(case.due_at)} (Beijing time); "
                            f"unit: {owner.name_en}."
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
    return EscalationReport(len(cases), escalated)


def sweep(session_factory: Any, now: datetime) -> dict[str, int]:
    """One round as the job runner calls it: today's cases opened, late ones escalated."""
    with UnitOfWork(session_factory) as uow:
        opened = open_cases_for_day(uow, now.astimezone(LOCAL_TIME).date(), now)
    with UnitOfWork(session_factory) as uow:
        late = escalate_late(uow, now)
    if opened.opened or late.escalated:
        log.info("spam enforcement: %s opened, %s escalated", opened.opened, late.escalated)
    return {
        **opened.as_dict(),
        "spam_cases_late": late.examined,
        "spam_cases_escalated": late.escalated,
    }
