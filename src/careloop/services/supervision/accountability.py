"""Responsibility cases (责任认定): open, decide, appeal, decide the appeal; their effect on
the unit's KPI scorecard.

One use case, one unit of work; every step appends to the case's audit trail. Who sees a
case: the person concerned their own, a unit lead their unit's (and below), supervisors,
administrators and inspectors their area; a case outside that answers 404, never 403.
The rules (domain.supervision.accountability) decide; this module loads and stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from careloop.domain import events as domain_events
from careloop.domain import privacy
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.events import DomainEvent
from careloop.domain.permissions import PROVINCE_WIDE_ROLES, check_permission, in_scope
from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import (
    AccountabilityError,
    AppealOutcome,
    CaseStatus,
    CountedPenalty,
    Penalty,
    Rule,
)
from careloop.domain.text import clean_text
from careloop.services.access import scope
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.complaints.audit import jsonable
from careloop.services.sla.calendar import calendar_data, shared_calendar
from careloop.services.supervision.rectification import FindingRef
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    AccountabilityCase,
    AccountabilityEvent,
    AccountabilityRule,
    Complaint,
    OrgUnit,
    Staff,
    WorkOrder,
)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
"""Case numbers and the deadlines in refusals read in Beijing time, as the desk speaks."""


class Period(Protocol):
    def bounds(self) -> tuple[datetime, datetime]: ...


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
    """How people name the source: a complaint's number, else the record's id."""
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
class Decision:
    """A supervisor's penalty; `rule` None keeps the case's rule."""

    version: int
    points: float
    amount: Decimal
    veto: bool
    reason: str | None = None
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class AppealDecision:
    version: int
    outcome: str
    reason: str
    reduced: Penalty = rules.NO_PENALTY


# --- rules ---------------------------------------------------------------------------------


def _rule_of(row: AccountabilityRule) -> Rule:
    return Rule(
        row.code,
        row.name_zh,
        row.name_en,
        _penalty(row.points, row.amount_fen, row.veto),
        row.active,
    )


def rules_in_force(uow: UnitOfWork) -> dict[str, Rule]:
    stored = uow.session.scalars(select(AccountabilityRule).order_by(AccountabilityRule.code))
    return rules.rules_in_force(_rule_of(r) for r in stored)


def set_rule(uow: UnitOfWork, rule: Rule, actor: Actor, now: datetime) -> Rule:
    """Add or change a rule of the catalogue (administrators and supervisors; audited)."""
    _may("accountability.rules", actor, ("修改责任条款", "edit the rules of accountability"))
    code = (rule.code or "").strip()
    if not code or len(code) > 40 or not code.replace("_", "").isalnum() or not code.isascii():
        raise InvalidInput("code", "只能包含字母、数字和下划线，最多 40 个 / letters, digits, _")
    name_zh = clean_text(rule.name_zh, "name_zh", 100, multiline=False, required=True) or ""
    name_en = clean_text(rule.name_en, "name_en", 100, multiline=False, required=True) or ""
    row = uow.session.get(AccountabilityRule, code)
    before = _rule_dict(_rule_of(row)) if row else None
    if row is None:
        row = AccountabilityRule(code=code)
        uow.session.add(row)
    row.name_zh, row.name_en = name_zh, name_en
    row.points = rules.points(rule.default.points)
    row.amount_fen = _fen(rules.yuan(rule.default.amount))
    row.veto, row.active, row.updated_at = rule.default.veto, rule.active, now
    saved = _rule_of(row)
    _record(uow, None, actor, "rule_set", now, before, _rule_dict(saved), rule_code=code)
    uow.commit()
    return saved


def _rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "name_zh": rule.name_zh,
        "name_en": rule.name_en,
        **rule.default.as_dict(),
        "active": rule.active,
    }


def _fen(amount: Decimal) -> int:
    return int(amount * 100)


def _penalty(points: float, fen: int, veto: bool) -> Penalty:
    return Penalty(points, (Decimal(fen) / 100).quantize(Decimal("0.01")), veto)


def _may(permission: str, actor: Actor, action: tuple[str, str]) -> None:
    """`check_permission`, the refusal naming the action in words."""
    try:
        check_permission(permission, actor.role)
    except DomainError as exc:
        raise exc.said_as(action=action) from None


# --- scope ----------------------------------------------------------------------------------


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on a case: what `actor` may read (module docstring)."""
    if actor.role == "system":
        return true()
    own = AccountabilityCase.staff_id == actor.staff_id if actor.staff_id is not None else false()
    if actor.role in PROVINCE_WIDE_ROLES:
        return or_(AccountabilityCase.unit_path.startswith(actor.scope, autoescape=True), own)
    if actor.role == "unit_lead":
        return or_(AccountabilityCase.unit_path.startswith(actor.org_path, autoescape=True), own)
    return own


