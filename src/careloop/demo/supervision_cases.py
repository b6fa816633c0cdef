"""The demo's accountability and rectification work (责任追究、督促整改), made after the
complaints and the inspection quarter through the real services, at the demo's own times.

- **Responsibility cases** for the escalated complaints the demo left late (their limit
  breached, found by the sweep at the demo's end): the supervisor has decided two that
  morning — one with the rule's penalty (for 越级投诉超时未办结 the one-vote veto), one
  lighter with its reason — a third decided and appealed by the unit's lead, waiting for
  the ruling, one dismissed; the rest still open. Decided penalties count in the unit's
  scorecard for the period.
- **Rectification tasks** from the quarter's failed store visits (demo/inspections.py), in
  every state: the newest still open within their deadline, one waiting for its
  re-inspection, one reopened by yesterday's failed re-inspection, one the unit started
  but let run late — escalated by the sweep, which opens a case against the unit — and the
  rest closed with the unit's evidence.

Everything is chosen from the seed and placed before the demo's ``end``; the people are
the demo's own (``supervisor1`` decides and re-inspects, each unit's lead answers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain.supervision.accountability import CaseStatus
from careloop.services.access.actors import SYSTEM, Actor, actor_for
from careloop.services.supervision import accountability as cases
from careloop.services.supervision import rectification as tasks
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, Staff, WorkOrder
from careloop.store.models.rectification import RectificationTask

SUPERVISOR = "supervisor1"
"""The province's quality supervisor (README): decides cases and re-inspects."""

EVIDENCE = (
    ("IMG_{n}.jpg", "整改后现场照片：资费公示牌已按最新资费更新并张贴到位。"),
    ("IMG_{n}.jpg", "整改后现场照片：业务受理区已补齐服务监督电话和投诉渠道公示。"),
    ("REC-{n}", "复训记录：全体营业员已完成首问负责和资费告知规范培训并考试合格。"),
    ("DOC-{n}.pdf", "整改报告：已逐项核对检查发现的问题，明确责任人并完成整改。"),
)
ACTIONS_TAKEN = (
    "已对照检查清单逐项整改，更新公示材料，组织营业员复训。",
    "已更换过期宣传物料，补充资费告知话术，班前会通报检查问题。",
    "已整改并安排店长每日自查，整改前后照片附后。",
)


@dataclass
class DemoSupervision:
    """What was made, for the load's progress line and the tests."""

    cases: dict[str, list[int]] = field(default_factory=dict)
    tasks: dict[str, list[int]] = field(default_factory=dict)

    def summary(self) -> str:
        def said(counts: dict[str, list[int]]) -> str:
            return ", ".join(f"{len(ids)} {state}" for state, ids in counts.items())

        return f"supervision: cases ({said(self.cases)}); rectification tasks ({said(self.tasks)})"


def load_supervision_cases(
    session_factory: sessionmaker[Session], end: datetime, seed: int
) -> DemoSupervision:
    """Cases from late complaints and the quarter's tasks worked through; one call, after
    the complaints are replayed and the inspection quarter is loaded."""
    rng = random.Random(seed * 13 + 41)
    made = DemoSupervision()
    with UnitOfWork(session_factory) as uow:
        boss = actor_for(uow, SUPERVISOR)
        _work_tasks(uow, boss, end, rng, made)
        _cases_from_complaints(uow, boss, end, rng, made)
    return made


# --- rectification ----------------------------------------------------------------------------


def _lead_for(uow: UnitOfWork, unit_path: str, leads: dict[str, Actor]) -> Actor:
    """The nearest unit lead above the task's unit (a county's, else the city's)."""
    if unit_path not in leads:
        candidates = uow.session.execute(
            select(Staff.username, OrgUnit.path)
            .join(OrgUnit, OrgUnit.id == Staff.org_unit_id)
            .where(Staff.role == "unit_lead")
            .order_by(Staff.username)
        ).all()
        above = [(len(path), name) for name, path in candidates if unit_path.startswith(path)]
        name = max(above)[1] if above else SUPERVISOR
        leads[unit_path] = actor_for(uow, name)
    return leads[unit_path]


