"""Port report bursts (端口举报突增) from the store: read today so far, flag once, notify.

``port_bursts`` counts, per port, the distinct reporters and reports of ``day`` up to the
time of day of ``now`` (the whole day once it is over) and of each of the previous
``baseline_days`` local days up to the same time of day — one ``UNION ALL`` of small range
queries on ``received_at``, grouped by port — within a scope (the region the reports were
filed under), and hands them to ``domain.spam.bursts.find_bursts`` (the rule and its
false-alarm rate are stated there). SMS-centre interceptions are not reports by people
and are not counted. Days before the first report in scope are left out of the baseline:
a store that started last week has no quiet month to compare with, and zeros it never saw
would make every port look like a burst.

``flag_bursts`` is the job (the in-process runner's round and the queue's periodic job call
``sweep``): the whole province's bursts of today are recorded once per port and day
(UNIQUE; ``record_alert_once``), each with an audit row and a notice to the owner unit —
the port's region's network department, as enforcement decides it — through the outbox.
So a burst is flagged the same day, minutes after it crosses the line, whether or not
anybody opens a page.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, literal, select, union_all

from careloop.domain import permissions, privacy, time_bounds
from careloop.domain.indicators.periods import LOCAL_TZ, local_midnight
from careloop.domain.spam import bursts as rules
from careloop.i18n import Translator
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.org import escalation as org_escalation
from careloop.services.privacy.personal_data import note_spam_report_read
from careloop.services.spam.enforcement_opening import (
    owner_of,
    port_region,
    regions_from_reports,
)
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Notification, OrgUnit, SpamEvent
from careloop.store.models.spam import SpamPort, SpamReport
from careloop.store.models.spam_bursts import SpamPortBurst
from careloop.store.models.spam_enforcement import SpamEnforcementCase

log = logging.getLogger("careloop.spam.bursts")

NOT_REPORTS = ("interception",)
"""Sources that are not a person's report (the SMS centre's own counts)."""


@dataclass(frozen=True)
class CaseRef:
    id: int
    number: str
    status: str


@dataclass(frozen=True)
class BurstView:
    port_number: str
    owner: str | None
    """The port's registered customer (enterprise or SP), if registered."""
    reports: int
    reporters: int
    basis: str
    basis_label: str
    expected: float
    baseline_mean: float
    baseline_days: int
    critical_count: int
    p_value: float | None
    first_report_at: datetime | None
    first_report_local: str
    sample_text: str
    """The first report's text today, masked unless the reader may see personal data."""
    sample_report_id: int | None
    """The report the sample is taken from (the reader's scope)."""
    case: CaseRef | None
    """The port's open enforcement case, if any."""
    flagged_at: datetime | None
    """When the job recorded (and notified) it; None: not yet recorded."""
    owner_unit: str | None = None
    """The owner unit notified (as recorded)."""

    def _p(self) -> str:
        return f"; p = {self.p_value:.2g}" if self.p_value is not None else ""

    def explanation(self, lang: str = "zh") -> str:
        """One line a reader can check: who reported, against what, why flagged."""
        t = Translator(lang)
        if self.basis == "test":
            against = t(
                "spam_burst.against_test",
                expected=f"{self.expected:.1f}",
                days=self.baseline_days,
                mean=f"{self.baseline_mean:.1f}",
                p=self._p(),
            )
        else:
            against = t("spam_burst.against_floor", floor=self.critical_count)
        return t(
            "spam_burst.explanation",
            port=self.port_number,
            reporters=self.reporters,
            reports=self.reports,
            against=against,
        )


@dataclass(frozen=True)
class BurstReport:
    day: date
    as_of: datetime
    """Reports up to this instant were counted (now for today, the day's end before)."""
    partial: bool
    """True: today, still running."""
    tested: int
    floored: int
    rule: rules.BurstRule
    bursts: list[BurstView]


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _scoped(scope_path: str) -> Any:
    return SpamReport.region_path.startswith(scope_path, autoescape=True)


def _counted(scope_path: str) -> list[Any]:
    return [
        _scoped(scope_path),
        SpamReport.port_number.is_not(None),
        SpamReport.port_number != "",
        SpamReport.source.not_in(NOT_REPORTS),
    ]


def _first_day(uow: UnitOfWork, scope_path: str) -> date | None:
    first = uow.session.scalar(
        select(func.min(SpamReport.received_at)).where(*_counted(scope_path))
    )
    return first.astimezone(LOCAL_TZ).date() if first is not None else None


