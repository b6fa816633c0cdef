"""The regulator's spam figures from the store: per region, the top ports and enterprises.

What counts is ``domain.spam.figures`` (its docstring states it once) and the arithmetic of
the ranked rates is ``domain.indicators.formulas``: this module only gathers facts for a
period [start, end) — UTC instants of local days (``domain.indicators.periods``) — and the
org units in scope. A report counts in the region it was filed under (``region_id`` /
``region_path``), a case in its ``region_id``, a sanction in its case's region; every region
node's figures are summed from the units below it (a province from its cities, a city from
itself and its counties), never averaged. Distinct reporters and distinct ports are counted
per node, not summed: one person reporting in two counties is one reporter of their city.
Subscribers are the complaint indicators' (``services.indicators.subscribers``): a node's
own count, else its children's.

A handful of queries per call, whatever the number of reports: one GROUP BY over the
reports, one over distinct (region, reporter), one over the cases of the period and one over
its sanctions. The same counts feed the indicator catalogue (``add_counts``, called by
``services.indicators.figures.tallies`` like the inspections' and dial tests'), so the spam
report and the indicator report print the same number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from careloop.domain.errors import NotFound
from careloop.domain.indicators import formulas
from careloop.domain.indicators.formulas import IndicatorCounts
from careloop.domain.indicators.periods import LOCAL_TZ, Period
from careloop.domain.spam import figures as rules
from careloop.domain.spam.figures import CaseFact, SpamCounts
from careloop.services.access.actors import Actor
from careloop.services.indicators.org_tree import REGION_KINDS, Node, OrgTree
from careloop.services.indicators.sql import count_if
from careloop.services.indicators.subscribers import UserBases
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.spam import SpamPort, SpamReport
from careloop.store.models.spam_enforcement import (
    SpamEnforcementCase,
    SpamPortSanctionHistory,
)

TOP: int = 10
"""Ports and enterprises listed by default."""


# --- what the reports read -----------------------------------------------------------------


@dataclass(frozen=True)
class SpamRegionFigures:
    """One region's spam figures for a period, summed from the units below it."""

    region_id: int
    code: str
    name_zh: str
    name_en: str
    kind: str
    path: str
    parent_id: int | None
    reports: int
    """Reports by people (complaints, forwarded SMS, 12321 transfers)."""
    reporters: int
    """Distinct people among them."""
    subscribers: float | None
    """Users on record for the period (None: no count on record)."""
    subscriber_definition: str
    reports_per_million: float | None
    """垃圾短信举报率 for the period itself (not annualised; the catalogue judges it per year)."""
    serious: int
    """Serious violations: reports of messages sent after an unsubscribe or without consent."""
    interceptions: int
    messages_intercepted: int
    cases_opened: int
    cases_judged: int
    cases_handled: int
    cases_on_time: int
    cases_overdue: int
    handling_rate: float | None
    """垃圾短信处置率, percent (None: no case judged)."""
    on_time_rate: float | None
    """垃圾短信及时处置率, percent (None: no case acted on)."""
    ports_warned: int
    ports_throttled: int
    ports_suspended: int
    ports_closed: int

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True)
class PortFigures:
    """A port (the registered port a report was attributed to, else the sender itself)."""

    port_number: str
    port_id: int | None
    """Registered in the port registry (None: reported before or without registration)."""
    owner_name: str | None
    owner_code: str | None
    reports: int
    reporters: int
    serious: int
    messages_intercepted: int
    actions: tuple[str, ...]
    """Sanctions taken against it in the period, mildest first."""


@dataclass(frozen=True)
class EnterpriseFigures:
    """The customer or SP owning registered ports, over all its ports."""

    owner_code: str | None
    owner_name: str
    owner_kind: str
    ports: int
    """Its ports named in reports of the period."""
    reports: int
    reporters: int
    serious: int
    messages_intercepted: int


@dataclass(frozen=True)
class SpamFigures:
    """Everything the monthly spam report needs, for one region and period."""

    start: datetime
    end: datetime
    root: SpamRegionFigures
    regions: list[SpamRegionFigures]
    """The regions directly below the root (each rolled up), by code."""
    top_ports: list[PortFigures]
    top_enterprises: list[EnterpriseFigures]


# --- facts per unit ----------------------------------------------------------------------


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _by_people() -> ColumnElement[bool]:
    return SpamReport.source.in_(rules.REPORT_SOURCES)


def _intercepted_messages() -> Any:
    return func.coalesce(
        func.sum(
            case(
                (SpamReport.source == rules.INTERCEPTION_SOURCE, SpamReport.message_count),
                else_=0,
            )
        ),
        0,
    )


