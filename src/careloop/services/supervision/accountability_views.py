"""Read models of responsibility cases: one case with its trail, and the lists — as the
reader may see them (scope, masking of quoted personal data, the actions open to them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import false, func, select

from careloop.domain import privacy
from careloop.domain.permissions import in_scope
from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import (
    AccountabilityError,
    AppealOutcome,
    Penalty,
    Rule,
)
from careloop.services.access.actors import Actor
from careloop.services.supervision.accountability_access import concerned, load_case, visible_to
from careloop.services.supervision.accountability_rules import penalty_of, rules_in_force
from careloop.services.supervision.rectification import FindingRef
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    AccountabilityCase,
    AccountabilityEvent,
    Complaint,
    OrgUnit,
    Staff,
)
from careloop.store.models.rectification import RectificationTask

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
"""Case numbers and the deadlines in refusals read in Beijing time, as the desk speaks."""


@dataclass(frozen=True, slots=True)
class TrailEntry:
    at: datetime
    actor: str
    role: str
    action: str
    after: dict[str, Any] | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    number: str
    version: int
    status: str
    status_label: str
    source: FindingRef
    source_label: str
    source_ref: str
    """How people name the source: a complaint's or a rectification task's number, else the
    record's id (and the checklist item)."""
    unit_code: str
    unit_name: str
    staff_id: int | None
    staff_name: str | None
    rule: str
    rule_label: str
    summary: str
    opened_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    decided: Penalty
    penalty: Penalty
    """The penalty in force (after any appeal)."""
    appeal_due_at: datetime | None
    appealed_at: datetime | None
    appeal_reason: str | None
    appeal_outcome: str | None
    appeal_outcome_label: str | None
    appeal_decided_at: datetime | None
    appeal_decision_reason: str | None
    closed_at: datetime | None
    actions: tuple[str, ...] = ()
    """What the reader may do now (transition names), for pages and clients."""
    trail: tuple[TrailEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class CasePage:
    total: int
    items: list[CaseView]


@dataclass(frozen=True, slots=True)
class _Lookups:
    """Names read once for a whole page of cases rather than once per case."""

    units: dict[int, tuple[str, str, str]]
    staff: dict[int, str]
    catalogue: dict[str, Rule]
    numbers: dict[tuple[str, int], str]
    """A source's number people quote (a complaint's, a rectification task's ZG…), by
    (kind, id); the other sources read as #id."""


def _lookups(uow: UnitOfWork, cases: Iterable[AccountabilityCase]) -> _Lookups:
    rows = list(cases)
    unit_ids = {r.unit_id for r in rows}
    units = {
        u.id: (u.code, u.name_zh, u.name_en)
        for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))
    }
    staff_ids = {r.staff_id for r in rows if r.staff_id is not None}
    staff: dict[int, str] = {
        sid: name
        for sid, name in uow.session.execute(
            select(Staff.id, Staff.display_name).where(Staff.id.in_(staff_ids))
        )
    }
    numbers: dict[tuple[str, int], str] = {}
    complaints = {r.source_id for r in rows if r.source_kind == "complaint"}
    if complaints:
        for cid, number in uow.session.execute(
            select(Complaint.id, Complaint.number).where(Complaint.id.in_(complaints))
        ):
            if number:
                numbers[("complaint", cid)] = number
    tasks = {r.source_id for r in rows if r.source_kind == "rectification"}
    if tasks:
        for tid, number in uow.session.execute(
            select(RectificationTask.id, RectificationTask.number).where(
                RectificationTask.id.in_(tasks)
            )
        ):
            numbers[("rectification", tid)] = number
    return _Lookups(units, staff, rules_in_force(uow), numbers)


def _actions(case: AccountabilityCase, actor: Actor) -> tuple[str, ...]:
    allowed = [t.name for t in rules.LIFECYCLE.allowed(case.status, actor.role)]
    if "appeal" in allowed and not concerned(case, actor):
        allowed.remove("appeal")
    return tuple(allowed)


def _trail(uow: UnitOfWork, case: AccountabilityCase) -> tuple[TrailEntry, ...]:
    # People read who acted by name, as colleagues know them (the username otherwise).
    return tuple(
        TrailEntry(e.at, name or e.actor, e.role, e.action, e.after, e.note)
        for e, name in uow.session.execute(
            select(AccountabilityEvent, Staff.display_name)
            .outerjoin(Staff, Staff.id == AccountabilityEvent.actor_id)
            .where(AccountabilityEvent.case_id == case.id)
            .order_by(AccountabilityEvent.id)
        )
    )


