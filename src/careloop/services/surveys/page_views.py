"""What the supervisors' survey pages read beyond ``results``: the answered surveys behind
one unit's or agent's row (the drill-down), the month-by-month totals for the trend, and the
record of a results export.

Scoped and masked like every complaint read: a city's lead sees the surveys of the
complaints they may see (``services.access.scope.visible_to``); a customer's number and any
number or ID written into a free-text answer are masked for roles that may not see
personal data (``domain.privacy``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select

from careloop.domain import permissions, privacy
from careloop.domain.errors import InvalidInput
from careloop.domain.indicators import formulas
from careloop.domain.indicators.periods import LOCAL_TZ, Period, local_midnight
from careloop.domain.surveys import Question
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.surveys.read_models import AnswerView, SurveyView
from careloop.services.surveys.results import complaint_surveys
from careloop.services.surveys.templates import READ, template_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, Staff
from careloop.store.models.surveys import Survey

DRILL_LIMIT = 200
"""At most this many answered surveys on one drill-down page, newest first."""


@dataclass(frozen=True)
class AnsweredSurvey:
    """One answered survey as the drill-down lists it."""

    survey_id: int
    complaint_id: int
    complaint_number: str
    customer_phone: str
    """Masked unless the reader may see personal data."""
    answered_at: datetime
    satisfied: bool | None
    answers: list[AnswerView]
    unit_name: str
    agent_name: str


@dataclass(frozen=True)
class Drill:
    """The answered surveys of one unit or agent in a period, and whose they are."""

    by: str
    key: str
    name: str
    surveys: list[AnsweredSurvey]
    more: bool
    """True when more than ``DRILL_LIMIT`` were answered (the newest are shown)."""


@dataclass(frozen=True)
class MonthTotal:
    """One month's surveys within the reader's scope, for the trend chart."""

    month: date
    sent: int
    answered: int
    satisfied: int
    response_rate: float | None
    satisfaction: float | None


def answered_surveys(
    uow: UnitOfWork,
    actor: Actor,
    period: Period,
    by: str,
    key: str,
    lang: str = "zh",
) -> Drill:
    """The surveys answered in ``period`` for one unit (``by="unit"``, its code) or agent
    (``by="agent"``, the username), newest first, within the actor's scope."""
    permissions.check_permission(READ, actor.role)
    owner_id: int | None
    if by == "unit":
        unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == key))
        name = (unit.name_en if lang == "en" else unit.name_zh) if unit else key
        owner_id, column = (unit.id if unit else None), Survey.unit_id
    elif by == "agent":
        agent = uow.session.scalar(select(Staff).where(Staff.username == key))
        name = agent.display_name if agent else key
        owner_id, column = (agent.id if agent else None), Survey.agent_id
    else:
        raise InvalidInput("by", "应为 unit 或 agent / must be unit or agent")
    if owner_id is None:
        return Drill(by, key, name, [], False)
    start, end = period.bounds()
    rows = uow.session.execute(
        select(Survey, Complaint, OrgUnit, Staff)
        .join(Complaint, Complaint.id == Survey.complaint_id)
        .join(OrgUnit, OrgUnit.id == Survey.unit_id)
        .join(Staff, Staff.id == Survey.agent_id)
        .where(
            column == owner_id,
            Survey.answered_at >= start,
            Survey.answered_at < end,
            scope.visible_to(actor),
        )
        .order_by(Survey.answered_at.desc(), Survey.id.desc())
        .limit(DRILL_LIMIT + 1)
    ).all()
    unmasked = privacy.may_see_personal_data(actor.role)
    found = [
        _answered(uow, survey, complaint, unit, staff, unmasked, lang)
        for survey, complaint, unit, staff in rows[:DRILL_LIMIT]
    ]
    return Drill(by, key, name, found, len(rows) > DRILL_LIMIT)


def _answered(
    uow: UnitOfWork,
    survey: Survey,
    complaint: Complaint,
    unit: OrgUnit,
    staff: Staff,
    unmasked: bool,
    lang: str,
) -> AnsweredSurvey:
    template = template_of(uow, survey.template_id)
    answers = [
        _answer(q, value, unmasked, lang)
        for q in template.questions
        if (value := (survey.answers or {}).get(q.key)) is not None
    ]
    assert survey.answered_at is not None
    return AnsweredSurvey(
        survey.id,
        complaint.id,
        complaint.number or str(complaint.id),
        privacy.shown(complaint.customer_phone, "phone", unmasked=unmasked) or "",
        survey.answered_at,
        survey.satisfied,
        answers,
        unit.name_en if lang == "en" else unit.name_zh,
        staff.display_name,
    )


