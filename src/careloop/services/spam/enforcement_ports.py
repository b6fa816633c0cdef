"""Each port's sanction state (active, warned, throttled, suspended, closed) and its history.

``port_is_blocked`` is what the SMS centre's interception asks before letting a port send:
a case's sanction, or a suspension or closure staff set by hand in the registry (an
operator's decision outside a case still stops the port). A port never sanctioned has no
row and is active. The
state changes only through a case's action (``enforcement_actions``), which calls
``change_port_state`` in the same unit of work as the case's audit row; a closed port
refuses every change (``domain.spam.enforcement.next_port_state``). A registered port's
status in the registry follows each change (``ports.follow_sanction``); the registry, for
its part, refuses to reopen a port a case holds and notes its own status changes on an
open case's trail (``ports``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from careloop.domain.spam import enforcement as rules
from careloop.services.access.actors import Actor
from careloop.services.spam.enforcement_views import check_reader, local, visible_to
from careloop.services.spam.ports import follow_sanction
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.spam import SpamPort
from careloop.store.models.spam_enforcement import (
    SpamEnforcementCase,
    SpamPortSanction,
    SpamPortSanctionHistory,
)


def port_state(uow: UnitOfWork, port_number: str) -> rules.PortState:
    row = uow.session.get(SpamPortSanction, port_number)
    return rules.PortState(row.state) if row is not None else rules.PortState.ACTIVE


def port_is_blocked(uow: UnitOfWork, port_number: str) -> bool:
    """True while the port is suspended or closed, by a case or by hand in the registry:
    its messages are not to be sent. A number that is not a port number is not blocked
    (nothing was ever decided about it)."""
    try:
        number = rules.normalise_port(port_number)
    except rules.EnforcementError:
        return False
    if rules.is_blocked(port_state(uow, number)):
        return True
    registered = uow.session.scalar(select(SpamPort.status).where(SpamPort.number == number))
    return registered is not None and rules.is_blocked(registered)


def change_port_state(
    uow: UnitOfWork,
    port_number: str,
    action: str,
    *,
    case_id: int,
    region_id: int,
    actor: Actor,
    now: datetime,
    evidence_ref: str | None,
    note: str | None,
) -> tuple[rules.PortState, rules.PortState]:
    """Apply ``action`` to the port: (state before, state after), one history row. A closed
    port raises ``port_closed`` and nothing is written."""
    row = uow.session.get(SpamPortSanction, port_number)
    before = rules.PortState(row.state) if row is not None else rules.PortState.ACTIVE
    after = rules.next_port_state(before, action)
    if row is None:
        row = SpamPortSanction(port_number=port_number)
        uow.session.add(row)
    if after != before or row.case_id != case_id:
        row.since = now if after != before else (row.since or now)
    row.state = after.value
    row.case_id = case_id
    row.region_id = region_id
    row.updated_by = actor.username
    uow.session.add(
        SpamPortSanctionHistory(
            port_number=port_number,
            at=now,
            state_before=before.value,
            state=after.value,
            action=action,
            case_id=case_id,
            actor=actor.username,
            evidence_ref=evidence_ref,
            note=note,
        )
    )
    if after != before:
        follow_sanction(uow, port_number, after.value, actor, now, case_id)
    return before, after


@dataclass(frozen=True)
class PortHistoryView:
    at: datetime
    at_local: str
    state_before: str
    state: str
    state_label: str
    action: str
    action_label: str
    case_id: int | None
    actor: str


@dataclass(frozen=True)
class PortSanctionView:
    port_number: str
    state: str
    state_label: str
    blocked: bool
    since: datetime | None
    case_id: int | None
    history: tuple[PortHistoryView, ...]


def port_sanction(uow: UnitOfWork, port_number: str, actor: Actor, lang: str) -> PortSanctionView:
    """A port's state and how it got there. A reader sees the history of the cases in
    their scope only; the state itself (blocked or not) is no secret within the operator."""
    check_reader(actor)
    number = rules.normalise_port(port_number)
    row = uow.session.get(SpamPortSanction, number)
    state = rules.PortState(row.state) if row is not None else rules.PortState.ACTIVE
    visible = select(SpamEnforcementCase.id).where(
        SpamEnforcementCase.port_number == number, visible_to(actor)
    )
    history = uow.session.scalars(
        select(SpamPortSanctionHistory)
        .where(
            SpamPortSanctionHistory.port_number == number,
            SpamPortSanctionHistory.case_id.in_(visible),
        )
        .order_by(SpamPortSanctionHistory.id)
    )
    return PortSanctionView(
        port_number=number,
        state=state.value,
        state_label=rules.port_state_label(state, lang),
        blocked=rules.is_blocked(state),
        since=row.since if row is not None else None,
        case_id=(
            row.case_id
            if row is not None and row.case_id in set(uow.session.scalars(visible))
            else None
        ),
        history=tuple(
            PortHistoryView(
                at=h.at,
                at_local=local(h.at),
                state_before=h.state_before,
                state=h.state,
                state_label=rules.port_state_label(h.state, lang),
                action=h.action,
                action_label=rules.action_label(h.action, lang),
                case_id=h.case_id,
                actor=h.actor,
            )
            for h in history
        ),
    )


def list_ports(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    *,
    number: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[PortSanctionView]]:
    """Sanctioned ports whose latest case lies in the caller's scope, the latest change
    first; with ``number``, that one port (its state is no secret within the operator,
    its history shows the caller's cases only)."""
    check_reader(actor)
    if number:
        return 1, [port_sanction(uow, number, actor, lang)]
    visible = select(SpamEnforcementCase.id).where(visible_to(actor))
    query = select(SpamPortSanction.port_number).where(SpamPortSanction.case_id.in_(visible))
    total = len(list(uow.session.scalars(query)))
    numbers = uow.session.scalars(
        query.order_by(SpamPortSanction.since.desc(), SpamPortSanction.port_number)
        .limit(limit)
        .offset(offset)
    )
    return total, [port_sanction(uow, n, actor, lang) for n in numbers]