def _before(moment: datetime, end: datetime) -> datetime:
    """Nothing happens after the demo's end (the moment it is loaded)."""
    return min(moment, end - timedelta(hours=1))


def _work_tasks(
    uow: UnitOfWork, boss: Actor, end: datetime, rng: random.Random, made: DemoSupervision
) -> None:
    rows = uow.session.execute(
        select(RectificationTask.id, RectificationTask.unit_path, RectificationTask.opened_at,
               RectificationTask.due_at, RectificationTask.version)
        .where(RectificationTask.status == "open", RectificationTask.opened_at < end)
        .order_by(RectificationTask.opened_at.desc(), RectificationTask.id.desc())
    ).all()  # fmt: skip
    if not rows:
        return
    leads: dict[str, Actor] = {}
    # The newest stay open while their deadline runs (at least one does, late or not).
    still_open = [r for r in rows if r.due_at > end] or [rows[0]]
    rest = [r for r in rows if r not in still_open]
    made.tasks["open"] = [r.id for r in still_open]
    plan: list[tuple[str, Any]] = []
    if rest:
        plan.append(("escalated", rest.pop(0)))
    if rest:
        plan.append(("submitted", rest.pop(0)))
    reopen = next((r for r in rest if r.opened_at <= end - timedelta(days=3)), None)
    if reopen is not None:
        rest.remove(reopen)
        plan.append(("reopened", reopen))
    plan += [("closed", r) for r in reversed(rest)]
    for state, row in plan:
        task_id, path, opened, version = row.id, row.unit_path, row.opened_at, row.version
        lead = _lead_for(uow, path, leads)
        if state == "escalated":
            # The unit starts but never submits: the sweep below escalates it.
            tasks.start_task(uow, task_id, lead, version, _before(opened + timedelta(days=1), end))
        elif state == "submitted":
            _submit(uow, task_id, lead, version, _before(opened + timedelta(days=2), end), rng)
        elif state == "reopened":
            failed_at = end - timedelta(days=1)
            submitted_at = min(opened + timedelta(days=2), failed_at - timedelta(hours=4))
            version = _submit(uow, task_id, lead, version, submitted_at, rng)
            tasks.fail_task(
                uow, task_id, boss, version, failed_at,
                reason="复查发现资费公示仍为旧版本，整改不到位，退回重新整改。",
            )  # fmt: skip
        else:
            submitted_at = _before(opened + timedelta(hours=rng.uniform(20, 96)), end)
            version = _submit(uow, task_id, lead, version, submitted_at, rng)
            checked_at = _before(submitted_at + timedelta(hours=rng.uniform(18, 60)), end)
            tasks.confirm_task(
                uow, task_id, boss, version, max(checked_at, submitted_at),
                note="复查通过：现场核实整改到位，准予销号。",
            )  # fmt: skip
        made.tasks.setdefault(state, []).append(task_id)
    # The rectification sweep as the worker runs it: late tasks climb to the superior unit.
    tasks.escalate_late(uow, end)
    escalated = uow.session.execute(
        select(RectificationTask.id, RectificationTask.number, RectificationTask.unit_id)
        .where(RectificationTask.escalation_level > 0)
        .order_by(RectificationTask.id)
    ).all()
    for task_id, number, unit_id in escalated:
        # What the escalation's event opens (services: CaseOpener), idempotent per task.
        cases.open_case(
            uow, source=tasks.FindingRef("rectification", task_id), unit_id=unit_id,
            staff_id=None, rule="rectification_overdue",
            summary=f"整改任务 {number} 逾期未完成，已升级督办", actor=SYSTEM, now=end,
        )  # fmt: skip


def _submit(
    uow: UnitOfWork, task_id: int, lead: Actor, version: int, at: datetime, rng: random.Random
) -> int:
    ref, text = rng.choice(EVIDENCE)
    view = tasks.submit_task(
        uow, task_id, lead, version, at,
        actions_taken=rng.choice(ACTIONS_TAKEN),
        evidence_ref=ref.format(n=rng.randrange(1000, 9999)), evidence_text=text,
    )  # fmt: skip
    return view.version


