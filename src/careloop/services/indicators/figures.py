"""Quality indicators from the store (DOMAIN.md §4): counts per unit, figures per region, KPIs.

The arithmetic is ``domain.indicators`` (``formulas``, ``rollup``, ``scorecards``); this module
only counts. Every figure comes from a handful of ``GROUP BY`` queries per period (one per
fact table: complaints accepted, complaints closed, replies, work orders finished,
callbacks), grouped by the complaint's region, so a province with 10⁶ complaints costs the
same number of round trips as a test with ten. Counts per leaf region
(``formulas.IndicatorCounts``) become ``IndicatorValue``s through the domain's formulas, and
every org node's value is ``pool``ed (Σ ÷ Σ) from the leaves under it — never an average of
rates. The org tree, the user bases, the edited objectives and the engine-specific SQL are
the sibling modules ``org_tree``, ``subscribers``, ``objectives`` and ``sql``.

What is counted (stated once, here):

* **complaints** — accepted in the period, except rejected (不予受理: not a complaint) and
  merged ones (counted once, in the complaint they were merged into);
* **closed** — closed in the period by a callback (status closed or archived); cancelled,
  rejected and merged ones are not "resolved" or "unresolved";
* **stages** for the on-time rate — the reply stage of complaints replied in the period
  (limit: ``reply_due_at``, never later than the regulatory ``outer_due_at``) and work orders
  finished in the period (limit: ``due_at``). The stored limits are moved at every
  transition, pause, resume, calendar and policy change (``services.sla``), so the rate is
  the same before and after a sweep; nothing here reads ``sla_state`` or ``sla_breached_at``,
  which only the sweep writes;
* **callbacks** — callback outcomes recorded in the period, by their audit action
  (``domain.callbacks.OUTCOME_OF_ACTION``): satisfied and dissatisfied are *done*;
  unreachable and declined are counted apart;
* **surveys** — post-service surveys answered in the period (by the answer's time) are
  customer evaluations beside the callbacks done: 回访满意率 = (satisfied callbacks +
  surveys answered satisfied) ÷ (callbacks done + surveys answered); 调查满意率 over the
  surveys answered alone; 调查回复率 = answered ÷ sent over the surveys sent in the period;
* **appeal outcomes** — regulator appeals accepted in the period, by their recorded outcome
  (和解 / 不认可 / 知晓; none yet: not counted in any);
* **handle time** — the same stages, in the working minutes recorded on them
  (``reply_work_minutes``: acceptance → reply net of customer waits; ``work_minutes``:
  dispatch → finish). A stage finished without them (before they were recorded) is left out
  of the mean and counted in ``untimed``, never as 0 hours or in wall-clock hours;
* **users** — imported subscriber counts (``subscriber_counts``) of the months the period
  touches; a node without its own count uses the sum of its children's (a city's count, or
  its counties' counts, never both).

Periods (local days in Asia/Shanghai, ten-day periods, months) are ``domain.indicators.periods``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from careloop.domain.callbacks import OUTCOME_OF_ACTION, CallbackOutcome
from careloop.domain.indicators import catalogue as indicator_catalogue
from careloop.domain.indicators import facts, formulas, periods, rollup, scorecards
from careloop.domain.indicators.catalogue import PER_USER, Indicator, ObjectiveStatus
from careloop.domain.indicators.formulas import IndicatorCounts, IndicatorValue
from careloop.domain.indicators.periods import Period
from careloop.domain.indicators.users import UserBase
from careloop.domain.supervision.accountability import with_deductions
from careloop.services.access.actors import Actor
from careloop.services.indicators.objectives import catalogue, scheme
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.indicators.sql import count_if
from careloop.services.indicators.subscribers import UserBases
from careloop.services.spam import figures as spam_figures
from careloop.services.supervision import accountability
from careloop.services.supervision import scores as inspection_scores
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, Staff, WorkOrder
from careloop.store.models.surveys import Survey

NOT_COUNTED_STATUSES: Final = ("rejected", "merged")
CLOSED_STATUSES: Final = ("closed", "archived")
CALLBACK_ACTIONS: Final = tuple(OUTCOME_OF_ACTION)
"""The audit actions that end a callback loop, one per outcome."""
REPORTED: Final = (
    "complaints_per_10k",
    "appeals_per_million",
    "escalated_per_million",
    "escalated_rate",
    "repeat_rate",
    "on_time_rate",
    "first_contact_resolution",
    "callback_satisfaction",
    "callback_unreachable_rate",
    "average_handle_time",
    "reply_handle_time",
    "work_order_handle_time",
    "inspection_compliance_rate",
    "mean_inspection_score",
    "dial_test_answer_rate",
    "survey_satisfaction",
    "survey_response_rate",
    "spam_reports_per_million",
    "spam_handling_rate",
    "spam_on_time_rate",
)


def counted() -> ColumnElement[bool]:
    """Complaints the indicators count: not rejected (不予受理, not a complaint) and not merged
    (counted once, in the complaint they were merged into)."""
    return Complaint.status.not_in(NOT_COUNTED_STATUSES)


def reply_on_time() -> ColumnElement[bool]:
    """``domain.indicators.facts.is_on_time`` for the reply stage, in SQL: replied by its limit
    (exactly at the limit is on time), the limit being the internal one but never later than
    the regulatory outer limit (``facts.reply_limit``); no limit at all is on time."""
    return (Complaint.reply_due_at.is_(None) | (Complaint.replied_at <= Complaint.reply_due_at)) & (
        Complaint.outer_due_at.is_(None) | (Complaint.replied_at <= Complaint.outer_due_at)
    )


def reply_late_by(end: datetime) -> ColumnElement[bool]:
    """A reply that missed its limit, or no reply by a limit that fell before ``end``."""
    internal = Complaint.reply_due_at.is_not(None) & (
        (Complaint.replied_at > Complaint.reply_due_at)
        | (Complaint.replied_at.is_(None) & (Complaint.reply_due_at < end))
    )
    outer = Complaint.outer_due_at.is_not(None) & (
        (Complaint.replied_at > Complaint.outer_due_at)
        | (Complaint.replied_at.is_(None) & (Complaint.outer_due_at < end))
    )
    return internal | outer


def work_order_on_time() -> ColumnElement[bool]:
    """``facts.is_on_time`` for a work order, in SQL (every work order has a limit)."""
    return WorkOrder.finished_at <= WorkOrder.due_at


# ---------------------------------------------------------------------------------------------
# Facts: aggregate counts per leaf (the complaint's region, or its first owner)
# ---------------------------------------------------------------------------------------------


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def tallies(
    uow: UnitOfWork,
    period: Period,
    unit_ids: Sequence[int] | None = None,
    by: Literal["region", "owner"] = "region",
    as_of: datetime | None = None,
) -> dict[int, IndicatorCounts]:
    """Aggregate facts for the period, keyed by the complaint's region id (or first owner id).

    Seven GROUP BY queries, whatever the number of complaints. ``unit_ids`` restricts to
    complaints whose region lies in those units (an org subtree). ``as_of``: the instant the
    figures are made, for a period still running (spam cases whose deadline is still ahead
    are not judged yet; ``services.spam.figures.unit_counts``).
    """
    start, end = period.bounds()
    key = Complaint.region_id if by == "region" else Complaint.first_owner_id
    scope: list[ColumnElement[bool]] = []
    if unit_ids is not None:
        scope.append(Complaint.region_id.in_(list(unit_ids)))
    result: dict[int, IndicatorCounts] = defaultdict(IndicatorCounts)
    session = uow.session

    accepted = session.execute(
        select(
            key,
            func.count(),
            count_if(Complaint.escalated.is_(True)),
            count_if(Complaint.regulator_transfer.is_(True)),
            count_if(Complaint.is_repeat.is_(True)),
            *[
                count_if(
                    Complaint.regulator_transfer.is_(True) & (Complaint.appeal_outcome == outcome)
                )
                for outcome in facts.APPEAL_OUTCOMES
            ],
        )
        .where(_in(Complaint.accepted_at, start, end), counted(), *scope)
        .group_by(key)
    ).all()
    for k, n, escalated, appeals, repeats, settled, not_accepted, informed in accepted:
        t = result[k]
        t.complaints, t.escalated, t.appeals, t.repeats = n, escalated, appeals, repeats
        t.appeals_settled, t.appeals_not_accepted, t.appeals_informed = (
            settled,
            not_accepted,
            informed,
        )

    closed = session.execute(
        select(
            key,
            func.count(),
            count_if(and_(Complaint.reopen_count == 0, Complaint.is_repeat.is_(False))),
        )
        .where(_in(Complaint.closed_at, start, end), Complaint.status.in_(CLOSED_STATUSES), *scope)
        .group_by(key)
    ).all()
    for k, n, resolved in closed:
        result[k].closed, result[k].resolved_first_time = n, resolved

    replies = session.execute(
        select(
            key,
            func.count(),
            count_if(reply_on_time()),
            func.count(Complaint.reply_work_minutes),
            func.coalesce(func.sum(Complaint.reply_work_minutes), 0),
        )
        .where(_in(Complaint.replied_at, start, end), counted(), *scope)
        .group_by(key)
    ).all()
    for k, n, on_time, timed, minutes in replies:
        t = result[k]
        t.stages += n
        t.stages_on_time += on_time
        t.replies_timed += timed
        t.reply_hours += float(minutes or 0) / 60.0
        t.untimed += n - timed

    orders = session.execute(
        select(
            key,
            func.count(),
            count_if(work_order_on_time()),
            func.count(WorkOrder.work_minutes),
            func.coalesce(func.sum(WorkOrder.work_minutes), 0),
        )
        .join(Complaint, Complaint.id == WorkOrder.complaint_id)
        .where(_in(WorkOrder.finished_at, start, end), *scope)
        .group_by(key)
    ).all()
    for k, n, on_time, timed, minutes in orders:
        t = result[k]
        t.stages += n
        t.stages_on_time += on_time
        t.handled += timed
        t.handle_hours += float(minutes or 0) / 60.0
        t.untimed += n - timed

    callbacks = session.execute(
        select(key, Event.action, func.count())
        .join(Complaint, Complaint.id == Event.complaint_id)
        .where(_in(Event.at, start, end), Event.action.in_(CALLBACK_ACTIONS), *scope)
        .group_by(key, Event.action)
    ).all()
    for k, action, n in callbacks:
        _add_callbacks(result[k], OUTCOME_OF_ACTION[action], n)
    _add_surveys(uow, result, key, scope, start, end)
    if by == "region":  # inspections and dial tests count by the region inspected
        inspection_scores.add_counts(uow, result, start, end, unit_ids)
        # spam reports by the region filed under, enforcement cases by the case's region
        spam_figures.add_counts(uow, result, start, end, unit_ids, as_of)
    return dict(result)


def _add_surveys(
    uow: UnitOfWork,
    result: dict[int, IndicatorCounts],
    key: Any,
    scope: list[ColumnElement[bool]],
    start: datetime,
    end: datetime,
) -> None:
    """Post-service surveys (services.surveys): answered in the period are evaluations
    (callback satisfaction, survey satisfaction); sent in the period are the response
    rate's cohort. Counted by the complaint's region (or first owner), like the callbacks."""
    answered = uow.session.execute(
        select(key, func.count(), count_if(Survey.satisfied.is_(True)))
        .join(Complaint, Complaint.id == Survey.complaint_id)
        .where(_in(Survey.answered_at, start, end), *scope)
        .group_by(key)
    ).all()
    for k, n, satisfied in answered:
        result[k].surveys_answered += n
        result[k].surveys_satisfied += satisfied
    sent = uow.session.execute(
        select(key, func.count(), count_if(Survey.answered_at.is_not(None)))
        .join(Complaint, Complaint.id == Survey.complaint_id)
        .where(_in(Survey.sent_at, start, end), *scope)
        .group_by(key)
    ).all()
    for k, n, replied in sent:
        result[k].surveys_sent += n
        result[k].surveys_sent_answered += replied


def _add_callbacks(t: IndicatorCounts, outcome: CallbackOutcome, n: int) -> None:
    """Satisfied and dissatisfied are callbacks done; unreachable and declined are not."""
    if outcome in (CallbackOutcome.SATISFIED, CallbackOutcome.DISSATISFIED):
        t.callbacks += n
        if outcome is CallbackOutcome.SATISFIED:
            t.callbacks_satisfied += n
    elif outcome is CallbackOutcome.UNREACHABLE:
        t.callbacks_unreachable += n
    else:
        t.callbacks_declined += n


# ---------------------------------------------------------------------------------------------
# Indicator tables: a node and its child regions, with 环比 and 同比
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    value: IndicatorValue
    judged_value: float | None
    """The value judged against the objective (per-user indicators annualised)."""
    status: ObjectiveStatus
    previous: IndicatorValue | None
    last_year: IndicatorValue | None
    period_on_period: float | None
    year_on_year: float | None


@dataclass
class NodeIndicators:
    node: Node
    tally: IndicatorCounts
    rows: dict[str, IndicatorRow] = field(default_factory=dict)


def _counts_below(
    tree: OrgTree, node: Node, leaves: Mapping[int, IndicatorCounts]
) -> list[IndicatorCounts]:
    """The counts of ``node`` itself and of every unit below it."""
    return [
        counts
        for unit_id, counts in leaves.items()
        if (unit := tree.nodes.get(unit_id)) is not None and unit.path.startswith(node.path)
    ]


def _subtree_tally(
    tree: OrgTree, node: Node, leaves: Mapping[int, IndicatorCounts]
) -> IndicatorCounts:
    total = IndicatorCounts()
    for counts in _counts_below(tree, node, leaves):
        total += counts
    return total


def node_values(
    tree: OrgTree,
    node: Node,
    leaves: Mapping[int, IndicatorCounts],
    users: UserBase,
) -> tuple[IndicatorCounts, dict[str, IndicatorValue]]:
    """A node's counts and values: each share pooled from the units below it (Σ numerators ÷
    Σ denominators, ``rollup.pool``), the per-user figures over the node's own user base."""
    per_leaf: dict[str, list[IndicatorValue]] = defaultdict(list)
    for counts in _counts_below(tree, node, leaves):
        for indicator_id, value in formulas.indicator_values(counts).items():
            per_leaf[indicator_id].append(value)
    total = _subtree_tally(tree, node, leaves)
    empty = formulas.indicator_values(IndicatorCounts())
    pooled = {k: rollup.pool(per_leaf[k]) or empty[k] for k in empty}
    per_user = formulas.indicator_values(total, users)
    for indicator_id in PER_USER:
        pooled[indicator_id] = per_user[indicator_id]
    return total, pooled


