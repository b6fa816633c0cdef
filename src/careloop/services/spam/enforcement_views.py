"""Enforcement cases as channels show them, and reading them within the reader's scope.

A case belongs to its owner unit's subtree: a city sees its cases, the province all of
them, the next city none (404, never 403). Evidence, notes and appeals may quote a
subscriber's number; they are masked like a complaint's text for roles not involved
(``domain.privacy``). Port numbers are an enterprise's sending address, not personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, true

from careloop.domain import privacy
from careloop.domain.errors import DomainError
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.sla.clocks import ClockState, limit_from_terms
from careloop.domain.spam import enforcement as rules
from careloop.i18n import Translator
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import Actor
from careloop.services.privacy.personal_data import note_spam_case_read, quotes_personal_data
from careloop.services.sla.calendar import calendar_data, calendar_for
from careloop.services.sla.clocks import LOCAL_TIME, local_due
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, Staff
from careloop.store.models.spam_enforcement import SpamEnforcementCase


@dataclass(frozen=True)
class UnitView:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ActionView:
    name: str
    label: str
    needs_evidence: bool


@dataclass(frozen=True)
class CaseView:
    """A case as the API and the pages show it: words beside codes, Beijing time beside UTC."""

    id: int
    number: str
    version: int
    port_number: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    reasons: tuple[str, ...]
    reason_labels: tuple[str, ...]
    day: str
    reports: int
    distinct_reporters: int
    spam_share: float | None
    serious: int
    region: UnitView
    unit: UnitView
    opened_at: datetime
    opened_local: str
    due_at: datetime
    due_local: str
    deadline_state: str
    """running, warning, breached, met or met_late (the SLA engine's words for it)."""
    deadline_label: str
    remaining: str
    overdue: bool
    limit: str
    escalation_level: int
    escalated_to: UnitView | None
    port_state: str
    port_state_label: str
    port_blocked: bool
    last_action: str | None
    last_action_label: str | None
    decided_by: str | None
    decided_by_name: str | None
    """The person who decided, as colleagues know them."""
    evidence_ref: str | None
    evidence: str | None
    appellant: str | None
    appeal_reason: str | None
    appeal_outcome: str | None
    closed_at: datetime | None
    allowed: tuple[ActionView, ...]


def _deadline_words(t: Translator) -> dict[str, str]:
    return {
        "running": t("spam_case.deadline.running"),
        "paused": t("spam_case.deadline.paused"),
        "warning": t("spam_case.deadline.warning"),
        "breached": t("spam_case.deadline.breached"),
        "met": t("spam_case.deadline.met"),
        "met_late": t("spam_case.deadline.met_late"),
    }


NOT_OWNERS_ONLY = frozenset({"uphold", "lift", "appeal"})
"""Actions anyone in scope with the role may take, not the owner unit only: the quality
centre decides appeals, and whoever the port's customer reached records its appeal."""


def business_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The operator's working calendar: the one every SLA clock counts on."""
    return calendar_for(calendar_data(uow), None)


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the owner unit lies within the actor's scope."""
    if actor.scope == "/":
        return true()
    return SpamEnforcementCase.unit_path.startswith(actor.scope, autoescape=True)


def check_reader(actor: Actor) -> None:
    if actor.role not in rules.READER_ROLES | {"system"}:
        raise DomainError("role_not_allowed", role=actor.role, action="read enforcement cases")


def load_case(uow: UnitOfWork, case_id: int, actor: Actor) -> SpamEnforcementCase:
    """The case if the actor may see it; 404 otherwise."""
    if not access_scope.is_row_id(case_id):
        raise rules.not_found(case_id)
    found = uow.session.scalar(
        select(SpamEnforcementCase).where(SpamEnforcementCase.id == case_id, visible_to(actor))
    )
    if found is None:
        raise rules.not_found(case_id)
    return found


def unit(uow: UnitOfWork, unit_id: int) -> OrgUnit:
    found = uow.session.get(OrgUnit, unit_id)
    assert found is not None
    return found


def unit_view(found: OrgUnit, lang: str) -> UnitView:
    return UnitView(found.id, found.code, found.name_en if lang.startswith("en") else found.name_zh)


def case_clock(case: SpamEnforcementCase, calendar: WorkingCalendar, now: datetime) -> ClockState:
    return rules.clock(
        case.opened_at,
        limit_from_terms(case.limit_terms),
        calendar,
        now,
        handled_at=case.handled_at,
    )


def local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def owns(case: SpamEnforcementCase, actor: Actor) -> bool:
    return actor.role in rules.DECIDER_ROLES or case.unit_path.startswith(actor.org_path)


def view_of(
    uow: UnitOfWork,
    case: SpamEnforcementCase,
    actor: Actor,
    lang: str,
    now: datetime,
    port_state: str,
    calendar: WorkingCalendar | None = None,
) -> CaseView:
    state = case_clock(case, calendar or business_calendar(uow), now)
    mine = owns(case, actor)
    unmasked = privacy.may_see_personal_data(actor.role, owns=mine)
    if unmasked and (
        quotes_personal_data(case.evidence) or quotes_personal_data(case.appeal_reason)
    ):
        note_spam_case_read(actor, case.id)  # the read audit, as for a complaint's text
    closed_port = port_state == rules.PortState.CLOSED
    allowed = tuple(
        ActionView(step.name, step.label(lang), step.name in rules.EVIDENCED)
        for step in rules.LIFECYCLE.allowed(case.status, actor.role)
        if (mine or step.name in NOT_OWNERS_ONLY)
        and not (closed_port and step.name in rules.SANCTION_STATE)
    )
    t = Translator(lang)
    escalated = (
        unit_view(unit(uow, case.escalated_to_unit_id), lang) if case.escalated_to_unit_id else None
    )
    return CaseView(
        id=case.id,
        number=case.number,
        version=case.version,
        port_number=case.port_number,
        status=case.status,
        status_label=rules.status_label(case.status, lang),
        severity=case.severity,
        severity_label=rules.severity_label(case.severity, lang),
        reasons=tuple(case.reasons),
        reason_labels=tuple(rules.reason_label(r, lang) for r in case.reasons),
        day=case.day.isoformat(),
        reports=case.reports,
        distinct_reporters=case.distinct_reporters,
        spam_share=case.spam_share,
        serious=case.serious,
        region=unit_view(unit(uow, case.region_id), lang),
        unit=unit_view(unit(uow, case.unit_id), lang),
        opened_at=case.opened_at,
        opened_local=local(case.opened_at),
        due_at=case.due_at,
        due_local=local_due(case.due_at),
        deadline_state=state.state,
        deadline_label=_deadline_words(t).get(state.state, state.state),
        remaining=_remaining(case, now, t),
        overdue=state.state in ("breached", "met_late"),
        limit=limit_from_terms(case.limit_terms).describe(t.lang),
        escalation_level=case.escalation_level,
        escalated_to=escalated,
        port_state=port_state,
        port_state_label=rules.port_state_label(port_state, lang),
        port_blocked=rules.is_blocked(port_state),
        last_action=case.last_action,
        last_action_label=rules.action_label(case.last_action, lang) if case.last_action else None,
        decided_by=case.decided_by,
        decided_by_name=_display_name(uow, case.decided_by),
        evidence_ref=case.evidence_ref,
        evidence=privacy.shown(case.evidence, "text", unmasked=unmasked),
        appellant=case.appellant,
        appeal_reason=privacy.shown(case.appeal_reason, "text", unmasked=unmasked),
        appeal_outcome=case.appeal_outcome,
        closed_at=case.closed_at,
        allowed=allowed,
    )


def _display_name(uow: UnitOfWork, username: str | None) -> str | None:
    if username is None:
        return None
    name = uow.session.scalar(select(Staff.display_name).where(Staff.username == username))
    return name or username


def _remaining(case: SpamEnforcementCase, now: datetime, t: Translator) -> str:
    """剩余 5小时 / 超时 2小时 / 按时处置: real time to or past the due instant."""
    if case.handled_at is not None:
        if case.handled_at > case.due_at:
            return t("spam_case.remaining.acted_late")
        return t("spam_case.remaining.acted_in_time")
    minutes = int((case.due_at - now).total_seconds() // 60)
    amount = _duration(abs(minutes), t)
    if minutes < 0:
        return t("spam_case.remaining.overdue", amount=amount)
    return t("spam_case.remaining.left", amount=amount)


def _duration(minutes: int, t: Translator) -> str:
    """The two largest of days, hours and minutes: 1天2小时 / 1 d 2 h."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    shown = [
        text
        for n, text in (
            (days, t("spam_case.duration.days", n=days)),
            (hours, t("spam_case.duration.hours", n=hours)),
            (mins, t("spam_case.duration.minutes", n=mins)),
        )
        if n
    ]
    if not shown:
        return t("spam_case.duration.minutes", n=0)
    if len(shown) == 1:
        return shown[0]
    return t("spam_case.duration.two", first=shown[0], second=shown[1])


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def as_payload(value: Any) -> Any:
    """JSON-safe audit values."""
    return value.isoformat() if isinstance(value, datetime) else value
