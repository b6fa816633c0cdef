"""Deciding responsibility cases: the penalty (认定处罚) or no fault (不予追责), the appeal
(申诉) of the person concerned and its ruling (裁定), and making a decision final (确认生效).

One use case, one unit of work, one audit row each; every change carries the version read
(optimistic locking: a stale one conflicts with 409 rather than overwrite). The rules
(domain.supervision.accountability) decide; this module loads and stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import (
    AccountabilityError,
    AppealOutcome,
    CaseStatus,
    Penalty,
)
from careloop.services.access.actors import Actor
from careloop.services.sla.calendar import calendar_data, shared_calendar
from careloop.services.supervision.accountability_access import concerned, load_case
from careloop.services.supervision.accountability_rules import fen, penalty_of, rules_in_force
from careloop.services.supervision.accountability_trail import record
from careloop.services.supervision.accountability_views import LOCAL_ZONE, CaseView, case_view
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase


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
    case = load_case(uow, case_id, actor)
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
        fen(penalty.amount),
        penalty.veto,
    )
    case.points, case.amount_fen, case.veto = case.decided_points, case.decided_fen, penalty.veto
    case.updated_at = now
    record(
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
    case = load_case(uow, case_id, actor)
    _check_version(case, version)
    _check(case, "dismiss", actor)
    text = rules.LIFECYCLE.clean_field("dismiss", "reason", reason)
    before = case.status
    case.status = rules.LIFECYCLE.apply(case.status, "dismiss", actor.role).value
    case.decision_reason, case.closed_at, case.updated_at = text, now, now
    record(uow, case, actor, "dismiss", now, {"status": before}, {"status": case.status}, text)
    _commit(uow, version)
    return case_view(uow, case_id, actor, "zh")


def appeal(
    uow: UnitOfWork, case_id: int, version: int, reason: str, actor: Actor, now: datetime
) -> CaseView:
    """申诉: within the appeal period, with a reason; the penalty stands until decided."""
    rules.LIFECYCLE.check_role("appeal", actor.role)
    case = load_case(uow, case_id, actor)
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
    record(uow, case, actor, "appeal", now, {"status": "decided"}, {"status": case.status}, text)
    _commit(uow, version)
    return case_view(uow, case_id, actor, "zh")


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(LOCAL_ZONE):%Y-%m-%d %H:%M}"


def decide_appeal(
    uow: UnitOfWork, case_id: int, decision: AppealDecision, actor: Actor, now: datetime
) -> CaseView:
    """裁定申诉: upheld (penalty withdrawn), reduced (a lighter one) or dismissed (stands)."""
    rules.LIFECYCLE.check_role("decide_appeal", actor.role)
    case = load_case(uow, case_id, actor)
    _check_version(case, decision.version)
    _check(case, "decide_appeal", actor)
    step = rules.LIFECYCLE.get("decide_appeal")
    outcome = AppealOutcome(
        InputChoice.choose(step.name, decision.outcome, rules.APPEAL_OUTCOME_LABELS)
    )
    text = rules.LIFECYCLE.clean_field("decide_appeal", "reason", decision.reason)
    decided = penalty_of(case.decided_points, case.decided_fen, case.decided_veto)
    reduced = Penalty(
        rules.points(decision.reduced.points), rules.yuan(decision.reduced.amount),
        bool(decision.reduced.veto),
    )  # fmt: skip
    in_force = rules.penalty_after_appeal(outcome, decided, reduced)
    case.status = rules.LIFECYCLE.apply(case.status, "decide_appeal", actor.role).value
    case.points, case.amount_fen, case.veto = in_force.points, fen(in_force.amount), in_force.veto
    case.appeal_outcome, case.appeal_decided_at = outcome.value, now
    case.appeal_decision_reason, case.closed_at, case.updated_at = text, now, now
    record(
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
    case = load_case(uow, case_id, actor)
    _check_version(case, version)
    _check(case, "finalise", actor)
    if case.appeal_due_at is not None and now < case.appeal_due_at:
        raise AccountabilityError("appeal_open", due=_local(case.appeal_due_at))
    case.status = rules.LIFECYCLE.apply(case.status, "finalise", actor.role).value
    case.closed_at, case.updated_at = now, now
    record(uow, case, actor, "finalise", now, {"status": "decided"}, {"status": case.status})
    _commit(uow, version)
    return case_view(uow, case_id, actor, "zh")
