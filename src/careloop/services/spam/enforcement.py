"""Enforcement against spamming ports (端口处置) as a closed loop, like a complaint.

The use cases, by what they do:

- opening: ``open_cases_for_day`` (the daily job and a supervisor's "run now") and
  ``open_cases_from_counts`` (``enforcement_opening``);
- acting: ``sanction`` (warn, throttle, suspend, close_port), ``appeal``,
  ``decide_appeal``, ``reinstate`` (after rectification), ``resolve``, ``add_note``
  (``enforcement_actions``);
- the port: ``port_is_blocked``, ``port_sanction`` (``enforcement_ports``);
- reading: ``list_cases``, ``get_case``, ``case_events``;
- thresholds per region: ``thresholds_view``, ``set_thresholds``;
- the job: ``sweep`` (``enforcement_sweep``).

Every step is a transition of ``domain.spam.enforcement`` and a row of the case's
append-only trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.permissions import in_scope
from careloop.domain.spam import enforcement as rules
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.spam.enforcement_actions import (
    add_note,
    appeal,
    decide_appeal,
    get_case,
    reinstate,
    resolve,
    sanction,
)
from careloop.services.spam.enforcement_opening import (
    OpeningReport,
    open_cases_for_day,
    open_cases_from_counts,
    regional_thresholds,
)
from careloop.services.spam.enforcement_ports import (
    PortSanctionView,
    list_ports,
    port_is_blocked,
    port_sanction,
)
from careloop.services.spam.enforcement_sweep import escalate_late, sweep
from careloop.services.spam.enforcement_trail import CaseEventView, case_events
from careloop.services.spam.enforcement_views import (
    CaseView,
    business_calendar,
    check_reader,
    view_of,
    visible_to,
)
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit
from careloop.store.models.spam_enforcement import (
    SpamEnforcementCase,
    SpamEnforcementThresholds,
    SpamPortSanction,
)

__all__ = [
    "CaseEventView",
    "CaseView",
    "OpeningReport",
    "PortSanctionView",
    "add_note",
    "appeal",
    "case_events",
    "decide_appeal",
    "escalate_late",
    "get_case",
    "list_cases",
    "list_ports",
    "open_cases_for_day",
    "open_cases_from_counts",
    "port_is_blocked",
    "port_sanction",
    "reinstate",
    "resolve",
    "sanction",
    "set_thresholds",
    "sweep",
    "thresholds_view",
]

LIST_STATUSES = frozenset(s.value for s in rules.CaseStatus) | {"active", "overdue"}


@dataclass(frozen=True)
class CasePage:
    total: int
    items: list[CaseView]


def list_cases(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    *,
    status: str | None = None,
    port_number: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> CasePage:
    """Cases within scope, worst first: active before final, serious before moderate, the
    soonest due first. ``status``: one status, ``active`` (not final) or ``overdue`` (no
    sanction yet and past due)."""
    check_reader(actor)
    query = select(SpamEnforcementCase).where(visible_to(actor))
    if status == "active":
        query = query.where(SpamEnforcementCase.active_port.is_not(None))
    elif status == "overdue":
        query = query.where(
            SpamEnforcementCase.handled_at.is_(None),
            SpamEnforcementCase.active_port.is_not(None),
            SpamEnforcementCase.due_at < now,
        )
    elif status:
        if status not in LIST_STATUSES:
            raise InvalidInput("status", f"未知状态 / unknown status '{status[:40]}'")
        query = query.where(SpamEnforcementCase.status == status)
    if port_number:
        query = query.where(SpamEnforcementCase.port_number == rules.normalise_port(port_number))
    if severity:
        if severity not in {s.value for s in rules.Severity}:
            raise InvalidInput("severity", f"未知严重程度 / unknown severity '{severity[:40]}'")
        query = query.where(SpamEnforcementCase.severity == severity)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        uow.session.scalars(
            query.order_by(
                SpamEnforcementCase.active_port.is_(None),
                SpamEnforcementCase.severity_rank.desc(),
                SpamEnforcementCase.due_at,
                SpamEnforcementCase.id,
            )
            .limit(limit)
            .offset(offset)
        )
    )
    states = {
        p: s
        for p, s in uow.session.execute(
            select(SpamPortSanction.port_number, SpamPortSanction.state).where(
                SpamPortSanction.port_number.in_({c.port_number for c in rows})
            )
        )
    }
    calendar = business_calendar(uow)
    return CasePage(
        total,
        [
            view_of(uow, c, actor, lang, now, states.get(c.port_number, "active"), calendar)
            for c in rows
        ],
    )


# --- thresholds per region ---------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdsView:
    region_code: str
    region_name: str
    terms: dict[str, Any]
    configured: bool
    """False: the defaults (or a region above) hold."""


def _region(uow: UnitOfWork, code: str | None, actor: Actor) -> OrgUnit:
    if code is None:  # the caller's own region: the top of their scope
        own = uow.session.scalar(select(OrgUnit).where(OrgUnit.path == actor.scope))
        if own is not None and own.kind != "department":
            return own
        code = ""
    code = code.strip()
    found = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if code and code.isprintable()
        else None
    )
    if found is None or found.kind == "department" or not in_scope(found.path, actor.scope):
        raise rules.EnforcementError("region", ident=code[:40])
    return found


def thresholds_view(
    uow: UnitOfWork, region_code: str | None, actor: Actor, lang: str
) -> ThresholdsView:
    """The thresholds that hold for a region (its own, a region's above, or the defaults)."""
    check_reader(actor)
    region = _region(uow, region_code, actor)
    own = uow.session.get(SpamEnforcementThresholds, region.id)
    limits = rules.thresholds_for(region.path, regional_thresholds(uow))
    name = region.name_en if lang.startswith("en") else region.name_zh
    return ThresholdsView(region.code, name, limits.as_terms(), own is not None)


def set_thresholds(
    uow: UnitOfWork,
    region_code: str,
    terms: dict[str, Any],
    actor: Actor,
    now: datetime,
    lang: str = "zh",
) -> ThresholdsView:
    """A region's own thresholds (audited); open cases keep their severity and deadline."""
    if actor.role not in rules.DECIDER_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="set spam thresholds")
    region = _region(uow, region_code, actor)
    limits = rules.thresholds_from_terms(terms)
    row = uow.session.get(SpamEnforcementThresholds, region.id)
    if row is None:
        row = SpamEnforcementThresholds(region_id=region.id, region_path=region.path)
        uow.session.add(row)
    row.terms = limits.as_terms()
    row.updated_at = now
    row.updated_by = actor.username
    record_security_event(
        uow,
        "spam_thresholds_set",
        actor.username,
        now,
        staff_id=actor.staff_id,
        detail={"region": region.code, "terms": row.terms},
    )
    uow.commit()
    return thresholds_view(uow, region.code, actor, lang)
