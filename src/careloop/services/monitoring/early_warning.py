"""The morning's early warning (投诉预警日报, DOMAIN.md §5) and hot spots, from the store.

Daily counts per cell (category × region × product) over the baseline window come from
``services.daily_counts``: closed days counted once into a table (35 days of
complaints read on every morning cost 10 s of database time at 10⁷), the rest from one live
``GROUP BY`` on the complaints table; the statistical test is ``domain.early_warning.
detect_rises`` (its docstring states the test and its false-alarm rate). Only cells with at
least one complaint in the window are read: a cell that is zero every day can never reach
``min_count`` and so can never flag. The complaints behind each flag are read afterwards,
one query per flag (flags are few; cells are many).

**Levels.** The finest cells (the complaint's own region: mostly a county) are summed up the
org tree (``domain.early_warning.roll_up``) into city and province cells — ``Cell.subtree``
— up to the report's region, so a rise spread thinly over many counties is tested where it
adds up; the false-discovery rate is held across every cell and window of the morning.

Counted here are all complaints *accepted* (whatever became of them later): early warning is
about what came in, not how it was handled.

**Port report bursts** (端口举报突增) join the same warning: ``services.spam.bursts`` judges
each port's distinct reporters of the day — today so far, at any hour, against the same
hours of its earlier days — and the job records and notifies a burst within minutes, so
the morning report only repeats what was flagged the same day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import and_, select

from careloop.analytics import hotspots as hs
from careloop.domain import early_warning as ew
from careloop.domain.indicators.periods import LOCAL_TZ, local_midnight
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.monitoring import daily_counts
from careloop.services.spam import bursts as spam_bursts
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint

HOTSPOT_RECENT_DAYS: Final = 7
HOTSPOT_PREVIOUS_DAYS: Final = 21
HOTSPOT_MAX_TEXTS: Final = 3000
"""Per window: the newest texts are grouped (k-means over a week of a province is enough)."""
BEHIND_LIMIT: Final = 200
WINDOWS: Final[tuple[ew.Window, ...]] = ("day", "week")
WINDOW_LENGTH: Final = ew.DEFAULT_BASELINE_DAYS + ew.WINDOW_DAYS["week"]
"""Days the default morning report reads: the baseline and the week tested."""


LEVEL_KINDS: Final = ("city", "province")
"""Regions whose subtree is summed into a cell of its own (counties are the finest level)."""


def _level_words(t: Translator) -> dict[str, str]:
    return {
        "county": t("warning.level.county"),
        "city": t("warning.level.city"),
        "province": t("warning.level.province"),
    }


@dataclass(frozen=True, order=True)
class Cell:
    category: str
    region_code: str
    product: str
    subtree: bool = False
    """True: the region with everything under it (a city's or the province's total)."""


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
    level: str = "county"
    """The region's kind: county, city or province (with ``cell.subtree``: its total)."""
    region_name_en: str = ""
    baseline_mean: float = 0.0
    """Complaints a day over the baseline."""
    baseline_days: int = 0
    adjusted_p: float = 0.0
    """Benjamini–Hochberg adjusted p-value: flagged when ≤ the report's false-alarm rate."""

    def explanation(self, lang: str = "zh") -> str:
        """One line a reader can check: level, region, observed, expected and baseline."""
        t = Translator(lang)
        en = t.lang == "en"
        return t(
            "warning.explanation",
            level=_level_words(t).get(self.level, self.level),
            region=(self.region_name_en or self.region_name) if en else self.region_name,
            scope=t("warning.subtree") if self.cell.subtree else "",
            span=t("warning.span.day") if self.window == "day" else t("warning.span.week"),
            observed=self.observed,
            expected=f"{self.expected:.1f}",
            days=self.baseline_days,
            mean=f"{self.baseline_mean:.1f}",
            p=f"{self.p_value:.2g}",
            adjusted=f"{self.adjusted_p:.2g}",
        )