def _counts(
    uow: UnitOfWork, days: list[date], elapsed: timedelta, scope_path: str
) -> dict[str, dict[int, tuple[int, int]]]:
    """Port → day index → (reports, distinct reporters) from each day's midnight up to
    ``elapsed`` later."""
    parts = []
    for index, day in enumerate(days):
        start = local_midnight(day)
        parts.append(
            select(
                literal(index).label("at"),
                SpamReport.port_number.label("port"),
                func.count().label("reports"),
                func.count(func.distinct(SpamReport.reporter_hash)).label("reporters"),
            )
            .where(
                *_counted(scope_path),
                SpamReport.received_at >= start,
                SpamReport.received_at < start + elapsed,
            )
            .group_by(SpamReport.port_number)
        )
    out: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    if not parts:
        return out
    for at, port, reports, reporters in uow.session.execute(union_all(*parts)):
        out[str(port)][int(at)] = (int(reports), int(reporters))
    return out


def _as_of(day: date, now: datetime) -> tuple[datetime, bool]:
    today = now.astimezone(LOCAL_TZ).date()
    if day > today:
        raise rules.BurstError("future_day", day=day.isoformat(), today=today.isoformat())
    if day == today:
        return now, True
    return local_midnight(day + timedelta(days=1)), False


def find(
    uow: UnitOfWork,
    day: date,
    now: datetime,
    scope_path: str,
    rule: rules.BurstRule = rules.BurstRule(),
) -> tuple[rules.BurstRun, datetime, bool]:
    """The rule's run over the ports reported within ``scope_path`` on ``day`` so far."""
    day = time_bounds.day("day", day)
    as_of, partial = _as_of(day, now)
    elapsed = as_of - local_midnight(day)
    first = _first_day(uow, scope_path)
    if first is None or first > day:
        return rules.BurstRun([], 0, 0), as_of, partial
    start = max(first, day - timedelta(days=rule.baseline_days))
    days = [start + timedelta(days=i) for i in range((day - start).days + 1)]
    counts = _counts(uow, days, elapsed, scope_path)
    today = len(days) - 1
    ports = [
        rules.PortToday(
            port_number=port,
            reports=by_day.get(today, (0, 0))[0],
            reporters=by_day.get(today, (0, 0))[1],
            baseline=[by_day.get(i, (0, 0))[1] for i in range(today)],
        )
        for port, by_day in sorted(counts.items())
    ]
    return rules.find_bursts(ports, day.weekday(), rule), as_of, partial


def _today_firsts(
    uow: UnitOfWork, ports: list[str], day: date, as_of: datetime, scope_path: str
) -> dict[str, tuple[datetime, str, int]]:
    """Port → (first report time, the first stored report's text and id) on ``day`` within
    scope."""
    if not ports:
        return {}
    first_ids = (
        select(func.min(SpamReport.id))
        .where(
            *_counted(scope_path),
            SpamReport.port_number.in_(ports),
            SpamReport.received_at >= local_midnight(day),
            SpamReport.received_at < as_of,
        )
        .group_by(SpamReport.port_number)
    )
    firsts = {
        str(port): (at, text, report_id)
        for port, at, text, report_id in uow.session.execute(
            select(
                SpamReport.port_number, SpamReport.received_at, SpamReport.text, SpamReport.id
            ).where(SpamReport.id.in_(first_ids))
        )
    }
    # min(id) is the first stored; a 12321 file can bring an earlier message later
    earliest = dict(
        uow.session.execute(
            select(SpamReport.port_number, func.min(SpamReport.received_at))
            .where(
                *_counted(scope_path),
                SpamReport.port_number.in_(ports),
                SpamReport.received_at >= local_midnight(day),
                SpamReport.received_at < as_of,
            )
            .group_by(SpamReport.port_number)
        ).all()
    )
    return {p: (earliest.get(p, at), text, i) for p, (at, text, i) in firsts.items()}


def _owners(uow: UnitOfWork, ports: list[str]) -> dict[str, str]:
    if not ports:
        return {}
    return {
        str(n): str(o)
        for n, o in uow.session.execute(
            select(SpamPort.number, SpamPort.owner_name).where(SpamPort.number.in_(ports))
        )
    }