def _load(uow: UnitOfWork, case_id: int, actor: Actor) -> AccountabilityCase:
    if not scope.is_row_id(case_id):
        raise rules.not_found(case_id)
    found = uow.session.scalar(
        select(AccountabilityCase).where(AccountabilityCase.id == case_id, visible_to(actor))
    )
    if found is None:
        raise rules.not_found(case_id)
    return found


def _record(
    uow: UnitOfWork,
    case: AccountabilityCase | None,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    rule_code: str | None = None,
) -> None:
    """Append one row to the audit trail (append-only in the database)."""
    uow.session.add(
        AccountabilityEvent(
            case_id=case.id if case is not None else None,
            rule_code=rule_code,
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            before={k: jsonable(v) for k, v in before.items()} if before else None,
            after={k: jsonable(v) for k, v in after.items()} if after else None,
            note=note,
        )
    )


# --- opening ---------------------------------------------------------------------------------


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
    _may("accountability.open", actor, ("责任认定立案", "open a responsibility case"))
    if source.kind not in rules.SOURCE_KINDS:
        raise InvalidInput("source.kind", "未知的来源类型 / unknown kind of source")
    if not scope.is_row_id(source.id):
        raise InvalidInput("source.id", "应为正整数 / must be a positive whole number")
    item = clean_text(source.item, "source.item", 60, multiline=False) or ""
    source = FindingRef(source.kind, source.id, item)
    existing = _existing(uow.session, source)
    if existing is not None:
        return _view(uow, existing, actor, "zh")
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
        return _view(uow, found, actor, "zh")
    case.number = f"ZR{now.astimezone(LOCAL_ZONE):%Y%m%d}{case.id:05d}"
    _record(
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
    return _view(uow, case, actor, "zh")


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


# --- decisions -------------------------------------------------------------------------------


def _check(case: AccountabilityCase, name: str, actor: Actor) -> None:
    try:
        rules.LIFECYCLE.check(case.status, name, actor.role)
    except DomainError as exc:
        if exc.code != rules.LIFECYCLE.illegal_code:
            raise
        step = rules.LIFECYCLE.get(name)
        zh, en = rules.STATUS_LABELS[CaseStatus(case.status)]
        raise AccountabilityError(
            "illegal",
            status=case.status,
            action=name,
            status_zh=zh,
            status_en=en,
            action_zh=step.label("zh"),
            action_en=step.label("en"),
        ) from None


def _check_version(case: AccountabilityCase, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if case.version != version:
        raise DomainError("version_conflict", expected=version, actual=case.version)


def _commit(uow: UnitOfWork, version: int) -> None:
    try:
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=version, actual="newer") from exc


def decide(
    uow: UnitOfWork, case_id: int, decision: Decision, actor: Actor, now: datetime
) -> CaseView:
    """认定处罚: the penalty (default: the rule's), its reason when it differs, and the
    appeal period that starts now."""
    rules.LIFECYCLE.check_role("decide", actor.role)
    case = _load(uow, case_id, actor)
    _check_version(case, decision.version)
    _check(case, "decide", actor)
    chosen = rules.rule_for(rules_in_force(uow), decision.rule or case.rule)
    penalty = Penalty(
        rules.points(decision.points), rules.yuan(decision.amount), bool(decision.veto)
    )
    reason = rules.LIFECYCLE.clean_field("decide", "reason", decision.reason)
    rules.check_penalty(chosen, penalty, reason)
    calendar = shared_calendar(calendar_data(uow), None)
    due = rules.appeal_due(now, calendar)
    case.status = rules.LIFECYCLE.apply(case.status, "decide", actor.role).value
    case.rule = chosen.code
    case.decided_at, case.decision_reason, case.appeal_due_at = now, reason, due
    case.decided_points, case.decided_fen, case.decided_veto = (
        penalty.points,
        _fen(penalty.amount),
        penalty.veto,
    )
    case.points, case.amount_fen, case.veto = case.decided_points, case.decided_fen, penalty.veto
    case.updated_at = now
    _record(
        uow,
        case,
        actor,
        "decide",
        now,
        {"status": CaseStatus.OPEN.value},
        {"status": case.status, "rule": chosen.code, **penalty.as_dict(), "appeal_due_at": due},
        reason,
    )
    _commit(uow, decision.version)
    return case_view(uow, case_id, actor, "zh")


def dismiss(
    uow: UnitOfWork, case_id: int, version: int, reason: str, actor: Actor, now: datetime
) -> CaseView:
    """不予追责: no fault found; the case costs nothing."""
    rules.LIFECYCLE.check_role("dismiss", actor.role)
    case = _load(uow, case_id, actor)
    _check_version(case, version)
    _check(case, "dismiss", actor)
    text = rules.LIFECYCLE.clean_field("dismiss", "reason", reason)
    before = case.status
    case.status = rules.LIFECYCLE.apply(case.status, "dismiss", actor.role).value
    case.decision_reason, case.closed_at, case.updated_at = text, now, now
    _record(uow, case, actor, "dismiss", now, {"status": before}, {"status": case.status}, text)
    _commit(uow, version)
    return case_view(uow, case_id, actor, "zh")


def concerned(case: AccountabilityCase, actor: Actor) -> bool:
    """The person concerned, or the lead of the unit concerned (or above it)."""
    if actor.staff_id is not None and actor.staff_id == case.staff_id:
        return True
    return actor.role == "unit_lead" and case.unit_path.startswith(actor.org_path)


def appeal(
    uow: UnitOfWork, case_id: int, version: int, reason: str, actor: Actor, now: datetime
) -> CaseView:
    """申诉: within the appeal period, with a reason; the penalty stands until decided."""
    rules.LIFECYCLE.check_role("appeal", actor.role)
    case = _load(uow, case_id, actor)
    if not concerned(case, actor):
        raise AccountabilityError("not_concerned")
    _check_version(case, version)
    _check(case, "appeal", actor)
    text = rules.LIFECYCLE.clean_field("appeal", "reason", reason)
    if case.appeal_due_at is not None and now >= case.appeal_due_at:
        raise AccountabilityError("appeal_late", due=_local(case.appeal_due_at))
    case.status = rules.LIFECYCLE.apply(case.status, "appeal", actor.role).value
    case.appealed_at, case.appealed_by_id, case.appeal_reason = now, actor.staff_id, text
    case.updated_at = now
    _record(uow, case, actor, "appeal", now, {"status": "decided"}, {"status": case.status}, text)
    _commit(uow, version)
    return case_view(uow, case_id, actor, "zh")


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(LOCAL_ZONE):%Y-%m-%d %H:%M}"