@dataclass
class IndicatorReport:
    period: Period
    previous: Period
    last_year: Period
    root: NodeIndicators
    children: list[NodeIndicators]
    catalogue: dict[str, Indicator]


def indicator_report(
    uow: UnitOfWork,
    period: Period,
    region_code: str | None = None,
    actor: Actor | None = None,
    as_of: datetime | None = None,
) -> IndicatorReport:
    """Indicators of a region and of each region directly below it, with 环比 and 同比
    (``as_of``: the instant the report is made, for a period still running; see ``tallies``)."""
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    units = tree.within(root)
    cat = catalogue(uow)
    compared = (period, periods.previous_period(period), periods.same_period_last_year(period))
    computed = []
    for p in compared:
        leaves = tallies(uow, p, units, as_of=as_of)
        bases = UserBases(uow, tree, p)
        computed.append((leaves, bases))

    def build(node: Node) -> NodeIndicators:
        results = [node_values(tree, node, leaves, bases.base(node)) for leaves, bases in computed]
        (tally, now_values), (_, prev_values), (_, ly_values) = results
        out = NodeIndicators(node, tally)
        for indicator_id in REPORTED:
            value = now_values[indicator_id]
            prev, ly = prev_values[indicator_id], ly_values[indicator_id]
            judged_value = periods.judged_value(value, period)
            out.rows[indicator_id] = IndicatorRow(
                cat[indicator_id],
                value,
                judged_value,
                indicator_catalogue.evaluate(judged_value, cat[indicator_id]),
                prev,
                ly,
                periods.period_on_period(value.value, prev.value),
                periods.year_on_year(value.value, ly.value),
            )
        return out

    return IndicatorReport(
        period,
        compared[1],
        compared[2],
        build(root),
        [build(child) for child in tree.children(root)],
        cat,
    )


