"""The morning's early warning (投诉预警日报, DOMAIN.md §5) and hot spots, from the store.

Daily counts per cell (category × region × product) over the baseline window come from
``services.daily_counts``: closed days counted once into a table (35 days of
complaints read on every morning cost 10 s of database time at 10⁷), the rest from one live
``GROUP BY`` on the complaints table; the statistical test is ``domain.early_warning.
detect_rises`` (its docstring states the test and its false-alarm rate). Only cells with at
least one complaint in the window are read: a cell that is zero every day can never reach
``min_count`` and so can never flag. The complaints behind each flag are read afterwards,
one query per flag (flags are few; cells are many).

Counted here are all complaints *accepted* (whatever became of them later): early warning is
about what came in, not how it was handled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import and_, select

from careloop.analytics import hotspots as hs
from careloop.domain import early_warning as ew
from careloop.domain.indicators.periods import local_midnight
from careloop.services.access.actors import Actor
from careloop.services.indicators.org_tree import OrgTree
from careloop.services.monitoring import daily_counts
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint

HOTSPOT_RECENT_DAYS: Final = 7
HOTSPOT_PREVIOUS_DAYS: Final = 21
HOTSPOT_MAX_TEXTS: Final = 3000
"""Per window: the newest texts are grouped (k-means over a week of a province is enough)."""
BEHIND_LIMIT: Final = 200
WINDOW_LENGTH: Final = ew.DEFAULT_BASELINE_DAYS + ew.WINDOW_DAYS["week"]
"""Days the default morning report reads: the baseline and the week tested."""


@dataclass(frozen=True, order=True)
class Cell:
    category: str
    region_code: str
    product: str


@dataclass(frozen=True)
class BehindComplaint:
    id: int
    number: str | None
    accepted_at: datetime
    channel: str
    description: str


@dataclass(frozen=True)
class WarningFlag:
    cell: Cell
    region_name: str
    window: ew.Window
    observed: int
    expected: float
    p_value: float
    threshold: float
    critical_count: int
    complaints: tuple[BehindComplaint, ...]


@dataclass
class EarlyWarning:
    day: date
    region_code: str
    cells: int
    alpha: float
    baseline_days: int
    expected_false_alarms: float
    """alpha × cells × windows: false flags a morning report expects from stable cells."""
    flags: list[WarningFlag] = field(default_factory=list)
    hotspots: list[hs.HotSpot] = field(default_factory=list)
    hotspot_numbers: dict[int, str] = field(default_factory=dict)


def daily_series(
    uow: UnitOfWork, day: date, unit_ids: list[int], length: int
) -> dict[Cell, list[int]]:
    """Counts per cell for the ``length`` local days ending with ``day`` (oldest first).

    Closed days come pre-aggregated from ``services.daily_counts`` (counted once; the first
    report over a window counts the days still missing), the rest live from the complaints.
    """
    first = day - timedelta(days=length - 1)
    codes = OrgTree.load(uow).nodes
    series: dict[Cell, list[int]] = defaultdict(lambda: [0] * length)
    for counted_day, category, region_id, product, n in daily_counts.counts(
        uow, first, day, unit_ids
    ):
        series[Cell(category, codes[region_id].code, product)][(counted_day - first).days] += n
    return dict(series)


def _behind(
    uow: UnitOfWork, cell: Cell, region_id: int, first: date, last: date
) -> tuple[BehindComplaint, ...]:
    rows = uow.session.execute(
        select(
            Complaint.id,
            Complaint.number,
            Complaint.accepted_at,
            Complaint.channel,
            Complaint.description,
        )
        .where(
            Complaint.category == cell.category,
            Complaint.region_id == region_id,
            Complaint.product == cell.product,
            Complaint.accepted_at >= local_midnight(first),
            Complaint.accepted_at < local_midnight(last + timedelta(days=1)),
        )
        .order_by(Complaint.accepted_at, Complaint.id)
        .limit(BEHIND_LIMIT)
    ).all()
    return tuple(BehindComplaint(*row) for row in rows)


def texts_between(
    uow: UnitOfWork, first: date, last: date, unit_ids: list[int], limit: int
) -> list[tuple[int, str, str | None]]:
    rows = uow.session.execute(
        select(Complaint.id, Complaint.description, Complaint.number)
        .where(
            and_(
                Complaint.accepted_at >= local_midnight(first),
                Complaint.accepted_at < local_midnight(last + timedelta(days=1)),
                Complaint.region_id.in_(unit_ids),
            )
        )
        .order_by(Complaint.accepted_at.desc())
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def early_warning(
    uow: UnitOfWork,
    day: date,
    region_code: str | None = None,
    actor: Actor | None = None,
    *,
    alpha: float = ew.DEFAULT_ALPHA,
    min_count: int = ew.DEFAULT_MIN_COUNT,
    baseline_days: int = ew.DEFAULT_BASELINE_DAYS,
    with_hotspots: bool = True,
) -> EarlyWarning:
    """Flags for ``day`` (the day just ended) and the last 7 days, with their complaints."""
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    units = tree.within(root)
    windows: tuple[ew.Window, ...] = ("day", "week")
    length = baseline_days + ew.WINDOW_DAYS["week"]
    series = daily_series(uow, day, units, length)
    flags = ew.detect_rises(
        series, alpha=alpha, min_count=min_count, baseline_days=baseline_days, windows=windows
    )
    by_code = {n.code: n for n in tree.nodes.values()}
    result = EarlyWarning(
        day,
        root.code,
        len(series),
        alpha,
        baseline_days,
        ew.expected_false_alarms(len(series), 1, alpha, len(windows)),
    )
    for flag in flags:
        node = by_code[flag.cell.region_code]
        first = day - timedelta(days=ew.WINDOW_DAYS[flag.window] - 1)
        result.flags.append(
            WarningFlag(
                flag.cell,
                node.name_zh,
                flag.window,
                flag.observed,
                flag.expected,
                flag.p_value,
                flag.threshold,
                flag.critical_count,
                _behind(uow, flag.cell, node.id, first, day),
            )
        )
    if with_hotspots:
        recent_first = day - timedelta(days=HOTSPOT_RECENT_DAYS - 1)
        previous_last = recent_first - timedelta(days=1)
        previous_first = previous_last - timedelta(days=HOTSPOT_PREVIOUS_DAYS - 1)
        recent = texts_between(uow, recent_first, day, units, HOTSPOT_MAX_TEXTS)
        previous = texts_between(uow, previous_first, previous_last, units, HOTSPOT_MAX_TEXTS)
        result.hotspots = hs.find_hotspots(
            [(i, t) for i, t, _ in recent], [(i, t) for i, t, _ in previous]
        )
        result.hotspot_numbers = {i: n or str(i) for i, _, n in recent}
    return result
