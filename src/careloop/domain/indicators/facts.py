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
from typing import Final

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
    """The internal reply limit, as stored (moved at every pause, resume, calendar and policy
    change, so it is right without a sweep)."""
    replied_at: datetime | None = None
    outer_due_at: datetime | None = None
    """The regulatory outer limit no pause stops (the 15-day answer, §3)."""
    reply_work_minutes: int | None = None
    """Working minutes acceptance → reply net of customer waits; None until recorded."""
    callback_outcome: str | None = None
    """How the last callback ended: satisfied, dissatisfied, unreachable, declined."""
    appeal_outcome: str | None = None
    """A regulator appeal's outcome: settled (和解), not_accepted (不认可), informed (知晓)."""


@dataclass(frozen=True)
class StageFact:
    """One stage (accept, handle, reply, callback, or an internal hand-off) with its limit."""

    finished_at: datetime | None
    due_at: datetime | None
    started_at: datetime | None = None
    stage: str = ""
    work_minutes: int | None = None
    """Working minutes the stage took, as recorded on the ticket; None if not recorded."""


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


def reply_limit(complaint: ComplaintFact) -> datetime | None:
    """The limit a reply is judged against: the internal limit, but never later than the
    regulatory outer limit (a paused clock does not stop the law's 15 days, §3)."""
    limits = [d for d in (complaint.reply_due_at, complaint.outer_due_at) if d is not None]
    return min(limits) if limits else None


def reply_stages(complaints: Iterable[ComplaintFact]) -> list[StageFact]:
    """The reply stage of each complaint, for ``on_time_rate`` on replies (15-day rule, §3)."""
    return [
        StageFact(
            finished_at=c.replied_at,
            due_at=reply_limit(c),
            started_at=c.accepted_at,
            stage="reply",
            work_minutes=c.reply_work_minutes,
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


@dataclass(frozen=True)
class SurveyFact:
    """A post-service survey (满意度调查): ``sent_at`` None if it never went out (skipped),
    ``answered_at`` None while unanswered; ``satisfied`` by the template's overall question."""

    sent_at: datetime | None
    answered_at: datetime | None = None
    satisfied: bool | None = None


def callback_satisfaction(
    callbacks: Iterable[CallbackFact], surveys: Iterable[SurveyFact] = ()
) -> IndicatorValue:
    """Over the customer's evaluations: callbacks done (a customer not reached has no
    opinion on record) and surveys answered (``formulas.callback_satisfaction``)."""
    done = [c for c in callbacks if c.done_at is not None]
    answered = [s for s in surveys if s.answered_at is not None]
    return formulas.callback_satisfaction(
        sum(1 for c in done if c.satisfied),
        len(done),
        sum(1 for s in answered if s.satisfied),
        len(answered),
    )


def survey_satisfaction(surveys: Iterable[SurveyFact]) -> IndicatorValue:
    """调查满意率 over the surveys answered."""
    answered = [s for s in surveys if s.answered_at is not None]
    return formulas.survey_satisfaction(sum(1 for s in answered if s.satisfied), len(answered))


def survey_response_rate(surveys: Iterable[SurveyFact]) -> IndicatorValue:
    """调查回复率 over the surveys sent (skipped ones never reached anybody)."""
    sent = [s for s in surveys if s.sent_at is not None]
    return formulas.survey_response_rate(
        sum(1 for s in sent if s.answered_at is not None), len(sent)
    )


CALLBACK_DONE: Final = ("satisfied", "dissatisfied")
CALLBACK_OUTCOMES: Final = ("satisfied", "dissatisfied", "unreachable", "declined")
APPEAL_OUTCOMES: Final = ("settled", "not_accepted", "informed")


def callback_outcomes(outcomes: Iterable[str | None]) -> dict[str, int]:
    """How many callbacks ended each way (``CALLBACK_OUTCOMES``; None = none ended yet)."""
    found = list(outcomes)
    return {o: sum(1 for x in found if x == o) for o in CALLBACK_OUTCOMES}


def callback_rates(outcomes: Iterable[str | None]) -> dict[str, IndicatorValue]:
    """回访满意率 over the callbacks done (satisfied or dissatisfied) and 回访未接通率 over
    every callback concluded: unreachable and declined are not done, and counted apart."""
    n = callback_outcomes(outcomes)
    done = n["satisfied"] + n["dissatisfied"]
    return {
        "callback_satisfaction": formulas.callback_satisfaction(n["satisfied"], done),
        "callback_unreachable_rate": formulas.callback_unreachable_rate(
            n["unreachable"], done + n["unreachable"] + n["declined"]
        ),
    }


def appeal_outcomes(complaints: Iterable[ComplaintFact]) -> dict[str, int]:
    """Regulator appeals per recorded outcome (和解 / 不认可 / 知晓); others are not counted."""
    found = [c.appeal_outcome for c in complaints if c.regulator_appeal]
    return {o: sum(1 for x in found if x == o) for o in APPEAL_OUTCOMES}


def _recorded_hours(stage: StageFact) -> float | None:
    return None if stage.work_minutes is None else stage.work_minutes / 60.0


def average_handle_time(
    stages: Iterable[StageFact],
    hours_between: Callable[[datetime, datetime], float] | None = None,
) -> IndicatorValue:
    """平均处理时长（工作小时）over the finished stages (§4: working hours).

    A stage's working hours are those recorded on it (``work_minutes``); without a record,
    ``hours_between(start, end)`` (the business calendar's working hours) if given, else the
    stage is left out (``untimed_stages`` counts it): never 0 hours, never wall-clock hours.
    """
    hours = 0.0
    timed = 0
    for s in stages:
        if s.finished_at is None:
            continue
        measured = _recorded_hours(s)
        if measured is None and hours_between is not None and s.started_at is not None:
            measured = hours_between(s.started_at, s.finished_at)
        if measured is not None:
            hours += measured
            timed += 1
    return formulas.average_handle_time(hours, timed)


def untimed_stages(stages: Iterable[StageFact]) -> int:
    """Finished stages without working minutes on record: left out of the handle time."""
    return sum(1 for s in stages if s.finished_at is not None and s.work_minutes is None)


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