def decide_appeal(
    uow: UnitOfWork, case_id: int, decision: AppealDecision, actor: Actor, now: datetime
) -> CaseView:
    """裁定申诉: upheld (penalty withdrawn), reduced (a lighter one) or dismissed (stands)."""
    rules.LIFECYCLE.check_role("decide_appeal", actor.role)
    case = _load(uow, case_id, actor)
    _check_version(case, decision.version)
    _check(case, "decide_appeal", actor)
    step = rules.LIFECYCLE.get("decide_appeal")
    outcome = AppealOutcome(
        InputChoice.choose(step.name, decision.outcome, rules.APPEAL_OUTCOME_LABELS)
    )
    text = rules.LIFECYCLE.clean_field("decide_appeal", "reason", decision.reason)
    decided = _penalty(case.decided_points, case.decided_fen, case.decided_veto)
    reduced = Penalty(
        rules.points(decision.reduced.points), rules.yuan(decision.reduced.amount),
        bool(decision.reduced.veto),
    )  # fmt: skip
    in_force = rules.penalty_after_appeal(outcome, decided, reduced)
    case.status = rules.LIFECYCLE.apply(case.status, "decide_appeal", actor.role).value
    case.points, case.amount_fen, case.veto = in_force.points, _fen(in_force.amount), in_force.veto
    case.appeal_outcome, case.appeal_decided_at = outcome.value, now
    case.appeal_decision_reason, case.closed_at, case.updated_at = text, now, now
    _record(
        uow,
        case,
        actor,
        "decide_appeal",
        now,
        {"status": "appealed", **decided.as_dict()},
        {"status": case.status, "outcome": outcome.value, **in_force.as_dict()},
        text,
    )
    _commit(uow, decision.version)
    return case_view(uow, case_id, actor, "zh")