def _answer(q: Question, value: Any, unmasked: bool, lang: str) -> AnswerView:
    shown = q.answer_text(value, lang)
    if q.kind == "text":
        # A customer may write their number or address into a comment.
        shown = privacy.shown(shown, "text", unmasked=unmasked) or ""
    return AnswerView(q.key, q.text(lang), q.kind, value if q.kind != "text" else shown, shown)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def monthly_totals(
    uow: UnitOfWork,
    actor: Actor,
    last_month: date,
    months: int = 6,
    region_code: str | None = None,
) -> list[MonthTotal]:
    """Sent, answered, satisfied and the two rates for each of ``months`` local months
    ending with ``last_month``'s, within the actor's scope (and ``region_code``'s subtree):
    the same counting as ``results.survey_results`` (response rate over the surveys sent in
    the month, satisfaction over those answered in it)."""
    permissions.check_permission(READ, actor.role)
    if not 1 <= months <= 24:
        raise InvalidInput("months", "应为 1 至 24 / must be 1 to 24")
    first = _add_months(_month_start(last_month), -(months - 1))
    start, end = local_midnight(first), local_midnight(_add_months(_month_start(last_month), 1))
    query = (
        select(Survey.sent_at, Survey.answered_at, Survey.satisfied)
        .join(Complaint, Complaint.id == Survey.complaint_id)
        .where(
            or_(
                and_(Survey.sent_at >= start, Survey.sent_at < end),
                and_(Survey.answered_at >= start, Survey.answered_at < end),
            ),
            scope.visible_to(actor),
        )
    )
    if region_code is not None:
        region = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == region_code))
        if region is None or not region.path.startswith(actor.scope):
            return []
        within = select(OrgUnit.id).where(OrgUnit.path.startswith(region.path, autoescape=True))
        query = query.where(Complaint.region_id.in_(within))
    keys = [_add_months(first, i) for i in range(months)]
    sent = dict.fromkeys(keys, 0)
    sent_answered = dict.fromkeys(keys, 0)
    answered = dict.fromkeys(keys, 0)
    satisfied = dict.fromkeys(keys, 0)

    def month_of(moment: datetime) -> date:
        return _month_start(moment.astimezone(LOCAL_TZ).date())

    for sent_at, answered_at, is_satisfied in uow.session.execute(query):
        if sent_at is not None and start <= sent_at < end:
            sent[month_of(sent_at)] += 1
            sent_answered[month_of(sent_at)] += answered_at is not None
        if answered_at is not None and start <= answered_at < end:
            answered[month_of(answered_at)] += 1
            satisfied[month_of(answered_at)] += bool(is_satisfied)
    return [
        MonthTotal(
            m,
            sent[m],
            answered[m],
            satisfied[m],
            formulas.survey_response_rate(sent_answered[m], sent[m]).value,
            formulas.survey_satisfaction(satisfied[m], answered[m]).value,
        )
        for m in keys
    ]


def record_results_export(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    fmt: str,
    rows: int,
    period_label: str,
    client: str | None = None,
) -> None:
    """A results file leaves the system: who took which period, on the security log like
    every export (the file holds counts, no personal data). Commits."""
    permissions.check_permission(READ, actor.role)
    detail = {"what": "survey_results", "rows": rows, "format": fmt, "period": period_label}
    record_security_event(
        uow, "export", actor.username, now, actor.staff_id, client, detail | {"scope": actor.scope}
    )
    uow.commit()


def staff_names(uow: UnitOfWork, usernames: set[str]) -> dict[str, str]:
    """Display names for the usernames the templates and rules record as their authors
    (pages name people, not accounts)."""
    if not usernames:
        return {}
    rows = uow.session.execute(
        select(Staff.username, Staff.display_name).where(Staff.username.in_(usernames))
    ).all()
    return {username: name or username for username, name in rows}


def complaint_survey_status(
    uow: UnitOfWork, actor: Actor, complaint_id: int, unmasked: bool, lang: str = "zh"
) -> list[SurveyView]:
    """The complaint page's survey box: ``results.complaint_surveys`` with free-text
    answers masked as the page masks the complaint's own text (``unmasked``: the page's
    decision for this reader)."""
    views = complaint_surveys(uow, actor, complaint_id, lang)
    if unmasked:
        return views
    return [
        replace(
            v,
            answers=[
                replace(a, value=masked, shown=masked)
                if a.kind == "text" and (masked := privacy.shown(a.shown, "text", unmasked=False))
                else a
                for a in v.answers
            ],
        )
        for v in views
    ]