def _open_cases(uow: UnitOfWork, ports: list[str]) -> dict[str, CaseRef]:
    if not ports:
        return {}
    return {
        c.port_number: CaseRef(c.id, c.number, c.status)
        for c in uow.session.scalars(
            select(SpamEnforcementCase).where(SpamEnforcementCase.active_port.in_(ports))
        )
    }


def _recorded(uow: UnitOfWork, day: date, scope_path: str | None) -> dict[str, SpamPortBurst]:
    query = select(SpamPortBurst).where(SpamPortBurst.day == day)
    if scope_path is not None:
        query = query.where(SpamPortBurst.region_path.startswith(scope_path, autoescape=True))
    return {b.port_number: b for b in uow.session.scalars(query)}


def port_bursts(
    uow: UnitOfWork,
    day: date,
    now: datetime,
    scope_path: str,
    *,
    unmasked: bool = False,
    lang: str = "zh",
    rule: rules.BurstRule = rules.BurstRule(),
) -> BurstReport:
    """The bursts of ``day`` within ``scope_path``: found now, plus those the job recorded
    earlier in the day in that scope (a flag raised at 11:00 stays in the day's report)."""
    run, as_of, partial = find(uow, day, now, scope_path, rule)
    recorded = _recorded(uow, day, scope_path)
    found = {b.port_number: b for b in run.bursts}
    ports = sorted({*found, *recorded})
    firsts = _today_firsts(uow, ports, day, as_of, scope_path)
    owners = _owners(uow, ports)
    cases = _open_cases(uow, ports)
    units = {
        u.id: u
        for u in uow.session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_({r.unit_id for r in recorded.values()} - {None}))
        )
    }
    en = lang.startswith("en")
    views = []
    for port in [*found, *(p for p in ports if p not in found)]:
        burst = found.get(port)
        stored = recorded.get(port)
        first_at, text, sample_id = firsts.get(port, (None, "", None))
        if burst is None:
            assert stored is not None
            burst = rules.Burst(
                port,
                stored.reports,
                stored.reporters,
                "floor" if stored.basis == "floor" else "test",
                stored.expected,
                stored.baseline_mean,
                stored.baseline_days,
                0,
                stored.p_value,
            )
            first_at = first_at or stored.first_report_at
        unit = units.get(stored.unit_id) if stored and stored.unit_id else None
        views.append(
            BurstView(
                port_number=port,
                owner=owners.get(port),
                reports=burst.reports,
                reporters=burst.reporters,
                basis=burst.basis,
                basis_label=rules.basis_label(burst.basis, lang),
                expected=burst.expected,
                baseline_mean=burst.baseline_mean,
                baseline_days=burst.baseline_days,
                critical_count=burst.critical_count,
                p_value=burst.p_value,
                first_report_at=first_at,
                first_report_local=_local(first_at),
                sample_text=privacy.shown(text, "text", unmasked=unmasked) or "",
                sample_report_id=sample_id,
                case=cases.get(port),
                flagged_at=stored.flagged_at if stored else None,
                owner_unit=(unit.name_en if en else unit.name_zh) if unit else None,
            )
        )
    return BurstReport(day, as_of, partial, run.tested, run.floored, rule, views)


def bursts_for(
    uow: UnitOfWork, actor: Actor, now: datetime, day: date | None = None, lang: str = "zh"
) -> BurstReport:
    """The API's and pages' reading: the actor's scope, masked by the actor's role."""
    permissions.check_permission("spam.read", actor.role)
    unmasked = privacy.may_see_personal_data(actor.role)
    found = port_bursts(
        uow,
        day or now.astimezone(LOCAL_TZ).date(),
        now,
        actor.scope,
        unmasked=unmasked,
        lang=lang,
    )
    for burst in found.bursts if unmasked else ():
        # a sample quoting a number or an ID, shown in full, is a read of that report
        text = burst.sample_text
        if burst.sample_report_id and privacy.shown(text, "text", unmasked=False) != text:
            note_spam_report_read(actor, burst.sample_report_id)
    return found


# --- the job ----------------------------------------------------------------------------------


LATE_LOOK: Final = timedelta(minutes=15)
"""Just after midnight the job also judges the day just ended, whole: a burst of its last
minutes (after the last round of that day) is still flagged, on its own day."""


