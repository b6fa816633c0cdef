"""Rectification limits per source kind (整改时限): the operator's, else the seeded default, and
the business calendar deadlines are counted on. Setting one is a security event: it moves
every future deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from careloop.domain.permissions import check_permission
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.supervision import rectification as rules
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.sla.calendar import calendar_data, calendar_for
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.rectification import (
    RectificationPolicyRow,
)


@dataclass(frozen=True)
class PolicyView:
    source_kind: str
    source_label: str
    limits: dict[str, Any]
    limit: str
    warn_share: float
    escalation: list[dict[str, Any]]
    configured: bool
    """False: the seeded default holds."""


# --- policies ----------------------------------------------------------------------------


def policy_for(uow: UnitOfWork, source_kind: str) -> rules.RectificationPolicy:
    """The limit for findings of ``source_kind``: the operator's, else the seeded one."""
    row = uow.session.get(RectificationPolicyRow, source_kind)
    if row is None:
        return rules.DEFAULT_POLICIES[source_kind]
    return rules.policy_from_terms(source_kind, row.limits, row.warn_share, row.escalation)


def list_policies(uow: UnitOfWork, lang: str) -> list[PolicyView]:
    rows = {r.source_kind: r for r in uow.session.scalars(select(RectificationPolicyRow))}
    return [_policy_view(policy_for(uow, kind), kind in rows, lang) for kind in rules.SOURCE_KINDS]


def _policy_view(policy: rules.RectificationPolicy, configured: bool, lang: str) -> PolicyView:
    return PolicyView(
        policy.source_kind,
        rules.source_label(policy.source_kind, lang),
        policy.limit.as_terms(),
        policy.limit.describe("en" if lang.startswith("en") else "zh"),
        policy.warn_share,
        [dict(s) for s in policy.escalation],
        configured,
    )


def set_policy(
    uow: UnitOfWork,
    source_kind: str,
    limits: dict[str, Any],
    actor: Actor,
    now: datetime,
    *,
    warn_share: float = 0.8,
    escalation: Sequence[dict[str, Any]] | None = None,
    lang: str = "zh",
) -> PolicyView:
    """Set the limit for one source kind (audited); open tasks keep the deadline they got."""
    check_permission("rectification.policy", actor.role)
    policy = rules.policy_from_terms(source_kind, limits, warn_share, escalation)
    row = uow.session.get(RectificationPolicyRow, source_kind)
    if row is None:
        row = RectificationPolicyRow(source_kind=source_kind)
        uow.session.add(row)
    row.limits = policy.limit.as_terms()
    row.warn_share = policy.warn_share
    row.escalation = [dict(s) for s in policy.escalation]
    row.updated_at = now
    row.updated_by = actor.username
    record_security_event(
        uow,
        "rectification_policy_set",
        actor.username,
        now,
        staff_id=actor.staff_id,
        detail={"source_kind": source_kind, "limits": row.limits, "escalation": row.escalation},
    )
    uow.commit()
    return _policy_view(policy, True, lang)


def business_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The operator's working calendar (holidays, make-up days) with office hours: the one
    the SLA clocks count working days on."""
    return calendar_for(calendar_data(uow), None)
