"""Opening enforcement cases from a day of reports: the thresholds, one case per port.

``open_cases_for_day`` reads ``services.spam.reports.port_day_counts`` for a business day
and opens a case for every port whose day crosses its region's thresholds. It is
idempotent: a port with an active case gets no second one (UNIQUE ``active_port`` makes it
so even for two runs at once); if the new day is worse, the open case's severity rises and
the trail says why. A closed port gets no case: it is blocked for good already.

The region of a port is the one its earlier cases were handled in; a port seen for the
first time belongs to the region ``region_of`` names (the port registry's answer), else to
the province, whose quality centre passes it on. The owner unit is the region's network
department (``domain.spam.enforcement.owner_unit``); the deadline is counted by the SLA
engine from the severity's limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from careloop.domain import time_bounds
from careloop.domain.errors import DomainError
from careloop.domain.permissions import in_scope
from careloop.domain.sla.calendar import WorkingCalendar
from careloop.domain.spam import enforcement as rules
from careloop.domain.spam.reports import PortDayCounts
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.spam import reports as spam_reports
from careloop.services.spam.enforcement_trail import record
from careloop.services.spam.enforcement_views import business_calendar, iso
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit
from careloop.store.models.spam import SpamReport
from careloop.store.models.spam_enforcement import (
    SpamEnforcementCase,
    SpamEnforcementThresholds,
    SpamPortSanction,
)

log = logging.getLogger("careloop.spam.enforcement")

RegionOf = Callable[[str], str | None]
"""Port number → the code of the region it is registered in (None: unknown)."""


@dataclass(frozen=True)
class OpeningReport:
    examined: int
    opened: int
    reassessed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "spam_ports_examined": self.examined,
            "spam_cases_opened": self.opened,
            "spam_cases_reassessed": self.reassessed,
        }


def regional_thresholds(uow: UnitOfWork) -> dict[str, rules.Thresholds]:
    """Region path → its thresholds, as the operator set them."""
    return {
        row.region_path: rules.thresholds_from_terms(row.terms)
        for row in uow.session.scalars(select(SpamEnforcementThresholds))
    }


def _province(uow: UnitOfWork) -> OrgUnit:
    found = uow.session.scalar(
        select(OrgUnit).where(OrgUnit.kind == "province").order_by(OrgUnit.id).limit(1)
    )
    if found is None:
        found = uow.session.scalar(select(OrgUnit).order_by(OrgUnit.id).limit(1))
    if found is None:
        raise DomainError("not_found", what="region", ident="province")
    return found


def port_region(uow: UnitOfWork, port: str, region_of: RegionOf | None) -> OrgUnit:
    """The region a port answers to: the one its earlier sanction named, else the smallest
    region holding its reports (``region_of``), else the province; cases and bursts alike."""
    sanction = uow.session.get(SpamPortSanction, port)
    if sanction is not None and sanction.region_id is not None:
        known = uow.session.get(OrgUnit, sanction.region_id)
        if known is not None:
            return known
    code = region_of(port) if region_of is not None else None
    if code:
        found = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if found is not None and found.kind != "department":
            return found
    return _province(uow)


def _ref(unit: OrgUnit) -> rules.UnitRef:
    return rules.UnitRef(unit.id, unit.kind, unit.path, unit.dept_type)


def owner_of(uow: UnitOfWork, region: OrgUnit) -> OrgUnit:
    departments = list(
        uow.session.scalars(
            select(OrgUnit).where(
                OrgUnit.kind == "department",
                OrgUnit.path.startswith(region.path, autoescape=True),
            )
        )
    )
    chosen = rules.owner_unit(_ref(region), [_ref(u) for u in departments])
    return next((u for u in departments if u.id == chosen.id), region)


def _number(case_id: int, at: datetime) -> str:
    """CZ + local date + id: read out on the phone like a complaint's number."""
    return f"CZ{at.astimezone(LOCAL_TIME):%Y%m%d}{case_id:05d}"


def _active_case(uow: UnitOfWork, port: str) -> SpamEnforcementCase | None:
    return uow.session.scalar(
        select(SpamEnforcementCase).where(SpamEnforcementCase.active_port == port)
    )


def open_cases_from_counts(
    uow: UnitOfWork,
    counts: Iterable[PortDayCounts],
    now: datetime,
    *,
    actor: Actor = SYSTEM,
    region_of: RegionOf | None = None,
) -> OpeningReport:
    """Open (or make worse) the cases the counts call for; commits."""
    if actor.role not in rules.OPENER_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="open enforcement cases")
    thresholds = regional_thresholds(uow)
    calendar = business_calendar(uow)
    examined = opened = reassessed = 0
    for day_counts in counts:
        examined += 1
        try:
            port = rules.normalise_port(day_counts.port_number)
        except rules.EnforcementError:
            log.warning("spam enforcement: not a port number %r", day_counts.port_number[:40])
            continue
        sanction = uow.session.get(SpamPortSanction, port)
        if sanction is not None and sanction.state == rules.PortState.CLOSED:
            continue  # blocked for good: nothing left to decide
        region = port_region(uow, port, region_of)
        if not in_scope(region.path, actor.scope):
            continue
        verdict = rules.assess(day_counts, rules.thresholds_for(region.path, thresholds))
        if not verdict.open or verdict.severity is None:
            continue
        existing = _active_case(uow, port)
        if existing is not None:
            reassessed += _reassess(uow, existing, day_counts, verdict, actor, now)
            continue
        case = _new_case(uow, port, day_counts, verdict, region, actor, now, calendar)
        if case is None:
            continue
        opened += 1
    uow.commit()
    return OpeningReport(examined, opened, reassessed)