# --- responsibility cases ------------------------------------------------------------------


def _cases_from_complaints(
    uow: UnitOfWork, boss: Actor, end: datetime, rng: random.Random, made: DemoSupervision
) -> None:
    """Every escalated complaint the sweep found late has its case (as the breach's event
    opens it: services.CaseOpener, idempotent, so a platform that already ran it keeps its
    own); the supervisor then decides some of them the same morning."""
    late = list(
        uow.session.scalars(
            select(Complaint)
            .where(
                # Found by the sweep at the demo's end, so never after it.
                Complaint.sla_breached_at.is_not(None),
                Complaint.escalated | Complaint.regulator_transfer,
            )
            .order_by(Complaint.sla_breached_at, Complaint.id)
        )
    )
    opened = [_open_for(uow, c) for c in late]
    waiting = [case for case in opened if case.status == CaseStatus.OPEN]
    rng.shuffle(waiting)
    plan = dict(zip(("decided", "lighter", "appealed", "dismissed"), waiting, strict=False))
    acted = {case.id for case in plan.values()}
    made.cases["open"] = [case.id for case in waiting if case.id not in acted]
    catalogue = cases.rules_in_force(uow)
    for state, case in plan.items():
        if state == "dismissed":
            view = cases.dismiss(
                uow, case.id, case.version,
                "核实为用户联系不上、多次预约未果所致，责任单位已按规定留痕，不予追责。",
                boss, end,
            )  # fmt: skip
            made.cases.setdefault(view.status, []).append(case.id)
            continue
        rule = catalogue[case.rule].default
        if state == "lighter":
            # A penalty other than the rule's needs its reason written down.
            decision = cases.Decision(
                case.version, round(rule.points / 2, 1), rule.amount / 2, False,
                "首次发生，责任单位已主动向用户致歉并完成处理，酌情减轻，不作一票否决。",
            )  # fmt: skip
        else:
            decision = cases.Decision(case.version, rule.points, rule.amount, rule.veto)
        view = cases.decide(uow, case.id, decision, boss, end)
        appellant = _appellant(uow, view) if state == "appealed" else None
        if appellant is not None:
            view = cases.appeal(
                uow, case.id, view.version,
                "用户所在小区物业不配合入户，已多次协调并留有记录，申请减轻处罚。",
                appellant, end,
            )  # fmt: skip
        made.cases.setdefault(view.status, []).append(case.id)


def _open_for(uow: UnitOfWork, complaint: Complaint) -> cases.CaseView:
    """The case the breach opens (services: open_case_for_complaint), when the sweep found
    it: a late work order's breach names the unit holding it and its technician."""
    late_order = uow.session.scalar(
        select(WorkOrder.id)
        .where(WorkOrder.complaint_id == complaint.id, WorkOrder.sla_breached_at.is_not(None))
        .order_by(WorkOrder.id.desc())
        .limit(1)
    )
    unit_id, staff_id = cases.responsible_for_complaint(uow, complaint, late_order)
    return cases.open_case(
        uow, source=cases.FindingRef("complaint", complaint.id), unit_id=unit_id,
        staff_id=staff_id, rule="escalated_overdue",
        summary=f"越级投诉 {complaint.number} 超过时限未答复", actor=SYSTEM,
        now=complaint.sla_breached_at or complaint.accepted_at,
    )  # fmt: skip


def _appellant(uow: UnitOfWork, view: cases.CaseView) -> Actor | None:
    """The person concerned appeals; with nobody named, the lead of the unit concerned
    (none above a province department: then nobody appeals)."""
    if view.staff_id is not None:
        person = uow.session.get(Staff, view.staff_id)
        if person is not None:
            return actor_for(uow, person.username)
    path = uow.session.scalar(select(OrgUnit.path).where(OrgUnit.code == view.unit_code)) or "/"
    lead = _lead_for(uow, path, {})
    return lead if lead.role == "unit_lead" else None
