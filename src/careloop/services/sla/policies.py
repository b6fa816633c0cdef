"""Service commitments (SLA policies) as the operator keeps them: versioned rows.

A change writes a new version and retires the old one, never an edit in place: a complaint
keeps the version it was accepted under unless someone re-applies the current one, an
audited act (``clocks.reapply_policy``). What a valid commitment says and which one holds
a complaint are domain rules (``domain.sla.policies``); this module stores, caches and
loads them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached

from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.org import ancestor_ids
from careloop.domain.sla.calendar import DEFAULT_TIMEZONE
from careloop.domain.sla.clocks import DEFAULT_WARN_SHARE, limit_from_terms
from careloop.domain.sla.policies import Criteria, best_policy, check_policy_terms
from careloop.domain.text import check_code, required_text
from careloop.services.access.actors import Actor
from careloop.services.sla import reference_versions
from careloop.services.snapshots import snapshot
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit, SlaPolicy

POLICY_ROLES: Final = frozenset({"admin", "supervisor"})
"""Who may change service commitments and the calendar."""


@dataclass(frozen=True)
class PolicySpec:
    """What an operator enters for a service commitment (API and CLI)."""

    name: str
    limits: Mapping[str, Mapping[str, Any]]
    rank: int = 0
    match_category: str | None = None
    match_channel: str | None = None
    match_tier: str | None = None
    match_region: str | None = None
    match_escalated: bool | None = None
    match_priority: str | None = None
    match_repeat: bool | None = None
    match_area: str | None = None
    warn_share: float = DEFAULT_WARN_SHARE
    timezone: str = DEFAULT_TIMEZONE
    hours: Mapping[str, Sequence[Sequence[str]]] | None = None
    escalation: Sequence[Mapping[str, Any]] = field(default_factory=list)
    reminder_channel: str = "sms"


@dataclass(frozen=True, kw_only=True)
class PolicyVersion(PolicySpec):
    """One stored version of a service commitment, as a reader sees it (limits, hours and
    escalation as the operator entered them)."""

    id: int
    code: str
    version: int
    active: bool
    created_at: datetime
    created_by: str


def check_policy_role(actor: Actor) -> None:
    """Only ``POLICY_ROLES`` change service commitments and the calendar."""
    if actor.role not in POLICY_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="manage SLA policies")


def _validated_spec(uow: UnitOfWork, spec: PolicySpec) -> PolicySpec:
    # The name is shown on pages and in reports: the one text sanitiser (domain.text).
    spec = replace(spec, name=required_text(spec.name, "name", 200, multiline=False))
    check_code(spec.match_region, "match_region")
    check_policy_terms(spec)
    if (
        spec.match_region is not None
        and uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == spec.match_region)) is None
    ):
        raise InvalidInput("match_region", f"未知单位 / unknown unit '{spec.match_region}'")
    return spec


def _policy_row(
    spec: PolicySpec, code: str, version: int, actor: Actor, now: datetime
) -> SlaPolicy:
    return SlaPolicy(
        code=code,
        version=version,
        name=spec.name.strip(),
        active=True,
        rank=spec.rank,
        match_category=spec.match_category,
        match_channel=spec.match_channel,
        match_tier=spec.match_tier,
        match_region=spec.match_region,
        match_escalated=spec.match_escalated,
        match_priority=spec.match_priority,
        match_repeat=spec.match_repeat,
        match_area=spec.match_area,
        limits={k: _stored_limit(v) for k, v in spec.limits.items()},
        warn_share=spec.warn_share,
        timezone=spec.timezone,
        hours={k: [list(w) for w in v] for k, v in spec.hours.items()} if spec.hours else None,
        escalation=[dict(step) for step in spec.escalation],
        reminder_channel=spec.reminder_channel,
        created_at=now,
        created_by=actor.username,
    )


def _stored_limit(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A checked limit as stored: a counted one (``{"count": "calendar_days", "days": 15}``)
    in its canonical form, an older ``{minutes, basis}`` one as it always was."""
    if "count" in raw:
        return limit_from_terms(dict(raw)).as_terms()
    return {"minutes": int(raw["minutes"]), "basis": raw.get("basis", "working")}


def list_policies(uow: UnitOfWork, include_retired: bool = False) -> list[PolicyVersion]:
    query = select(SlaPolicy).order_by(SlaPolicy.code, SlaPolicy.version)
    if not include_retired:
        query = query.where(SlaPolicy.active.is_(True))
    return [snapshot(PolicyVersion, row) for row in uow.session.scalars(query)]


