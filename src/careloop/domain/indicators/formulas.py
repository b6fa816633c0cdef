"""The indicator formulas (质量指标, DOMAIN.md §4): the only copy of each, over counts.

The services count in SQL (``IndicatorCounts`` per unit and period) and the tests count
hand-made facts (``facts``); both hand the counts to the functions below, so the figure a
report prints is the formula the tests check.

Conventions that hold for every formula:

* **No data is not zero.** A rate whose denominator is zero (an empty period, a unit with no
  closed complaints, no subscribers on record) has ``value = None``; it never raises and never
  reports ``0``. "0 % on time" and "nothing finished" are different facts, and a report must be
  able to print "—" for the second.
* **Pool, never average rates.** Every value keeps its numerator and denominator so that
  provinces, groups of operators and longer periods are computed as Σ numerators ÷ Σ
  denominators (§4: "pool operators (sum ÷ sum), never average their rates"; ``rollup``).
* **The denominator says what it counts** (``denominator_definition``): values with
  different definitions refuse to pool.
* **Rates are in percent** (``95.0`` means 95 %); per-user rates are per million or per 10 000
  users as their names say; handle time is in working hours (the business calendar's).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from careloop.domain.indicators.users import UserBase, Users, as_user_base

PERCENT: Final = 100.0
PER_10K: Final = 10_000.0
PER_MILLION: Final = 1_000_000.0

DEFINITION_COMPLAINTS: Final = "complaints accepted in the period"
DEFINITION_CLOSED: Final = "complaints closed in the period"
DEFINITION_STAGES: Final = "stages finished in the period"
DEFINITION_CALLBACKS: Final = "callbacks done in the period"
DEFINITION_CALLBACKS_CONCLUDED: Final = (
    "callbacks concluded in the period (done, unreachable, declined)"
)
DEFINITION_TIMED: Final = "stages finished in the period with working time recorded"
DEFINITION_REPLIES_TIMED: Final = "replies in the period with working time recorded"
DEFINITION_ORDERS_TIMED: Final = "work orders finished in the period with working time recorded"
DEFINITION_INSPECTIONS: Final = "inspections submitted in the period"
DEFINITION_DIAL_TESTS: Final = "dial tests made in the period"
DEFINITION_EVALUATIONS: Final = (
    "customer evaluations in the period (callbacks done and surveys answered)"
)
DEFINITION_SURVEYS_ANSWERED: Final = "surveys answered in the period"
DEFINITION_SURVEYS_SENT: Final = "surveys sent in the period"
DEFINITION_SPAM_CASES_JUDGED: Final = (
    "spam enforcement cases judged in the period (acted on, or past their deadline untouched)"
)
DEFINITION_SPAM_CASES_HANDLED: Final = "spam enforcement cases judged in the period and acted on"


@dataclass(frozen=True)
class IndicatorValue:
    """A computed value with what it was computed from, so it can be pooled later.

    ``value = numerator ÷ denominator × scale``, or ``None`` when the denominator is zero.
    """

    indicator_id: str
    value: float | None
    numerator: float
    denominator: float
    denominator_definition: str
    scale: float = 1.0


def make_value(
    indicator_id: str,
    numerator: float,
    denominator: float,
    denominator_definition: str,
    scale: float = 1.0,
) -> IndicatorValue:
    """Build a value; a zero denominator (empty period) gives ``value=None``, not 0 or an error."""
    value = None if denominator == 0 else numerator / denominator * scale
    return IndicatorValue(
        indicator_id, value, numerator, denominator, denominator_definition, scale
    )


# ---------------------------------------------------------------------------------------------
# Shares of complaints, stages and callbacks (percent)
# ---------------------------------------------------------------------------------------------


def escalated_rate(escalated: int, complaints: int) -> IndicatorValue:
    """越级申诉率 (share): escalated complaints ÷ all complaints × 100."""
    return make_value("escalated_rate", escalated, complaints, DEFINITION_COMPLAINTS, PERCENT)


def repeat_rate(repeats: int, complaints: int) -> IndicatorValue:
    """重复投诉率: repeat complaints ÷ complaints × 100."""
    return make_value("repeat_rate", repeats, complaints, DEFINITION_COMPLAINTS, PERCENT)


def on_time_rate(on_time: int, finished: int) -> IndicatorValue:
    """及时率: stages finished within their limit ÷ stages finished × 100.

    Unfinished stages are not counted at all (the SLA clock watches them, they are not judged
    yet); a finished stage without a limit counts as on time, and so does finishing exactly at
    the limit (``facts.is_on_time``).
    """
    return make_value("on_time_rate", on_time, finished, DEFINITION_STAGES, PERCENT)


def first_contact_resolution(resolved: int, closed: int) -> IndicatorValue:
    """一次性解决率: closed complaints neither reopened nor repeats ÷ closed complaints × 100."""
    return make_value("first_contact_resolution", resolved, closed, DEFINITION_CLOSED, PERCENT)


def callback_satisfaction(
    satisfied: int, done: int, surveys_satisfied: int = 0, surveys_answered: int = 0
) -> IndicatorValue:
    """回访满意率: satisfied evaluations ÷ evaluations × 100.

    An evaluation is the customer's own word on how the complaint ended, recorded in the
    period: a callback done (the customer was reached and said satisfied or dissatisfied)
    or a post-service survey answered (satisfied by the template's overall question,
    ``domain.surveys.is_satisfied``). A customer who answers the survey after a satisfied
    callback has evaluated twice and counts twice: each evaluation is a fact of its own
    period, so the counts stay additive and pool across units and periods. Customers
    unreachable, callbacks declined and surveys unanswered are left out (counted apart:
    ``callback_unreachable_rate``, ``survey_response_rate``).

    The denominator is always defined as evaluations (a unit without surveys has only
    callbacks among them), so every unit's value pools with every other's.
    """
    return make_value(
        "callback_satisfaction",
        satisfied + surveys_satisfied,
        done + surveys_answered,
        DEFINITION_EVALUATIONS,
        PERCENT,
    )


def survey_satisfaction(satisfied: int, answered: int) -> IndicatorValue:
    """调查满意率: surveys answered satisfied ÷ surveys answered × 100 (both in the period,
    by the answer's time; satisfied by the template's overall question)."""
    return make_value(
        "survey_satisfaction", satisfied, answered, DEFINITION_SURVEYS_ANSWERED, PERCENT
    )


def survey_response_rate(answered: int, sent: int) -> IndicatorValue:
    """调查回复率: surveys sent in the period and answered ÷ surveys sent in the period × 100.

    Both by the send time, so a survey sent on the 31st and answered on the 1st counts in
    the month it was sent (the link is open a few days; a rate over different cohorts
    could pass 100 %)."""
    return make_value("survey_response_rate", answered, sent, DEFINITION_SURVEYS_SENT, PERCENT)


def average_handle_time(hours: float, stages: int) -> IndicatorValue:
    """平均处理时长（工作小时）: Σ working hours ÷ stages timed (§4: "average handle time per
    stage: working hours").

    The working hours are the business calendar's (``services.sla`` records them on the
    ticket at every transition: a reply's from acceptance net of customer waits, a work
    order's from dispatch to finish); a stage finished without them is left out and counted
    apart (``IndicatorCounts.untimed``), never as 0 hours and never in wall-clock hours.
    """
    return make_value("average_handle_time", hours, stages, DEFINITION_TIMED)


def reply_handle_time(hours: float, replies: int) -> IndicatorValue:
    """平均答复时长（工作小时）: the reply stage alone, acceptance → reply, net of waits."""
    return make_value("reply_handle_time", hours, replies, DEFINITION_REPLIES_TIMED)


def work_order_handle_time(hours: float, orders: int) -> IndicatorValue:
    """平均工单处理时长（工作小时）: the work-order stage alone, dispatch → finish."""
    return make_value("work_order_handle_time", hours, orders, DEFINITION_ORDERS_TIMED)


def callback_unreachable_rate(unreachable: int, concluded: int) -> IndicatorValue:
    """回访未接通率: callbacks closed as customer unreachable ÷ callbacks concluded × 100.

    Concluded = done (satisfied or dissatisfied) + unreachable + declined: every callback
    loop that ended. Unreachable and declined callbacks are not "done" (they are not in
    ``callback_satisfaction``'s denominator) and are counted apart, here and as counts.
    """
    return make_value(
        "callback_unreachable_rate", unreachable, concluded, DEFINITION_CALLBACKS_CONCLUDED,
        PERCENT,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Supervision: inspections (明察暗访) and dial tests (拨测)
# ---------------------------------------------------------------------------------------------


def inspection_compliance_rate(compliant: int, inspections: int) -> IndicatorValue:
    """暗访达标率: inspections judged compliant (达标: at the checklist's pass mark, no mandatory
    item failed; ``domain.supervision.scoring``) ÷ inspections submitted × 100."""
    return make_value(
        "inspection_compliance_rate", compliant, inspections, DEFINITION_INSPECTIONS, PERCENT
    )


def mean_inspection_score(score_total: float, inspections: int) -> IndicatorValue:
    """检查平均得分: Σ scores (0–100) ÷ inspections submitted; pools as Σ ÷ Σ like a rate."""
    return make_value("mean_inspection_score", score_total, inspections, DEFINITION_INSPECTIONS)


def dial_test_answer_rate(answered_within: int, dial_tests: int) -> IndicatorValue:
    """拨测接通率: dial tests answered within N seconds (``domain.supervision.dial_tests``,
    20 s by default) ÷ dial tests made × 100; busy, unanswered and abandoned calls count
    in the denominator."""
    return make_value(
        "dial_test_answer_rate", answered_within, dial_tests, DEFINITION_DIAL_TESTS, PERCENT
    )


# ---------------------------------------------------------------------------------------------
# Spam-SMS governance (垃圾短信治理): enforcement cases; which case counts is domain.spam.figures
# ---------------------------------------------------------------------------------------------


def spam_handling_rate(handled: int, judged: int) -> IndicatorValue:
    """垃圾短信处置率: enforcement cases acted on (a first sanction: warn, throttle, suspend,
    close) ÷ cases judged in the period × 100. Which cases are judged in a period, and when
    one counts as acted on, is ``domain.spam.figures.count_case``."""
    return make_value("spam_handling_rate", handled, judged, DEFINITION_SPAM_CASES_JUDGED, PERCENT)


def spam_on_time_rate(on_time: int, handled: int) -> IndicatorValue:
    """垃圾短信及时处置率: of the cases judged in the period and acted on, those whose first
    sanction came by the deadline (at the due instant itself is in time) × 100."""
    return make_value("spam_on_time_rate", on_time, handled, DEFINITION_SPAM_CASES_HANDLED, PERCENT)


# ---------------------------------------------------------------------------------------------
# Per user (per million, per 10 000)
# ---------------------------------------------------------------------------------------------


def appeals_per_million(
    appeals: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """百万用户申诉率: regulator-accepted appeals ÷ users × 10⁶.

    ``users`` a number (then ``denominator_definition`` names it), a ``UserBase`` or subscriber
    counts (pooled by ``users.user_base``). Several operators or regions: pass all their
    appeals and all their counts — the result is Σ appeals ÷ Σ users, never the mean of their
    rates.
    """
    base = as_user_base(users, denominator_definition)
    return make_value("appeals_per_million", appeals, base.users, base.definition, PER_MILLION)


def escalated_per_million(
    escalated: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """越级申诉率 (per user): escalated complaints ÷ users × 10⁶."""
    base = as_user_base(users, denominator_definition)
    return make_value("escalated_per_million", escalated, base.users, base.definition, PER_MILLION)


def complaints_per_10k(
    complaints: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """万户投诉率: complaints ÷ users × 10 000."""
    base = as_user_base(users, denominator_definition)
    return make_value("complaints_per_10k", complaints, base.users, base.definition, PER_10K)


def spam_reports_per_million(
    reports: int, users: Users, *, denominator_definition: str = "users"
) -> IndicatorValue:
    """垃圾短信举报率: spam reports by people (complaints, SMS forwarded to the reporting
    number, 12321 transfers; not the SMS centre's interceptions) ÷ users × 10⁶, over the same
    subscriber counts as the complaint indicators. Per user, so judged per year like the
    appeals (``catalogue.PER_USER``)."""
    base = as_user_base(users, denominator_definition)
    return make_value("spam_reports_per_million", reports, base.users, base.definition, PER_MILLION)


# ---------------------------------------------------------------------------------------------
# Every indicator of one unit and period
# ---------------------------------------------------------------------------------------------


@dataclass
class IndicatorCounts:
    """The numerators and denominators of every indicator, for one unit (or person) and period.

    Counts add up (``+=``): a region's counts are the sum of the counts of the units below it,
    which is what pooling (Σ ÷ Σ) means.
    """

    complaints: int = 0
    escalated: int = 0
    appeals: int = 0
    repeats: int = 0
    closed: int = 0
    resolved_first_time: int = 0
    stages: int = 0
    stages_on_time: int = 0
    handled: int = 0
    """Work orders finished with their working minutes recorded."""
    handle_hours: float = 0.0
    """Their working hours (dispatch → finish)."""
    replies_timed: int = 0
    """Replies with their working minutes recorded."""
    reply_hours: float = 0.0
    """Their working hours (acceptance → reply, net of customer waits)."""
    untimed: int = 0
    """Stages finished without working minutes on record (before they were recorded): left
    out of the handle times and reported, never counted as 0 hours."""
    callbacks: int = 0
    """Callbacks done: the customer was reached and gave an opinion."""
    callbacks_satisfied: int = 0
    callbacks_unreachable: int = 0
    """Callback loops closed because the customer could not be reached (counted apart)."""
    callbacks_declined: int = 0
    """Customers who declined the callback (counted apart)."""
    appeals_settled: int = 0
    """Regulator appeals settled with the customer (和解)."""
    appeals_not_accepted: int = 0
    """Regulator appeals whose answer the customer did not accept (不认可)."""
    appeals_informed: int = 0
    """Regulator appeals where the customer was informed (知晓)."""
    inspections: int = 0
    """Inspections submitted in the period (by the inspected subject's region)."""
    inspections_compliant: int = 0
    """Of those, compliant (达标)."""
    inspection_score_total: float = 0.0
    """Σ of their scores (0–100 each)."""
    dial_tests: int = 0
    """Dial tests made in the period (by the hotline's region)."""
    dial_tests_answered: int = 0
    """Of those, answered within the dial-test service level."""
    surveys_answered: int = 0
    """Post-service surveys answered in the period (by the answer's time): evaluations."""
    surveys_satisfied: int = 0
    """Of those, answered satisfied (the template's overall question)."""
    surveys_sent: int = 0
    """Surveys sent in the period (by the send time)."""
    surveys_sent_answered: int = 0
    """Of the surveys sent in the period, those answered (so far)."""
    spam_reports: int = 0
    """Spam reports by people received in the period (by the region filed under)."""
    spam_cases_judged: int = 0
    """Spam enforcement cases judged in the period (by the case's region)."""
    spam_cases_handled: int = 0
    """Of those, acted on by the end of the period."""
    spam_cases_on_time: int = 0
    """Of those acted on, by their deadline."""

    def __iadd__(self, other: IndicatorCounts) -> IndicatorCounts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def indicator_values(
    counts: IndicatorCounts, users: UserBase | None = None
) -> dict[str, IndicatorValue]:
    """Every catalogue indicator from one unit's counts; the per-user ones only with ``users``
    (a person or a unit without subscribers on record has no per-user figures)."""
    values = {
        "escalated_rate": escalated_rate(counts.escalated, counts.complaints),
        "repeat_rate": repeat_rate(counts.repeats, counts.complaints),
        "on_time_rate": on_time_rate(counts.stages_on_time, counts.stages),
        "first_contact_resolution": first_contact_resolution(
            counts.resolved_first_time, counts.closed
        ),
        "callback_satisfaction": callback_satisfaction(
            counts.callbacks_satisfied,
            counts.callbacks,
            counts.surveys_satisfied,
            counts.surveys_answered,
        ),
        "callback_unreachable_rate": callback_unreachable_rate(
            counts.callbacks_unreachable,
            counts.callbacks + counts.callbacks_unreachable + counts.callbacks_declined,
        ),
        "average_handle_time": average_handle_time(
            counts.handle_hours + counts.reply_hours, counts.handled + counts.replies_timed
        ),
        "reply_handle_time": reply_handle_time(counts.reply_hours, counts.replies_timed),
        "work_order_handle_time": work_order_handle_time(counts.handle_hours, counts.handled),
        "inspection_compliance_rate": inspection_compliance_rate(
            counts.inspections_compliant, counts.inspections
        ),
        "mean_inspection_score": mean_inspection_score(
            counts.inspection_score_total, counts.inspections
        ),
        "dial_test_answer_rate": dial_test_answer_rate(
            counts.dial_tests_answered, counts.dial_tests
        ),
        "survey_satisfaction": survey_satisfaction(
            counts.surveys_satisfied, counts.surveys_answered
        ),
        "survey_response_rate": survey_response_rate(
            counts.surveys_sent_answered, counts.surveys_sent
        ),
        "spam_handling_rate": spam_handling_rate(
            counts.spam_cases_handled, counts.spam_cases_judged
        ),
        "spam_on_time_rate": spam_on_time_rate(
            counts.spam_cases_on_time, counts.spam_cases_handled
        ),
    }
    if users is not None:
        values["appeals_per_million"] = appeals_per_million(counts.appeals, users)
        values["escalated_per_million"] = escalated_per_million(counts.escalated, users)
        values["complaints_per_10k"] = complaints_per_10k(counts.complaints, users)
        values["spam_reports_per_million"] = spam_reports_per_million(counts.spam_reports, users)
    return values