class InputChoice:
    """A coded choice checked against its (zh, en) labels, refused in words."""

    @staticmethod
    def choose(name: str, value: str | None, labels: dict[Any, tuple[str, str]]) -> str:
        codes = [str(code) for code in labels]
        if value not in codes:
            raise InvalidInput(
                "outcome",
                "请从以下选项中选择 / choose one of: "
                + "、".join(f"{zh} ({code})" for code, (zh, _) in labels.items()),
            )
        return value


def finalise(uow: UnitOfWork, case_id: int, version: int, actor: Actor, now: datetime) -> CaseView:
    """确认生效: nobody appealed within the period."""
    rules.LIFECYCLE.check_role("finalise", actor.role)
    case = _load(uow, case_id, actor)
    _check_version(case, version)
    _check(case, "finalise", actor)
    if case.appeal_due_at is not None and now < case.appeal_due_at:
        raise AccountabilityError("appeal_open", due=_local(case.appeal_due_at))
    case.status = rules.LIFECYCLE.apply(case.status, "finalise", actor.role).value
    case.closed_at, case.updated_at = now, now
    _record(uow, case, actor, "finalise", now, {"status": "decided"}, {"status": case.status})
    _commit(uow, version)
    return case_view(uow, case_id, actor, "zh")


# --- reading ---------------------------------------------------------------------------------


def _actions(case: AccountabilityCase, actor: Actor) -> tuple[str, ...]:
    allowed = [t.name for t in rules.LIFECYCLE.allowed(case.status, actor.role)]
    if "appeal" in allowed and not concerned(case, actor):
        allowed.remove("appeal")
    return tuple(allowed)


def _view(
    uow: UnitOfWork,
    case: AccountabilityCase,
    actor: Actor,
    lang: str,
    with_trail: bool = False,
    names: dict[int, tuple[str, str, str]] | None = None,
    staff: dict[int, str] | None = None,
    catalogue: dict[str, Rule] | None = None,
    complaint_numbers: dict[int, str | None] | None = None,
) -> CaseView:
    en = lang.startswith("en")
    if names is None:
        unit = uow.session.get(OrgUnit, case.unit_id)
        assert unit is not None
        names = {unit.id: (unit.code, unit.name_zh, unit.name_en)}
    code, name_zh, name_en = names[case.unit_id]
    if staff is None and case.staff_id is not None:
        person = uow.session.get(Staff, case.staff_id)
        staff = {case.staff_id: person.display_name if person else str(case.staff_id)}
    catalogue = catalogue if catalogue is not None else rules_in_force(uow)
    rule = catalogue.get(case.rule)
    source = FindingRef(case.source_kind, case.source_id, case.source_item)
    if complaint_numbers is None and source.kind == "complaint":
        complaint_numbers = {
            source.id: uow.session.scalar(select(Complaint.number).where(Complaint.id == source.id))
        }
    ref = (complaint_numbers or {}).get(source.id) if source.kind == "complaint" else None
    trail: tuple[TrailEntry, ...] = ()
    if with_trail:
        # People read who acted by name, as colleagues know them (the username otherwise).
        trail = tuple(
            TrailEntry(e.at, name or e.actor, e.role, e.action, e.after, e.note)
            for e, name in uow.session.execute(
                select(AccountabilityEvent, Staff.display_name)
                .outerjoin(Staff, Staff.id == AccountabilityEvent.actor_id)
                .where(AccountabilityEvent.case_id == case.id)
                .order_by(AccountabilityEvent.id)
            )
        )
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
        staff_name=(staff or {}).get(case.staff_id) if case.staff_id is not None else None,
        rule=case.rule,
        rule_label=rule.label(lang) if rule else case.rule,
        summary=said(case.summary) or "",
        opened_at=case.opened_at,
        decided_at=case.decided_at,
        decision_reason=said(case.decision_reason),
        decided=_penalty(case.decided_points, case.decided_fen, case.decided_veto),
        penalty=_penalty(case.points, case.amount_fen, case.veto),
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