def get_policy(uow: UnitOfWork, policy_id: int) -> PolicyVersion:
    policy = uow.session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound("SLA policy", policy_id)
    return snapshot(PolicyVersion, policy)


def save_policy(
    uow: UnitOfWork, code: str, spec: PolicySpec, actor: Actor, now: datetime
) -> PolicyVersion:
    """Create ``code`` or add its next version; the previous version is retired, not changed.

    Complaints already accepted keep the version they reference (a policy change applies to
    new complaints only); :func:`reapply_policy` moves one explicitly.
    """
    check_policy_role(actor)
    if not code or len(code) > 64:
        raise InvalidInput("code", "1–64 个字符 / 1 to 64 characters")
    check_code(code, "code")
    spec = _validated_spec(uow, spec)
    current = uow.session.scalar(
        select(SlaPolicy).where(SlaPolicy.code == code).order_by(SlaPolicy.version.desc()).limit(1)
    )
    if current is not None:
        current.active = False
    row = _policy_row(spec, code, (current.version if current else 0) + 1, actor, now)
    uow.session.add(row)
    uow.commit()
    return snapshot(PolicyVersion, row)


def retire_policy(uow: UnitOfWork, code: str, actor: Actor) -> None:
    check_policy_role(actor)
    rows = list(uow.session.scalars(select(SlaPolicy).where(SlaPolicy.code == code)))
    if not rows:
        raise NotFound("SLA policy", code)
    for row in rows:
        row.active = False
    uow.commit()


@dataclass(frozen=True)
class ActivePolicies:
    """The active policy set and the paths of the regions they match on.

    Policies are versioned data: a change writes a new row and retires the old one (never an
    edit in place), so the set is cached per database and reloaded when its stamp moves.
    The rows are detached snapshots: read them, never attach or change them.
    """

    policies: tuple[SlaPolicy, ...]
    region_paths: Mapping[str, str]


_policy_cache: dict[tuple[Any, ...], ActivePolicies] = {}
_policy_lock = threading.Lock()


def active_policies(uow: UnitOfWork, stamp: tuple[Any, ...] | None = None) -> ActivePolicies:
    """The active set, from the cache while the policy stamp (``reference_versions``: a
    counter kept by database triggers) has not moved."""
    key = stamp if stamp is not None else reference_versions.stamps(uow)[0]
    with _policy_lock:
        cached = _policy_cache.get(key)
    if cached is not None:
        return cached
    # Snapshots built from plain rows, never the session's own instances: they outlive it.
    policies = tuple(
        SlaPolicy(**row._asdict())
        for row in uow.session.execute(
            select(SlaPolicy.__table__).where(SlaPolicy.active.is_(True))
        )
    )
    for policy in policies:
        make_transient_to_detached(policy)
    regions = {
        code: path
        for code, path in uow.session.execute(
            select(OrgUnit.code, OrgUnit.path).where(
                OrgUnit.code.in_({p.match_region for p in policies if p.match_region})
            )
        )
    }
    data = ActivePolicies(policies, regions)
    with _policy_lock:
        _policy_cache.clear()
        _policy_cache[key] = data
    return data


def match_policy(
    uow: UnitOfWork, criteria: Criteria, active: ActivePolicies | None = None
) -> SlaPolicy | None:
    """The active policy for a complaint: highest rank, then most specific, then oldest."""
    if active is None:
        active = active_policies(uow)
    return best_policy(active.policies, criteria, active.region_paths)


def area_of(uow: UnitOfWork, region_path: str) -> str | None:
    """The urban/rural kind of a region: its own, else its nearest ancestor's."""
    rows = uow.session.execute(
        select(OrgUnit.path, OrgUnit.area).where(
            OrgUnit.id.in_(ancestor_ids(region_path)), OrgUnit.area.is_not(None)
        )
    ).all()
    return max(rows, key=lambda row: len(row.path)).area if rows else None


def criteria_of(uow: UnitOfWork, complaint: Complaint) -> Criteria:
    region_path = uow.session.scalar(select(OrgUnit.path).where(OrgUnit.id == complaint.region_id))
    path = region_path or "/"
    return Criteria.of(complaint, path, repeat=complaint.is_repeat, area=area_of(uow, path))