# ---------------------------------------------------------------------------------------------
# KPI scorecards
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardRow:
    subject_code: str
    subject_name: str
    card: scorecards.Scorecard


def _escalated_late(
    uow: UnitOfWork, period: Period, units: Sequence[int], as_of: datetime | None = None
) -> dict[int, int]:
    """Escalated complaints accepted in the period whose reply missed its limit, per region:
    the severe failure that vetoes a unit's score (越级投诉超时, DOMAIN.md §2).

    A complaint not yet replied is late once its limit has passed: by the end of the period,
    or by ``as_of`` when that comes first (a report on the running month must not call a
    complaint late whose limit is still ahead)."""
    start, end = period.bounds()
    end_of_judging = end if as_of is None else min(end, as_of)
    rows = uow.session.execute(
        select(Complaint.region_id, func.count())
        .where(
            _in(Complaint.accepted_at, start, end),
            Complaint.escalated.is_(True),
            counted(),
            reply_late_by(end_of_judging),
            Complaint.region_id.in_(list(units)),
        )
        .group_by(Complaint.region_id)
    ).all()
    return {region_id: n for region_id, n in rows}


def unit_scorecards(
    uow: UnitOfWork,
    period: Period,
    region_code: str | None = None,
    actor: Actor | None = None,
    as_of: datetime | None = None,
) -> list[ScorecardRow]:
    """One scorecard per region directly below the report's region (``as_of``: the instant
    the report is made, for the veto on escalated complaints not yet answered)."""
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    units = tree.within(root)
    leaves = tallies(uow, period, units, as_of=as_of)
    bases = UserBases(uow, tree, period)
    late = _escalated_late(uow, period, units, as_of)
    cat = catalogue(uow)
    plan = scheme(uow, "unit")
    cards = []
    for child in tree.children(root) or [root]:
        _, values = node_values(tree, child, leaves, bases.base(child))
        annualised = periods.judged_values(values, period)
        failures = sum(n for uid, n in late.items() if tree.nodes[uid].path.startswith(child.path))
        events = (
            [f"越级投诉超时未答复 {failures} 件 / {failures} escalated complaint(s) answered late"]
            if failures
            else []
        )
        card = scorecards.scorecard(
            annualised, plan.weights, catalogue=cat, veto_rules=plan.veto_rules, veto_events=events
        )
        # Responsibility cases decided in the period: points off, or the one-vote veto.
        card = with_deductions(card, accountability.penalties_within(uow, child.path, period))
        cards.append(ScorecardRow(child.code, child.name_zh, card))
    return cards