def _new_case(
    uow: UnitOfWork,
    port: str,
    counts: PortDayCounts,
    verdict: rules.Verdict,
    region: OrgUnit,
    actor: Actor,
    now: datetime,
    calendar: WorkingCalendar,
) -> SpamEnforcementCase | None:
    assert verdict.severity is not None
    owner = owner_of(uow, region)
    limit = rules.limit_for(verdict.severity)
    due = rules.clock(now, limit, calendar, now).due_at
    case = SpamEnforcementCase(
        number=f"tmp-{port}"[:32],
        version=1,
        port_number=port,
        active_port=port,
        status=rules.LIFECYCLE.initial.value,
        severity=verdict.severity.value,
        severity_rank=rules.severity_rank(verdict.severity),
        reasons=list(verdict.reasons),
        day=counts.day,
        reports=counts.reports,
        distinct_reporters=counts.distinct_reporters,
        spam_share=counts.spam_share,
        serious=counts.serious,
        region_id=region.id,
        unit_id=owner.id,
        unit_path=owner.path,
        limit_terms=limit.as_terms(),
        escalation=[dict(s) for s in rules.DEFAULT_ESCALATION],
        due_at=due,
        escalation_level=0,
        appeals=0,
        opened_by=actor.username,
        opened_at=now,
        updated_at=now,
    )
    savepoint = uow.session.begin_nested()
    try:
        uow.session.add(case)
        uow.session.flush()
    except IntegrityError:
        savepoint.rollback()  # another run opened this port's case at the same moment
        return None
    savepoint.commit()
    case.number = _number(case.id, now)
    record(
        uow,
        case,
        actor,
        "open",
        now,
        after={
            "status": case.status,
            "severity": case.severity,
            "reasons": case.reasons,
            "day": counts.day.isoformat(),
            "reports": counts.reports,
            "distinct_reporters": counts.distinct_reporters,
            "spam_share": counts.spam_share,
            "serious": counts.serious,
            "region": region.code,
            "unit_id": owner.id,
            "unit": owner.code,
            "due_at": iso(due),
        },
    )
    uow.session.flush()
    return case


def _reassess(
    uow: UnitOfWork,
    case: SpamEnforcementCase,
    counts: PortDayCounts,
    verdict: rules.Verdict,
    actor: Actor,
    now: datetime,
) -> int:
    """A later (or recounted) day over the thresholds: the case keeps its deadline and gets
    worse if the day is worse. Counts are kept as the worst day seen. Derived state: the
    version stays, so a person acting on the case meets no conflict from the job."""
    assert verdict.severity is not None
    severity = rules.worse(case.severity, verdict.severity)
    worse_counts = counts.reports > case.reports or counts.serious > case.serious
    if severity.value == case.severity and not worse_counts:
        return 0
    before = {"severity": case.severity, "reports": case.reports, "serious": case.serious}
    values = {
        "severity": severity.value,
        "severity_rank": rules.severity_rank(severity),
        "reports": max(case.reports, counts.reports),
        "distinct_reporters": max(case.distinct_reporters, counts.distinct_reporters),
        "serious": max(case.serious, counts.serious),
        "reasons": sorted({*case.reasons, *verdict.reasons}),
    }
    uow.session.execute(
        update(SpamEnforcementCase)
        .where(SpamEnforcementCase.id == case.id)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    record(
        uow,
        case,
        actor,
        "reassess",
        now,
        before,
        {**values, "day": counts.day.isoformat()},
    )
    return 1


def regions_from_reports(uow: UnitOfWork, day: date) -> RegionOf:
    """Port → the region its reports of ``day`` came from: the smallest region holding all
    of them (``domain.spam.enforcement.common_region``), as a unit code. Departments are
    not regions: a path ending in one is taken up to the region above it."""
    start, end = spam_reports.day_bounds(day)
    paths: dict[str, set[str]] = {}
    for port, path in uow.session.execute(
        select(SpamReport.port_number, SpamReport.region_path)
        .where(
            SpamReport.received_at >= start,
            SpamReport.received_at < end,
            SpamReport.port_number.is_not(None),
        )
        .distinct()
    ):
        paths.setdefault(str(port), set()).add(path)
    units = {
        u.path: u for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.kind != "department"))
    }
    codes: dict[str, str] = {}
    for port, found in paths.items():
        shared = rules.common_region(found)
        while shared and shared not in units and shared != "/":
            shared = shared[: shared.rstrip("/").rfind("/") + 1]
        if shared in units:
            codes[port] = units[shared].code
    return codes.get


def open_cases_for_day(
    uow: UnitOfWork,
    day: date,
    now: datetime,
    *,
    actor: Actor = SYSTEM,
    region_of: RegionOf | None = None,
) -> OpeningReport:
    """The daily opening (and a supervisor's "run now"): the day's counts per port from the
    reports, through the thresholds. Commits."""
    if actor.role not in rules.OPENER_ROLES:  # before anything is read
        raise DomainError("role_not_allowed", role=actor.role, action="open enforcement cases")
    day = time_bounds.day("day", day)
    counts = spam_reports.port_day_counts(uow, day)
    if region_of is None:
        region_of = regions_from_reports(uow, day)
    return open_cases_from_counts(uow, counts, now, actor=actor, region_of=region_of)