def _report_scope(unit_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [] if unit_ids is None else [SpamReport.region_id.in_(list(unit_ids))]


def _case_scope(unit_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [] if unit_ids is None else [SpamEnforcementCase.region_id.in_(list(unit_ids))]


def unit_counts(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    as_of: datetime | None = None,
) -> dict[int, SpamCounts]:
    """The additive counts per org unit (the region a report or case is filed under).

    ``as_of``: the instant the figures are made, when it falls before ``end`` (the running
    period): cases are then judged as of it, so a case whose deadline is still ahead is not
    called untouched."""
    until = end if as_of is None else min(end, as_of)
    result: dict[int, SpamCounts] = defaultdict(SpamCounts)
    reports = uow.session.execute(
        select(
            SpamReport.region_id,
            count_if(_by_people()),
            count_if(_by_people() & SpamReport.serious.is_(True)),
            count_if(SpamReport.source == rules.INTERCEPTION_SOURCE),
            _intercepted_messages(),
        )
        .where(_in(SpamReport.received_at, start, end), *_report_scope(unit_ids))
        .group_by(SpamReport.region_id)
    ).all()
    for region_id, n, serious, interceptions, messages in reports:
        counts = result[region_id]
        counts.reports += int(n)
        counts.serious += int(serious)
        counts.interceptions += int(interceptions)
        counts.messages_intercepted += int(messages or 0)
    for region_id, fact in _case_facts(uow, start, until, unit_ids):
        rules.count_case(result[region_id], fact, start, until)
    return dict(result)


def _case_facts(
    uow: UnitOfWork, start: datetime, end: datetime, unit_ids: Sequence[int] | None
) -> list[tuple[int, CaseFact]]:
    """Cases opened, due or first acted on in [start, end): every case the period may count
    (the domain decides which it does)."""
    rows = uow.session.execute(
        select(
            SpamEnforcementCase.region_id,
            SpamEnforcementCase.port_number,
            SpamEnforcementCase.opened_at,
            SpamEnforcementCase.due_at,
            SpamEnforcementCase.handled_at,
        )
        .where(
            _in(SpamEnforcementCase.opened_at, start, end)
            | _in(SpamEnforcementCase.due_at, start, end)
            | _in(SpamEnforcementCase.handled_at, start, end),
            *_case_scope(unit_ids),
        )
        .order_by(SpamEnforcementCase.id)
    ).all()
    return [
        (r.region_id, CaseFact(r.port_number, r.opened_at, r.due_at, r.handled_at)) for r in rows
    ]


def _reporters(
    uow: UnitOfWork, start: datetime, end: datetime, unit_ids: Sequence[int] | None
) -> dict[int, set[str]]:
    """Who reported, per unit (a keyed hash, never the number)."""
    rows = uow.session.execute(
        select(SpamReport.region_id, SpamReport.reporter_hash)
        .where(
            _in(SpamReport.received_at, start, end),
            _by_people(),
            SpamReport.reporter_hash.is_not(None),
            *_report_scope(unit_ids),
        )
        .distinct()
    ).all()
    found: dict[int, set[str]] = defaultdict(set)
    for region_id, reporter in rows:
        found[region_id].add(str(reporter))
    return found


def _sanctions(
    uow: UnitOfWork, start: datetime, end: datetime, unit_ids: Sequence[int] | None
) -> list[tuple[int, str, str]]:
    """(case region, port, action) of every sanction taken in [start, end), in order."""
    rows = uow.session.execute(
        select(
            SpamEnforcementCase.region_id,
            SpamPortSanctionHistory.port_number,
            SpamPortSanctionHistory.action,
        )
        .join(SpamEnforcementCase, SpamEnforcementCase.id == SpamPortSanctionHistory.case_id)
        .where(
            _in(SpamPortSanctionHistory.at, start, end),
            SpamPortSanctionHistory.action.in_(rules.SANCTION_FIGURES),
            *_case_scope(unit_ids),
        )
        .order_by(SpamPortSanctionHistory.id)
    ).all()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


# --- the indicator catalogue --------------------------------------------------------------


def add_counts(
    uow: UnitOfWork,
    result: dict[int, IndicatorCounts],
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    as_of: datetime | None = None,
) -> None:
    """Spam reports and enforcement cases per region id, added to the indicator tallies
    (垃圾短信举报率, 处置率, 及时处置率)."""
    for region_id, spam in unit_counts(uow, start, end, unit_ids, as_of).items():
        counts = result.setdefault(region_id, IndicatorCounts())
        counts.spam_reports += spam.reports
        counts.spam_cases_judged += spam.cases_judged
        counts.spam_cases_handled += spam.cases_handled
        counts.spam_cases_on_time += spam.cases_on_time


# --- regions ------------------------------------------------------------------------------


def period_of_bounds(start: datetime, end: datetime) -> Period:
    """The local days [start, end) covers, as a period (the subscriber counts are monthly:
    the months it touches are what is read)."""
    first = start.astimezone(LOCAL_TZ).date()
    last = (end.astimezone(LOCAL_TZ) - timedelta(microseconds=1)).date()
    return Period("day", first, max(first, last))


def _below(tree: OrgTree, node: Node, unit_id: int) -> bool:
    unit = tree.nodes.get(unit_id)
    return unit is not None and unit.path.startswith(node.path)


def _node_figures(
    tree: OrgTree,
    node: Node,
    counts: Mapping[int, SpamCounts],
    reporters: Mapping[int, set[str]],
    sanctions: Sequence[tuple[int, str, str]],
    bases: UserBases,
) -> SpamRegionFigures:
    total = SpamCounts()
    for unit_id, unit in counts.items():
        if _below(tree, node, unit_id):
            total += unit
    people: set[str] = set()
    for unit_id, found in reporters.items():
        if _below(tree, node, unit_id):
            people |= found
    ports = rules.sanctioned_ports(
        (port, action) for unit_id, port, action in sanctions if _below(tree, node, unit_id)
    )
    base = bases.base(node)
    rate = formulas.spam_reports_per_million(total.reports, base)
    return SpamRegionFigures(
        region_id=node.id,
        code=node.code,
        name_zh=node.name_zh,
        name_en=node.name_en,
        kind=node.kind,
        path=node.path,
        parent_id=node.parent_id,
        reports=total.reports,
        reporters=len(people),
        subscribers=base.users if base.users else None,
        subscriber_definition=base.definition,
        reports_per_million=rate.value,
        serious=total.serious,
        interceptions=total.interceptions,
        messages_intercepted=total.messages_intercepted,
        cases_opened=total.cases_opened,
        cases_judged=total.cases_judged,
        cases_handled=total.cases_handled,
        cases_on_time=total.cases_on_time,
        cases_overdue=total.cases_overdue,
        handling_rate=rules.handling_rate_of(total),
        on_time_rate=rules.on_time_rate_of(total),
        ports_warned=ports["warn"],
        ports_throttled=ports["throttle"],
        ports_suspended=ports["suspend"],
        ports_closed=ports["close_port"],
    )


def _region_nodes(tree: OrgTree, unit_ids: Sequence[int] | None) -> list[Node]:
    ids = set(tree.nodes) if unit_ids is None else set(unit_ids)
    nodes = [tree.nodes[i] for i in ids if i in tree.nodes and tree.nodes[i].kind in REGION_KINDS]
    return sorted(nodes, key=lambda n: n.path)


@dataclass(frozen=True)
class _Facts:
    """Everything counted for one period and scope, before it is summed per node."""

    tree: OrgTree
    counts: dict[int, SpamCounts]
    reporters: dict[int, set[str]]
    sanctions: list[tuple[int, str, str]]
    bases: UserBases

    def of(self, node: Node) -> SpamRegionFigures:
        return _node_figures(
            self.tree, node, self.counts, self.reporters, self.sanctions, self.bases
        )


def _facts(
    uow: UnitOfWork,
    tree: OrgTree,
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None,
    as_of: datetime | None,
) -> _Facts:
    return _Facts(
        tree,
        unit_counts(uow, start, end, unit_ids, as_of),
        _reporters(uow, start, end, unit_ids),
        _sanctions(uow, start, end, unit_ids),
        UserBases(uow, tree, period_of_bounds(start, end)),
    )


def region_figures(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    *,
    as_of: datetime | None = None,
) -> list[SpamRegionFigures]:
    """Every region (group, province, city, county) among ``unit_ids`` (None: the whole
    tree), each with the figures of its subtree within the scope, in tree order (a parent
    before its children). ``as_of``: see ``unit_counts``."""
    tree = OrgTree.load(uow)
    scope = list(unit_ids) if unit_ids is not None else None
    facts = _facts(uow, tree, start, end, scope, as_of)
    return [facts.of(node) for node in _region_nodes(tree, scope)]


def totals(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    *,
    as_of: datetime | None = None,
) -> SpamRegionFigures:
    """The figures of the whole scope, under the name of its top unit (the unit whose
    subtree ``unit_ids`` is, e.g. ``OrgTree.within(root)``; None: the whole tree)."""
    tree = OrgTree.load(uow)
    scope = list(unit_ids) if unit_ids is not None else None
    candidates = [
        tree.nodes[i] for i in (tree.nodes if scope is None else scope) if i in tree.nodes
    ]
    if not candidates:
        raise NotFound("org_unit", "region")
    top = min(candidates, key=lambda n: (n.path.count("/"), n.path))
    return _facts(uow, tree, start, end, scope, as_of).of(top)


def top_ports(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    limit: int = TOP,
) -> list[PortFigures]:
    """The ports most reported by people in the period (then by distinct reporters), with
    their owner when registered and the sanctions taken against them in the period."""
    reports = count_if(_by_people())
    reporters = func.count(func.distinct(SpamReport.reporter_hash))
    rows = uow.session.execute(
        select(
            SpamReport.port_number,
            func.max(SpamReport.port_id),
            reports,
            reporters,
            count_if(_by_people() & SpamReport.serious.is_(True)),
            _intercepted_messages(),
        )
        .where(
            _in(SpamReport.received_at, start, end),
            SpamReport.port_number.is_not(None),
            SpamReport.port_number != "",
            *_report_scope(unit_ids),
        )
        .group_by(SpamReport.port_number)
        .having(reports > 0)
        .order_by(reports.desc(), reporters.desc(), SpamReport.port_number)
        .limit(limit)
    ).all()
    owners = {
        p.id: p
        for p in uow.session.scalars(
            select(SpamPort).where(SpamPort.id.in_([r[1] for r in rows if r[1] is not None]))
        )
    }
    taken: dict[str, set[str]] = defaultdict(set)
    for _, port, action in _sanctions(uow, start, end, unit_ids):
        taken[port].add(action)
    out = []
    for number, port_id, n, people, serious, messages in rows:
        owner = owners.get(port_id) if port_id is not None else None
        out.append(
            PortFigures(
                port_number=str(number),
                port_id=port_id,
                owner_name=owner.owner_name if owner else None,
                owner_code=owner.owner_code if owner else None,
                reports=int(n),
                reporters=int(people),
                serious=int(serious),
                messages_intercepted=int(messages or 0),
                actions=tuple(a for a in rules.SANCTION_FIGURES if a in taken[str(number)]),
            )
        )
    return out


def top_enterprises(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    limit: int = TOP,
) -> list[EnterpriseFigures]:
    """The owners of registered ports most reported by people in the period, over all their
    ports (an enterprise by its code, else by its name)."""
    owner = func.coalesce(SpamPort.owner_code, SpamPort.owner_name)
    reports = count_if(_by_people())
    reporters = func.count(func.distinct(SpamReport.reporter_hash))
    rows = uow.session.execute(
        select(
            owner,
            func.max(SpamPort.owner_code),
            func.max(SpamPort.owner_name),
            func.max(SpamPort.owner_kind),
            func.count(func.distinct(SpamReport.port_id)),
            reports,
            reporters,
            count_if(_by_people() & SpamReport.serious.is_(True)),
            _intercepted_messages(),
        )
        .join(SpamPort, SpamPort.id == SpamReport.port_id)
        .where(_in(SpamReport.received_at, start, end), *_report_scope(unit_ids))
        .group_by(owner)
        .having(reports > 0)
        .order_by(reports.desc(), reporters.desc(), owner)
        .limit(limit)
    ).all()
    return [
        EnterpriseFigures(
            owner_code=code,
            owner_name=str(name),
            owner_kind=str(kind),
            ports=int(ports),
            reports=int(n),
            reporters=int(people),
            serious=int(serious),
            messages_intercepted=int(messages or 0),
        )
        for _, code, name, kind, ports, n, people, serious, messages in rows
    ]


def spam_figures(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    region_code: str | None = None,
    actor: Actor | None = None,
    *,
    as_of: datetime | None = None,
    limit: int = TOP,
) -> SpamFigures:
    """A region's figures (the code given within the actor's scope, else the top region of
    the scope), those of the regions directly below it, and the top ports and enterprises:
    what the monthly spam report prints."""
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    units = tree.within(root)
    facts = _facts(uow, tree, start, end, units, as_of)
    return SpamFigures(
        start,
        end,
        facts.of(root),
        [facts.of(child) for child in tree.children(root)],
        top_ports(uow, start, end, units, limit),
        top_enterprises(uow, start, end, units, limit),
    )