def staff_scorecards(
    uow: UnitOfWork,
    period: Period,
    region_code: str | None = None,
    actor: Actor | None = None,
    min_complaints: int = 1,
) -> list[ScorecardRow]:
    """One scorecard per first-question owner with complaints in the region and period."""
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    by_owner = tallies(uow, period, tree.within(root), by="owner")
    cat = catalogue(uow)
    plan = scheme(uow, "staff")
    names = dict(
        uow.session.execute(
            select(Staff.id, Staff.display_name).where(Staff.id.in_(list(by_owner)))
        ).all()
    )
    usernames = dict(
        uow.session.execute(
            select(Staff.id, Staff.username).where(Staff.id.in_(list(by_owner)))
        ).all()
    )
    cards = []
    for staff_id, tally in sorted(by_owner.items(), key=lambda kv: usernames.get(kv[0], "")):
        if tally.complaints + tally.closed + tally.stages < min_complaints:
            continue
        card = scorecards.scorecard(
            formulas.indicator_values(tally),
            plan.weights,
            catalogue=cat,
            veto_rules=plan.veto_rules,
        )
        cards.append(ScorecardRow(usernames.get(staff_id, str(staff_id)), names.get(staff_id, ""),
                                  card))  # fmt: skip
    return cards


# ---------------------------------------------------------------------------------------------
# Complaint facts one by one: for tests and audits only (reports use the aggregates above)
# ---------------------------------------------------------------------------------------------


