"""What responsibility cases do to a unit's KPI scorecard: only a decided penalty counts
(an open case costs nothing, a dismissed one nothing at all, an appeal does not suspend
it), in the assessment period it was decided in, as it stands after any appeal."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import CountedPenalty
from careloop.services.supervision.accountability_rules import rules_in_force
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase, OrgUnit


class Period(Protocol):
    def bounds(self) -> tuple[datetime, datetime]: ...


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