@dataclass
class EarlyWarning:
    day: date
    region_code: str
    cells: int
    """Cells tested: finest cells plus the city and province totals."""
    fdr: float
    """The stated false-alarm rate (see ``domain.early_warning``): at most this share of a
    morning's flags is expected to be false, and a morning with no real rise shows any flag
    at all with at most this probability."""
    baseline_days: int
    cells_by_level: dict[str, int] = field(default_factory=dict)
    flags: list[WarningFlag] = field(default_factory=list)
    hotspots: list[hs.HotSpot] = field(default_factory=list)
    hotspot_numbers: dict[int, str] = field(default_factory=dict)
    port_bursts: spam_bursts.BurstReport | None = None
    """Spam ports whose reports burst on the day (within the report's region)."""


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


def _ancestors(tree: OrgTree, root: Node) -> Callable[[Cell], list[Cell]]:
    """A finest cell's enclosing totals: its region's own subtree (a city or the province
    where complaints are registered at that level), then each city or province above it,
    up to the report's region."""
    by_code = {n.code: n for n in tree.nodes.values()}

    def ancestors(cell: Cell) -> list[Cell]:
        node: Node | None = by_code[cell.region_code]
        chain = []
        while node is not None and node.path.startswith(root.path):
            if node.kind in LEVEL_KINDS:
                chain.append(Cell(cell.category, node.code, cell.product, True))
            node = tree.nodes.get(node.parent_id) if node.parent_id is not None else None
        return chain

    return ancestors


def rises(
    series: dict[Cell, list[int]],
    tree: OrgTree,
    root: Node,
    day: date,
    *,
    fdr: float = ew.DEFAULT_FDR,
    min_count: int = ew.DEFAULT_MIN_COUNT,
    baseline_days: int = ew.DEFAULT_BASELINE_DAYS,
) -> tuple[dict[Cell, list[int]], list[ew.Flag[Cell]]]:
    """The finest series summed up to ``root`` and the morning's flags over all of them."""
    every, parents = ew.roll_up(series, _ancestors(tree, root))
    flags = ew.detect_rises(
        every,
        parents=parents,
        last_weekday=day.weekday(),
        fdr=fdr,
        min_count=min_count,
        baseline_days=baseline_days,
        windows=WINDOWS,
    )
    return every, flags


def _behind(
    uow: UnitOfWork, cell: Cell, region_ids: list[int], first: date, last: date
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
            Complaint.region_id.in_(region_ids),
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
    fdr: float = ew.DEFAULT_FDR,
    min_count: int = ew.DEFAULT_MIN_COUNT,
    baseline_days: int = ew.DEFAULT_BASELINE_DAYS,
    with_hotspots: bool = True,
    now: datetime | None = None,
    unmasked: bool = False,
) -> EarlyWarning:
    """Flags for ``day`` (the day just ended) and the last 7 days, with their complaints,
    at the county, city and province levels within ``region_code``; and the day's port
    report bursts — so far, when ``now`` falls on ``day`` (the whole day without ``now``),
    their sample texts masked unless ``unmasked``."""
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    units = tree.within(root)
    length = baseline_days + ew.WINDOW_DAYS["week"]
    series = daily_series(uow, day, units, length)
    every, flags = rises(
        series, tree, root, day, fdr=fdr, min_count=min_count, baseline_days=baseline_days
    )
    by_code = {n.code: n for n in tree.nodes.values()}
    levels: dict[str, int] = {}
    for cell in every:
        level = by_code[cell.region_code].kind
        levels[level] = levels.get(level, 0) + 1
    result = EarlyWarning(day, root.code, len(every), fdr, baseline_days, levels)
    as_of = now or local_midnight(day + timedelta(days=1))
    if day <= as_of.astimezone(LOCAL_TZ).date():  # a day still ahead has no reports yet
        result.port_bursts = spam_bursts.port_bursts(uow, day, as_of, root.path, unmasked=unmasked)
    for flag in flags:
        node = by_code[flag.cell.region_code]
        first = day - timedelta(days=ew.WINDOW_DAYS[flag.window] - 1)
        region_ids = tree.within(node) if flag.cell.subtree else [node.id]
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
                _behind(uow, flag.cell, region_ids, first, day),
                level=node.kind,
                region_name_en=node.name_en,
                baseline_mean=flag.baseline_mean,
                baseline_days=flag.baseline_days,
                adjusted_p=flag.adjusted_p,
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