def case_view(uow: UnitOfWork, case_id: int, actor: Actor, lang: str = "zh") -> CaseView:
    """One case with its trail, as `actor` may see it (404 outside their reach)."""
    uow.expire_all()
    return _view(uow, _load(uow, case_id, actor), actor, lang, with_trail=True)


def list_cases(
    uow: UnitOfWork,
    actor: Actor,
    lang: str = "zh",
    status: str | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> CasePage:
    """The cases `actor` may see, newest first; `mine`: only those concerning them."""
    where = [visible_to(actor)]
    if status is not None:
        where.append(AccountabilityCase.status == status)
    if mine:
        where.append(
            AccountabilityCase.staff_id == actor.staff_id if actor.staff_id is not None else false()
        )
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
    unit_ids = {r.unit_id for r in rows}
    names = {
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
    complaint_ids = {r.source_id for r in rows if r.source_kind == "complaint"}
    numbers: dict[int, str | None] = {
        cid: number
        for cid, number in uow.session.execute(
            select(Complaint.id, Complaint.number).where(Complaint.id.in_(complaint_ids))
        )
    }
    catalogue = rules_in_force(uow)
    items = [_view(uow, r, actor, lang, False, names, staff, catalogue, numbers) for r in rows]
    return CasePage(total or 0, items)


# --- effect on scorecards ------------------------------------------------------------------


def penalties_within(uow: UnitOfWork, path: str, period: Period) -> list[CountedPenalty]:
    """The decided penalties of cases against units at or below `path`, decided in the
    period (a penalty counts in the assessment period it was decided in), as they stand."""
    start, end = period.bounds()
    rows = uow.session.execute(
        select(
            AccountabilityCase.number,
            AccountabilityCase.rule,
            AccountabilityCase.points,
            AccountabilityCase.veto,
        )
        .where(
            AccountabilityCase.status.in_([s.value for s in rules.COUNTING]),
            AccountabilityCase.decided_at >= start,
            AccountabilityCase.decided_at < end,
            AccountabilityCase.unit_path.startswith(path, autoescape=True),
        )
        .order_by(AccountabilityCase.id)
    ).all()
    catalogue = rules_in_force(uow)
    counted = []
    for number, code, points, veto in rows:
        rule = catalogue.get(code)
        zh, en = (rule.name_zh, rule.name_en) if rule else (code, code)
        counted.append(
            CountedPenalty(
                points, veto, f"责任认定 {number}「{zh}」一票否决 / case {number}: {en} (veto)"
            )
        )
    return counted


def _unit_path(uow: UnitOfWork, unit_id: int) -> str | None:
    return uow.session.scalar(select(OrgUnit.path).where(OrgUnit.id == unit_id))


def veto_events_for(uow: UnitOfWork, unit_id: int, period: Period) -> list[str]:
    """Reasons for scorecard()'s `veto_events`: decided cases with the one-vote veto."""
    path = _unit_path(uow, unit_id)
    if path is None:
        return []
    return [p.reason for p in penalties_within(uow, path, period) if p.veto]


def deductions_for(uow: UnitOfWork, unit_id: int, period: Period) -> float:
    """Points off the unit's KPI score for the period (the scorecard floors it at 0)."""
    path = _unit_path(uow, unit_id)
    if path is None:
        return 0.0
    return round(sum(p.points for p in penalties_within(uow, path, period)), 1)


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