def complaint_facts(
    uow: UnitOfWork, period: Period, unit_ids: Sequence[int] | None = None
) -> Iterator[facts.ComplaintFact]:
    """Complaints accepted in the period as domain facts, streamed (to check the aggregates
    against the domain's own formulas, as the acceptance tests do)."""
    start, end = period.bounds()
    query = select(
        Complaint.id,
        Complaint.accepted_at,
        Complaint.region_id,
        Complaint.category,
        Complaint.escalated,
        Complaint.regulator_transfer,
        Complaint.is_repeat,
        Complaint.closed_at,
        Complaint.reopen_count,
        Complaint.reply_due_at,
        Complaint.replied_at,
        Complaint.outer_due_at,
        Complaint.reply_work_minutes,
        Complaint.callback_outcome,
        Complaint.appeal_outcome,
    ).where(
        _in(Complaint.accepted_at, start, end),
        counted(),
    )
    if unit_ids is not None:
        query = query.where(Complaint.region_id.in_(list(unit_ids)))
    for row in uow.session.execute(query.execution_options(yield_per=2000)):
        yield facts.ComplaintFact(
            id=row.id,
            accepted_at=row.accepted_at,
            region_code=str(row.region_id),
            category_code=row.category,
            escalated=row.escalated,
            regulator_appeal=row.regulator_transfer,
            is_repeat=row.is_repeat,
            closed_at=row.closed_at,
            reopened=row.reopen_count > 0,
            reply_due_at=row.reply_due_at,
            replied_at=row.replied_at,
            outer_due_at=row.outer_due_at,
            reply_work_minutes=row.reply_work_minutes,
            callback_outcome=row.callback_outcome,
            appeal_outcome=row.appeal_outcome,
        )
