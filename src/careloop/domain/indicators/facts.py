"""Indicators over complaints, stages and callbacks one by one: count them, then the formula.

The reports count in SQL; audits and tests hold the facts themselves (``services.indicators
.figures.complaint_facts`` streams them from the store). What counts as what (a repeat, a
stage on time, a callback done) is decided here, once, and ``formulas`` does the arithmetic,
so an aggregate can be checked against these functions exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from careloop.domain.indicators import formulas
from careloop.domain.indicators.formulas import IndicatorValue
from careloop.domain.indicators.users import Users


@dataclass(frozen=True)
class ComplaintFact:
    """One complaint as the indicators see it."""

    id: int | str
    accepted_at: datetime
    region_code: str
    category_code: str
    escalated: bool = False
    """越级投诉: the customer went over the operator's head (§2)."""
    regulator_appeal: bool = False
    """An appeal the regulator accepted (申诉, counted in "appeals per million users")."""
    is_repeat: bool = False
    """重复投诉: same customer, same issue, within 30 days."""
    closed_at: datetime | None = None
    reopened: bool = False
    """A dissatisfied callback reopened it at least once."""
    reply_due_at: datetime | None = None
    replied_at: datetime | None = None


@dataclass(frozen=True)
class StageFact:
    """One stage (accept, handle, reply, callback, or an internal hand-off) with its limit."""

    finished_at: datetime | None
    due_at: datetime | None
    started_at: datetime | None = None
    stage: str = ""


@dataclass(frozen=True)
class CallbackFact:
    """A callback (回访); ``done_at`` is None while the customer has not been reached."""

    done_at: datetime | None
    satisfied: bool


def is_on_time(stage: StageFact) -> bool:
    """A finished stage is on time when it has no limit or finished at the limit or before."""
    return stage.finished_at is not None and (
        stage.due_at is None or stage.finished_at <= stage.due_at
    )


def reply_stages(complaints: Iterable[ComplaintFact]) -> list[StageFact]:
    """The reply stage of each complaint, for ``on_time_rate`` on replies (15-day rule, §3)."""
    return [
        StageFact(
            finished_at=c.replied_at, due_at=c.reply_due_at, started_at=c.accepted_at, stage="reply"
        )
        for c in complaints
    ]


def escalated_rate(complaints: Iterable[ComplaintFact]) -> IndicatorValue:
    facts = list(complaints)
    return formulas.escalated_rate(sum(1 for c in facts if c.escalated), len(facts))


def repeat_rate(complaints: Iterable[ComplaintFact]) -> IndicatorValue:
    facts = list(complaints)
    return formulas.repeat_rate(sum(1 for c in facts if c.is_repeat), len(facts))


def first_contact_resolution(complaints: Iterable[ComplaintFact]) -> IndicatorValue:
    """Over the closed complaints only; reopened ones and repeats are not first-time."""
    closed = [c for c in complaints if c.closed_at is not None]
    resolved = sum(1 for c in closed if not c.reopened and not c.is_repeat)
    return formulas.first_contact_resolution(resolved, len(closed))


def on_time_rate(stages: Iterable[StageFact]) -> IndicatorValue:
    """Over the finished stages only (an unfinished one is not judged yet)."""
    finished = [s for s in stages if s.finished_at is not None]
    return formulas.on_time_rate(sum(1 for s in finished if is_on_time(s)), len(finished))


def callback_satisfaction(callbacks: Iterable[CallbackFact]) -> IndicatorValue:
    """Over the callbacks done only (a customer not reached has no opinion on record)."""
    done = [c for c in callbacks if c.done_at is not None]
    return formulas.callback_satisfaction(sum(1 for c in done if c.satisfied), len(done))


def _wall_clock_hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


def average_handle_time(
    stages: Iterable[StageFact],
    hours_between: Callable[[datetime, datetime], float] | None = None,
) -> IndicatorValue:
    """Over the stages with a start and a finish; ``hours_between(start, end)`` is the business
    calendar's working hours (§4), wall-clock hours without one."""
    measure = hours_between or _wall_clock_hours
    hours = 0.0
    timed = 0
    for s in stages:
        if s.started_at is not None and s.finished_at is not None:
            hours += measure(s.started_at, s.finished_at)
            timed += 1
    return formulas.average_handle_time(hours, timed)


def appeals_per_million(
    complaints: Iterable[ComplaintFact], users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """The complaints with ``regulator_appeal`` over ``users`` (see ``formulas``)."""
    appeals = sum(1 for c in complaints if c.regulator_appeal)
    return formulas.appeals_per_million(
        appeals, users, denominator_definition=denominator_definition
    )


def escalated_per_million(
    complaints: Iterable[ComplaintFact], users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    escalated = sum(1 for c in complaints if c.escalated)
    return formulas.escalated_per_million(
        escalated, users, denominator_definition=denominator_definition
    )


def complaints_per_10k(
    complaints: Iterable[ComplaintFact], users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    return formulas.complaints_per_10k(
        sum(1 for _ in complaints), users, denominator_definition=denominator_definition
    )