def flag_bursts(uow: UnitOfWork, now: datetime, rule: rules.BurstRule = rules.BurstRule()) -> int:
    """Record today's new bursts (whole province) once per port and day, notify each owner
    unit, audit each. Returns how many were flagged now. Commits."""
    local = now.astimezone(LOCAL_TZ)
    days = [local.date()]
    if local - local_midnight(local.date()) < LATE_LOOK:
        days.insert(0, local.date() - timedelta(days=1))
    flagged = sum(_flag_day(uow, day, now, rule) for day in days)
    uow.commit()
    return flagged


def _flag_day(uow: UnitOfWork, day: date, now: datetime, rule: rules.BurstRule) -> int:
    run, as_of, _ = find(uow, day, now, "/", rule)
    if not run.bursts:
        return 0
    already = _recorded(uow, day, None)
    fresh = [b for b in run.bursts if b.port_number not in already]
    if not fresh:
        return 0
    ports = [b.port_number for b in fresh]
    firsts = _today_firsts(uow, ports, day, as_of, "/")
    owners = _owners(uow, ports)
    cases = _open_cases(uow, ports)
    region_of = regions_from_reports(uow, day)
    flagged = 0
    for burst in fresh:
        port = burst.port_number
        region = port_region(uow, port, region_of)
        owner = owner_of(uow, region)
        first_at, text, _ = firsts.get(port, (None, "", None))
        case = cases.get(port)
        burst_id = org_escalation.record_alert_once(
            uow,
            SpamPortBurst,
            ("port_number", "day"),
            {
                "port_number": port,
                "day": day,
                "flagged_at": now,
                "basis": burst.basis,
                "reports": burst.reports,
                "reporters": burst.reporters,
                "expected": burst.expected,
                "baseline_mean": burst.baseline_mean,
                "baseline_days": burst.baseline_days,
                "p_value": burst.p_value,
                "first_report_at": first_at,
                "region_id": region.id,
                "region_path": region.path,
                "unit_id": owner.id,
                "case_number": case.number if case else None,
            },
        )
        if burst_id is None:
            continue  # another round recorded it at the same moment
        flagged += 1
        uow.session.add(
            SpamEvent(
                report_id=None,
                at=now,
                actor_id=None,
                actor=SYSTEM.username,
                role=SYSTEM.role,
                action="port_burst",
                after={
                    "burst_id": burst_id,
                    "port_number": port,
                    "day": day.isoformat(),
                    "basis": burst.basis,
                    "reports": burst.reports,
                    "reporters": burst.reporters,
                    "expected": round(burst.expected, 3),
                    "p_value": burst.p_value,
                    "unit": owner.code,
                    "case": case.number if case else None,
                },
                note=f"端口 {port} 举报突增 / report burst",
            )
        )
        sample = privacy.shown(text, "text", unmasked=False) or ""
        view_zh = f"端口 {port}" + (f"（{owners[port]}）" if port in owners else "")
        for recipient in org_escalation.leads(uow, owner):
            uow.session.add(
                Notification(
                    dedup_key=f"spam_burst:{burst_id}:{recipient}"[:120],
                    kind="spam_burst",
                    channel="email",
                    recipient=recipient,
                    subject=f"[CareLoop] 端口举报突增 / port report burst {port}"[:200],
                    body=(
                        f"{view_zh} {day:%m月%d日}截至 {_local(as_of)}（北京时间）已有 "
                        f"{burst.reporters} 人举报（{burst.reports} 条），"
                        f"同时段基线期望 {burst.expected:.1f} 人；"
                        f"首条举报 {_local(first_at)}。"
                        + (f"处置案件：{case.number}。" if case else "尚无处置案件。")
                        + f"\n示例：{sample[:200]}\n"
                        f"Port {port}: {burst.reporters} people reported it on {day} by "
                        f"{_local(as_of)} (Beijing time), {burst.expected:.1f} expected by "
                        f"this time; unit: {owner.name_en}."
                    ),
                    complaint_id=None,
                    alert_id=None,
                    level=None,
                    status="pending",
                    created_at=now,
                    send_after=now,
                )
            )
    uow.session.flush()
    return flagged


def sweep(session_factory: Any, now: datetime) -> dict[str, int]:
    """One round as the job runner calls it."""
    with UnitOfWork(session_factory) as uow:
        flagged = flag_bursts(uow, now)
    if flagged:
        log.info("spam bursts: %s flagged", flagged)
    return {"spam_bursts_flagged": flagged}


__all__ = [
    "BurstReport",
    "BurstView",
    "CaseRef",
    "bursts_for",
    "flag_bursts",
    "port_bursts",
    "sweep",
]
