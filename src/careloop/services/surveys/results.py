"""Survey results per unit or agent, and one complaint's surveys: what supervisors read.

Scoped like every complaint read (services.access.scope.visible_to): a city's lead sees the
surveys of the complaints they may see. The rates are the indicator formulas
(``domain.indicators.formulas``): response rate over the surveys *sent* in the period,
satisfaction over the surveys *answered* in it, the mean of each scored question over the
answers in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import and_, or_, select

from careloop.domain.errors import InvalidInput, NotFound
from careloop.domain.indicators import formulas
from careloop.domain.indicators.periods import Period
from careloop.domain.surveys import Question, Template, score_of
from careloop.i18n import Translator
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.surveys.read_models import (
    AnswerView,
    QuestionMean,
    ResultRow,
    SurveyResults,
    SurveyView,
)
from careloop.services.surveys.templates import READ, require, template_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, Staff
from careloop.store.models.surveys import Survey

By = Literal["unit", "agent"]


@dataclass
class _Tally:
    sent: int = 0
    sent_answered: int = 0
    answered: int = 0
    satisfied: int = 0
    scores: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def survey_results(
    uow: UnitOfWork,
    actor: Actor,
    period: Period,
    by: By = "unit",
    region_code: str | None = None,
    lang: str = "zh",
) -> SurveyResults:
    """Per handling unit (``by="unit"``) or per agent (the first-question owner): surveys sent,
    answered, response rate, satisfaction and the mean score of each scored question, in
    ``period`` and within the actor's scope (and ``region_code``'s subtree), with the total."""
    require(READ, actor)
    if by not in ("unit", "agent"):
        raise InvalidInput("by", "应为 unit 或 agent / must be unit or agent")
    start, end = period.bounds()
    query = (
        select(Survey)
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
            raise NotFound("region", region_code)
        within = select(OrgUnit.id).where(OrgUnit.path.startswith(region.path, autoescape=True))
        query = query.where(Complaint.region_id.in_(within))
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    total = _Tally()
    templates: dict[int, Template] = {}
    for survey in uow.session.scalars(query.execution_options(yield_per=2000)):
        template = templates.get(survey.template_id) or templates.setdefault(
            survey.template_id, template_of(uow, survey.template_id)
        )
        key = survey.unit_id if by == "unit" else survey.agent_id
        for t in (tallies[key], total):
            _count(t, survey, template, start, end)
    questions = _questions(templates.values())
    names = _names(uow, by, list(tallies), lang)
    rows = [
        _row(names.get(k, (str(k), ""))[0], names.get(k, (str(k), ""))[1], t, questions, lang)
        for k, t in tallies.items()
    ]
    rows.sort(key=lambda r: r.key)
    label = "合计" if lang != "en" else "Total"
    return SurveyResults(
        by, period.label, start, end, rows, _row("", label, total, questions, lang)
    )


def _count(t: _Tally, survey: Survey, template: Template, start: Any, end: Any) -> None:
    if survey.sent_at is not None and start <= survey.sent_at < end:
        t.sent += 1
        t.sent_answered += survey.answered_at is not None
    if survey.answered_at is not None and start <= survey.answered_at < end:
        t.answered += 1
        t.satisfied += bool(survey.satisfied)
        for q in template.questions:
            score = score_of(q, (survey.answers or {}).get(q.key))
            if score is not None:
                t.scores[q.key].append(score)


def _questions(templates: Iterable[Template]) -> dict[str, Question]:
    """Each scored question key with its newest wording (versions may reword a question)."""
    found: dict[str, tuple[int, Question]] = {}
    for template in templates:
        for q in template.questions:
            if q.is_scored and (q.key not in found or found[q.key][0] < template.version):
                found[q.key] = (template.version, q)
    return {k: q for k, (_, q) in found.items()}


def _row(key: str, name: str, t: _Tally, questions: dict[str, Question], lang: str) -> ResultRow:
    means = [
        QuestionMean(
            k,
            q.text(lang),
            q.kind,
            sum(t.scores[k]) / len(t.scores[k]) if t.scores.get(k) else None,
            len(t.scores.get(k, [])),
        )
        for k, q in questions.items()
    ]
    return ResultRow(
        key,
        name,
        t.sent,
        t.answered,
        t.satisfied,
        formulas.survey_response_rate(t.sent_answered, t.sent).value,
        formulas.survey_satisfaction(t.satisfied, t.answered).value,
        means,
    )


def _names(uow: UnitOfWork, by: By, ids: list[int], lang: str) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    if by == "unit":
        units = uow.session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name_zh, OrgUnit.name_en).where(
                OrgUnit.id.in_(ids)
            )
        ).all()
        return {i: (code, en if lang == "en" else zh) for i, code, zh, en in units}
    staff = uow.session.execute(
        select(Staff.id, Staff.username, Staff.display_name).where(Staff.id.in_(ids))
    ).all()
    return {i: (username, name) for i, username, name in staff}


def complaint_surveys(
    uow: UnitOfWork, actor: Actor, complaint_id: int, lang: str = "zh"
) -> list[SurveyView]:
    """The surveys of one complaint the actor may see (404 outside their scope), with the
    throttle's last reason in words and the answers as the customer gave them."""
    load_complaint(uow, complaint_id, actor)
    rows = uow.session.execute(
        select(Survey, OrgUnit, Staff)
        .join(OrgUnit, OrgUnit.id == Survey.unit_id)
        .join(Staff, Staff.id == Survey.agent_id)
        .where(Survey.complaint_id == complaint_id)
        .order_by(Survey.id)
    ).all()
    views = []
    for survey, unit, agent in rows:
        template = template_of(uow, survey.template_id)
        answers = [
            AnswerView(q.key, q.text(lang), q.kind, value, q.answer_text(value, lang))
            for q in template.questions
            if (value := (survey.answers or {}).get(q.key)) is not None
        ]
        views.append(
            SurveyView(
                survey.id,
                survey.complaint_id,
                template.purpose,
                template.version,
                survey.status,
                survey.reason,
                _reason_text(survey, lang),
                survey.due_at,
                survey.sent_at,
                survey.expires_at,
                survey.answered_at,
                survey.satisfied,
                answers,
                unit.code,
                unit.name_en if lang == "en" else unit.name_zh,
                agent.username,
                agent.display_name,
            )
        )
    return views


def _status_words(t: Translator) -> dict[str, str]:
    return {
        "pending": t("survey_result.status.pending"),
        "sent": t("survey_result.status.sent"),
        "answered": t("survey_result.status.answered"),
        "expired": t("survey_result.status.expired"),
        "skipped": t("survey_result.status.skipped"),
        "failed": t("survey_result.status.failed"),
    }


def _skip_words(t: Translator) -> dict[str, str]:
    return {
        "opted_out": t("survey_result.skipped.opted_out"),
        "recently_surveyed": t("survey_result.skipped.recently_surveyed"),
        "daily_cap": t("survey_result.skipped.daily_cap"),
        "disabled": t("survey_result.skipped.disabled"),
    }


def _reason_text(survey: Survey, lang: str) -> str:
    """The status, and for a skip its reason, in the reader's words."""
    t = Translator(lang)
    skipped = _skip_words(t)
    if survey.status == "skipped" and survey.reason in skipped:
        return skipped[survey.reason]
    return _status_words(t).get(survey.status, survey.status)