def view_of(
    case: AccountabilityCase,
    actor: Actor,
    lang: str,
    found: _Lookups,
    trail: tuple[TrailEntry, ...] = (),
) -> CaseView:
    en = lang.startswith("en")
    code, name_zh, name_en = found.units[case.unit_id]
    rule = found.catalogue.get(case.rule)
    source = FindingRef(case.source_kind, case.source_id, case.source_item)
    ref = found.numbers.get((source.kind, source.id))
    outcome = AppealOutcome(case.appeal_outcome) if case.appeal_outcome else None
    kind_zh, kind_en = rules.SOURCE_KINDS.get(source.kind, (source.kind, source.kind))
    # Summaries and reasons are free text that may quote the customer of the complaint.
    unmasked = privacy.may_see_personal_data(actor.role)

    def said(text: str | None) -> str | None:
        return privacy.shown(text, "text", unmasked=unmasked)

    trail = tuple(TrailEntry(e.at, e.actor, e.role, e.action, e.after, said(e.note)) for e in trail)
    return CaseView(
        id=case.id,
        number=case.number,
        version=case.version,
        status=case.status,
        status_label=rules.LIFECYCLE.label(case.status, lang),
        source=source,
        source_label=kind_en if en else kind_zh,
        source_ref=ref or f"#{source.id}{' · ' + source.item if source.item else ''}",
        unit_code=code,
        unit_name=name_en if en else name_zh,
        staff_id=case.staff_id,
        staff_name=found.staff.get(case.staff_id) if case.staff_id is not None else None,
        rule=case.rule,
        rule_label=rule.label(lang) if rule else case.rule,
        summary=said(case.summary) or "",
        opened_at=case.opened_at,
        decided_at=case.decided_at,
        decision_reason=said(case.decision_reason),
        decided=penalty_of(case.decided_points, case.decided_fen, case.decided_veto),
        penalty=penalty_of(case.points, case.amount_fen, case.veto),
        appeal_due_at=case.appeal_due_at,
        appealed_at=case.appealed_at,
        appeal_reason=said(case.appeal_reason),
        appeal_outcome=case.appeal_outcome,
        appeal_outcome_label=(
            rules.APPEAL_OUTCOME_LABELS[outcome][1 if en else 0] if outcome else None
        ),
        appeal_decided_at=case.appeal_decided_at,
        appeal_decision_reason=said(case.appeal_decision_reason),
        closed_at=case.closed_at,
        actions=_actions(case, actor),
        trail=trail,
    )


def brief_view(uow: UnitOfWork, case: AccountabilityCase, actor: Actor, lang: str) -> CaseView:
    """One case without its trail (what opening a case answers)."""
    return view_of(case, actor, lang, _lookups(uow, [case]))


def case_view(uow: UnitOfWork, case_id: int, actor: Actor, lang: str = "zh") -> CaseView:
    """One case with its trail, as `actor` may see it (404 outside their reach)."""
    uow.expire_all()
    case = load_case(uow, case_id, actor)
    return view_of(case, actor, lang, _lookups(uow, [case]), _trail(uow, case))


def list_cases(
    uow: UnitOfWork,
    actor: Actor,
    lang: str = "zh",
    status: str | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
    unit_code: str | None = None,
) -> CasePage:
    """The cases `actor` may see, newest first; `mine`: only those concerning them;
    `unit_code`: only those against that unit or a unit below it."""
    where = [visible_to(actor)]
    if status is not None:
        where.append(AccountabilityCase.status == status)
    if mine:
        where.append(
            AccountabilityCase.staff_id == actor.staff_id if actor.staff_id is not None else false()
        )
    if unit_code is not None:
        path = (
            uow.session.scalar(select(OrgUnit.path).where(OrgUnit.code == unit_code))
            if unit_code.isprintable()
            else None
        )
        if path is None or not in_scope(path, actor.scope):
            raise AccountabilityError("unit_unknown", unit=unit_code)
        where.append(AccountabilityCase.unit_path.startswith(path, autoescape=True))
    total = uow.session.scalar(select(func.count()).select_from(AccountabilityCase).where(*where))
    rows = list(
        uow.session.scalars(
            select(AccountabilityCase)
            .where(*where)
            .order_by(AccountabilityCase.opened_at.desc(), AccountabilityCase.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    found = _lookups(uow, rows)
    return CasePage(total or 0, [view_of(r, actor, lang, found) for r in rows])
