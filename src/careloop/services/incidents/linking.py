"""Linking complaints to incidents: at intake (in intake's own unit of work) and, when an
incident is opened, the open complaints accepted since its start."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, or_, select

from careloop.domain import incidents as rules
from careloop.domain.lifecycle.tickets import OPEN_STATUSES
from careloop.services.access.actors import Actor
from careloop.services.incidents import records
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    Complaint,
    Event,
    Incident,
    IncidentLink,
    IncidentRegion,
    OrgUnit,
)

LINK_ACTION = "link_incident"
"""The complaint's audit row saying which incident it was linked to."""


def live_incidents(uow: UnitOfWork, now: datetime) -> dict[str, rules.IncidentFacts]:
    """Incidents a complaint accepted `now` may concern, by number: open ones, and
    resolved ones within their aftermath. Few at any time; one query with their regions."""
    rows = uow.session.execute(
        select(
            Incident.id,
            Incident.number,
            Incident.categories,
            Incident.products,
            Incident.starts_at,
            Incident.ended_at,
            IncidentRegion.path,
        )
        .join(IncidentRegion, IncidentRegion.incident_id == Incident.id)
        .where(
            Incident.starts_at <= now,
            or_(
                Incident.status == rules.IncidentStatus.OPEN.value,
                Incident.ended_at >= now - rules.AFTERMATH,
            ),
        )
    ).all()
    paths: dict[str, list[str]] = {}
    first: dict[str, Any] = {}
    for row in rows:
        first.setdefault(row.number, row)
        paths.setdefault(row.number, []).append(row.path)
    return {
        number: rules.IncidentFacts(
            row.id,
            rules.AffectedArea(
                tuple(sorted(paths[number])), tuple(row.categories or ()), tuple(row.products or ())
            ),
            rules.Window(row.starts_at, row.ended_at),
        )
        for number, row in first.items()
    }


def link_at_intake(
    uow: UnitOfWork, complaints: Sequence[Mapping[str, Any]], actor: Actor, now: datetime
) -> int:
    """Link just-inserted complaints (their column values, ``id`` included) to the incident
    each matches, with an audit row on each linked complaint; in the caller's unit of work,
    so the complaint and its link commit together. Returns how many were linked.

    Costs one query when no incident is live (the usual day), one more otherwise."""
    if not complaints:
        return 0
    live = live_incidents(uow, now)
    if not live:
        return 0
    region_ids = {int(c["region_id"]) for c in complaints}
    paths = dict(
        uow.session.execute(
            select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(region_ids))
        ).all()
    )
    numbers = {facts.id: number for number, facts in live.items()}
    links: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for values in complaints:
        facts = rules.ComplaintFacts(
            paths[int(values["region_id"])],
            str(values["category"]),
            str(values["product"]),
            values["accepted_at"],
        )
        chosen = rules.best_match(live.values(), facts)
        if chosen is None:
            continue
        links.append(_link(values["id"], chosen.id, now, "intake"))
        events.append(_event(values["id"], numbers[chosen.id], actor, now))
    if links:
        uow.session.execute(insert(cast(Table, IncidentLink.__table__)), links)
        uow.session.execute(insert(cast(Table, Event.__table__)), events)
    return len(links)


def _link(complaint_id: int, incident_id: int, now: datetime, how: str) -> dict[str, Any]:
    return {
        "complaint_id": complaint_id,
        "incident_id": incident_id,
        "linked_at": now,
        "linked_by": how,
        "notice_id": None,
    }


def _event(complaint_id: int, number: str, actor: Actor, now: datetime) -> dict[str, Any]:
    return {
        "complaint_id": complaint_id,
        "work_order_id": None,
        "at": now,
        "actor_id": actor.staff_id,
        "actor": actor.username,
        "role": actor.role,
        "action": LINK_ACTION,
        "before": None,
        "after": {"incident": number},
        "note": None,
    }


def link_open_complaints(uow: UnitOfWork, incident: Incident, actor: Actor, now: datetime) -> int:
    """关联存量投诉: the open complaints accepted since the start that match the incident
    and are linked to none yet; one audit row on each and one on the incident."""
    paths = records.region_paths(uow, incident.id)
    facts = records.facts_of(incident, paths)
    under_a_region = or_(*(OrgUnit.path.startswith(p, autoescape=True) for p in paths))
    already = select(IncidentLink.complaint_id).where(IncidentLink.complaint_id == Complaint.id)
    candidates = uow.session.execute(
        select(
            Complaint.id, OrgUnit.path, Complaint.category, Complaint.product, Complaint.accepted_at
        )
        .join(OrgUnit, OrgUnit.id == Complaint.region_id)
        .where(
            Complaint.status.in_([s.value for s in OPEN_STATUSES]),
            Complaint.accepted_at >= incident.starts_at,
            under_a_region,
            ~already.exists(),
        )
        .order_by(Complaint.id)
    ).all()
    chosen = [
        cid
        for cid, path, category, product, accepted_at in candidates
        if rules.matches(facts, rules.ComplaintFacts(path, category, product, accepted_at))
    ]
    if chosen:
        uow.session.execute(
            insert(cast(Table, IncidentLink.__table__)),
            [_link(cid, incident.id, now, "opening") for cid in chosen],
        )
        uow.session.execute(
            insert(cast(Table, Event.__table__)),
            [_event(cid, incident.number, actor, now) for cid in chosen],
        )
    records.record(uow, incident, actor, "link_open", now, after={"linked": len(chosen)})
    return len(chosen)


def link_open_complaints_now(uow: UnitOfWork, incident_id: int, actor: Actor, now: datetime) -> int:
    """The same, asked for later (an agent found earlier complaints): its own unit of work."""
    records.check_role(actor, "link complaints to an incident")
    incident = records.load_incident(uow, incident_id, actor)
    if incident.status != rules.IncidentStatus.OPEN.value:
        raise rules.already_resolved(incident.number, "关联存量投诉", "link complaints")
    linked = link_open_complaints(uow, incident, actor, now)
    uow.commit()
    return linked
