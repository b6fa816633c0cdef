"""The enforcement case's audit trail: one append-only row per step, and the domain event
the step stands for (published after the commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from careloop.domain import privacy
from careloop.domain.events import DomainEvent
from careloop.domain.spam import enforcement as rules
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.privacy.personal_data import note_spam_case_read, quotes_personal_data
from careloop.services.spam.enforcement_views import check_reader, load_case, local, owns
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Staff
from careloop.store.models.spam_enforcement import SpamEnforcementCase, SpamEnforcementEvent


def record(
    uow: UnitOfWork,
    case: SpamEnforcementCase,
    actor: Actor,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """One audit row, and the event of the action if others hang on it."""
    uow.session.add(
        SpamEnforcementEvent(
            case_id=case.id,
            port_number=case.port_number,
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            before=before or None,
            after=after or None,
            note=note,
        )
    )
    name = rules.EVENTS.get(action)
    if name is not None:
        payload = {
            "case_id": case.id,
            "number": case.number,
            "port_number": case.port_number,
            "severity": case.severity,
            "unit_id": case.unit_id,
            "action": action,
            **(after or {}),
        }
        uow.events.append(DomainEvent(name, None, None, action, at, actor.staff_id, payload))


@dataclass(frozen=True)
class CaseEventView:
    at: datetime
    at_local: str
    actor: str
    action: str
    action_label: str
    note: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def case_events(uow: UnitOfWork, case_id: int, actor: Actor, lang: str) -> list[CaseEventView]:
    """The case's trail, oldest first; notes masked for roles not involved."""
    check_reader(actor)
    case = load_case(uow, case_id, actor)
    unmasked = privacy.may_see_personal_data(actor.role, owns=owns(case, actor))
    rows = list(
        uow.session.scalars(
            select(SpamEnforcementEvent)
            .where(SpamEnforcementEvent.case_id == case.id)
            .order_by(SpamEnforcementEvent.id)
        )
    )
    if unmasked and any(quotes_personal_data(e.note) for e in rows):
        note_spam_case_read(actor, case.id)  # the read audit, as for a complaint's notes
    ids = {e.actor_id for e in rows if e.actor_id}
    names = {
        staff_id: name
        for staff_id, name in uow.session.execute(
            select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))
        )
    }
    t = Translator(lang)
    system = t("spam_case.system")
    return [
        CaseEventView(
            e.at,
            local(e.at),
            names.get(e.actor_id, e.actor) if e.actor_id else system,
            e.action,
            rules.action_label(e.action, lang),
            privacy.shown(e.note, "text", unmasked=unmasked),
            e.before,
            e.after,
        )
        for e in rows
    ]
