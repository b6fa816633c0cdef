"""Opening responsibility cases (立案): by hand from a finding, and by the events that
open them on their own — a complaint's breach escalated far enough (or an escalated
complaint's first breach), a rectification task escalated past its deadline.

Opening is idempotent per source (kind, id, checklist item): an event delivered twice, or
two events about one complaint, open one case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain import events as domain_events
from careloop.domain.errors import InvalidInput
from careloop.domain.events import DomainEvent
from careloop.domain.permissions import in_scope
from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import AccountabilityError
from careloop.domain.text import clean_text
from careloop.services.access import scope
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.supervision.accountability_rules import may, rules_in_force
from careloop.services.supervision.accountability_trail import record
from careloop.services.supervision.accountability_views import LOCAL_ZONE, CaseView, brief_view
from careloop.services.supervision.rectification import FindingRef
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase, Complaint, OrgUnit, Staff, WorkOrder


def _existing(session: Session, source: FindingRef) -> AccountabilityCase | None:
    return session.scalar(
        select(AccountabilityCase).where(
            AccountabilityCase.source_kind == source.kind,
            AccountabilityCase.source_id == source.id,
            AccountabilityCase.source_item == source.item,
        )
    )


def open_case(
    uow: UnitOfWork,
    *,
    source: FindingRef,
    unit_id: int,
    staff_id: int | None,
    rule: str,
    summary: str,
    actor: Actor,
    now: datetime,
) -> CaseView:
    """立案: idempotent per source (a second call returns the case already open, whoever
    opens it), so an event delivered twice or two events about one complaint open one case."""
    may("accountability.open", actor, ("责任认定立案", "open a responsibility case"))
    if source.kind not in rules.SOURCE_KINDS:
        raise InvalidInput("source.kind", "未知的来源类型 / unknown kind of source")
    if not scope.is_row_id(source.id):
        raise InvalidInput("source.id", "应为正整数 / must be a positive whole number")
    item = clean_text(source.item, "source.item", 60, multiline=False) or ""
    source = FindingRef(source.kind, source.id, item)
    existing = _existing(uow.session, source)
    if existing is not None:
        return brief_view(uow, existing, actor, "zh")
    chosen = rules.rule_for(rules_in_force(uow), rule)
    text = clean_text(summary, "summary", rules.SUMMARY_MAX_CHARS, required=True) or ""
    unit = uow.session.get(OrgUnit, unit_id) if scope.is_row_id(unit_id) else None
    if unit is None or not in_scope(unit.path, actor.scope):
        raise AccountabilityError("unit_unknown", unit=unit_id)
    if staff_id is not None:
        person = uow.session.get(Staff, staff_id) if scope.is_row_id(staff_id) else None
        if person is None:
            raise AccountabilityError("staff_unknown", staff=staff_id)
    case = AccountabilityCase(
        number=f"tmp-{source.kind}-{source.id}-{item}"[:32],
        version=1,
        status=rules.LIFECYCLE.initial.value,
        source_kind=source.kind,
        source_id=source.id,
        source_item=item,
        unit_id=unit.id,
        unit_path=unit.path,
        staff_id=staff_id,
        rule=chosen.code,
        summary=text,
        opened_at=now,
        opened_by_id=actor.staff_id,
        decided_points=0.0,
        decided_fen=0,
        decided_veto=False,
        points=0.0,
        amount_fen=0,
        veto=False,
        updated_at=now,
    )
    try:
        with uow.session.begin_nested():
            uow.session.add(case)
            uow.session.flush()
    except IntegrityError:
        # Another delivery opened it between our look and our insert: theirs stands.
        found = _existing(uow.session, source)
        if found is None:
            raise
        return brief_view(uow, found, actor, "zh")
    case.number = f"ZR{now.astimezone(LOCAL_ZONE):%Y%m%d}{case.id:05d}"
    record(
        uow,
        case,
        actor,
        "open",
        now,
        after={
            "number": case.number,
            "source": f"{source.kind}:{source.id}{':' + item if item else ''}",
            "unit": unit.code,
            "staff_id": staff_id,
            "rule": chosen.code,
        },
        note=text,
    )
    uow.commit()
    return brief_view(uow, case, actor, "zh")


def open_case_by_codes(
    uow: UnitOfWork,
    *,
    source: FindingRef,
    unit_code: str,
    staff_username: str | None,
    rule: str,
    summary: str,
    actor: Actor,
    now: datetime,
) -> CaseView:
    """`open_case` as channels call it: the unit and the person by the codes people type."""
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit_code.isprintable()
        else None
    )
    if unit is None or not in_scope(unit.path, actor.scope):
        raise AccountabilityError("unit_unknown", unit=unit_code)
    staff_id = None
    if staff_username:
        person = (
            uow.session.scalar(select(Staff).where(Staff.username == staff_username))
            if staff_username.isprintable()
            else None
        )
        if person is None or not person.org_unit.path.startswith(unit.path):
            raise AccountabilityError("staff_unknown", staff=staff_username)
        staff_id = person.id
    if source.kind == "complaint":
        found = (
            uow.session.scalar(
                select(Complaint).where(Complaint.id == source.id, scope.visible_to(actor))
            )
            if scope.is_row_id(source.id)
            else None
        )
        if found is None:
            raise InvalidInput("source.id", "投诉不存在或不在您的管辖范围内 / no such complaint")
    return open_case(
        uow,
        source=source,
        unit_id=unit.id,
        staff_id=staff_id,
        rule=rule,
        summary=summary,
        actor=actor,
        now=now,
    )


# --- opened by events -----------------------------------------------------------------------


def responsible_for_complaint(
    uow: UnitOfWork, complaint: Complaint, work_order_id: int | None
) -> tuple[int, int | None]:
    """(unit, person) answerable for a late complaint: the unit holding the late work
    order and its technician, else the first-question owner's unit and the owner (首问负责制:
    passing the complaint on does not move the responsibility)."""
    if work_order_id is not None:
        order = uow.session.get(WorkOrder, work_order_id)
        if order is not None and order.complaint_id == complaint.id:
            return order.unit_id, order.owner_id
    return complaint.owner_unit_id, complaint.first_owner_id


def open_case_for_complaint(uow: UnitOfWork, event: DomainEvent) -> CaseView | None:
    """A breach escalated up the org tree (to ``CASE_AT_ESCALATION_LEVEL``) opens a case
    (超时未答复); an escalated complaint (越级) or a regulator's transfer opens one at its
    first breach already, under the heavier rule. One case per complaint, however many
    alerts it raises."""
    if event.complaint_id is None:
        return None
    complaint = uow.session.get(Complaint, event.complaint_id)
    if complaint is None:
        return None
    severe = complaint.escalated or complaint.regulator_transfer
    level = event.payload.get("level")
    if not severe and (
        event.name != domain_events.COMPLAINT_ESCALATED
        or not isinstance(level, int)
        or level < rules.CASE_AT_ESCALATION_LEVEL
    ):
        return None
    rule = "escalated_overdue" if severe else "reply_overdue"
    unit_id, staff_id = responsible_for_complaint(uow, complaint, event.work_order_id)
    what = "越级投诉" if severe else "投诉"
    summary = f"{what} {complaint.number} 超过时限未答复" + (
        f"，已逐级升级至第 {level} 级" if level else ""
    )
    return open_case(
        uow,
        source=FindingRef("complaint", complaint.id),
        unit_id=unit_id,
        staff_id=staff_id,
        rule=rule,
        summary=summary,
        actor=SYSTEM,
        now=event.at,
    )


def open_case_for_rectification(uow: UnitOfWork, event: DomainEvent) -> CaseView | None:
    """A rectification task escalated past its deadline (整改逾期, a failed rectification)
    opens a case against its unit; one per task, however many levels it climbs."""
    payload = event.payload
    task_id, unit_id = payload.get("rectification_id"), payload.get("unit_id")
    if not isinstance(task_id, int) or not isinstance(unit_id, int):
        return None
    number = str(payload.get("number") or f"#{task_id}")
    return open_case(
        uow,
        source=FindingRef("rectification", task_id),
        unit_id=unit_id,
        staff_id=None,
        rule="rectification_overdue",
        summary=f"整改任务 {number} 逾期未完成，已升级督办",
        actor=SYSTEM,
        now=event.at,
    )


@dataclass
class CaseOpener:
    """A queued handler that opens a case from an event in its own unit of work (after the
    change that raised it committed). One instance per platform: it holds the platform's
    session factory, so a queue worker's platform runs its own."""

    session_factory: sessionmaker[Session]

    def __call__(self, event: DomainEvent) -> None:
        with UnitOfWork(self.session_factory) as uow:
            if event.name == domain_events.RECTIFICATION_ESCALATED:
                open_case_for_rectification(uow, event)
            else:
                open_case_for_complaint(uow, event)


def listens_to() -> Sequence[str]:
    """The events that open cases (bootstrap registers `CaseOpener` on each)."""
    return (
        domain_events.COMPLAINT_BREACHED,
        domain_events.COMPLAINT_ESCALATED,
        domain_events.RECTIFICATION_ESCALATED,
    )
