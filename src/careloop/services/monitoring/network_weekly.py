"""The network-quality weekly report (网络质量周报, DOMAIN.md §5): one ISO week, Monday to
Sunday in Asia/Shanghai, of the complaints the network has to answer for.

What it holds, and where each figure comes from:

* network complaints (``domain.indicators.network``: network quality and broadband faults)
  accepted in the week, by region (the regions directly below the report's) and by
  sub-category, each against the week before (环比, ``periods.period_on_period``);
* the hot spots: the areas (the complaint's own region, a county or district) with most
  network complaints in the week (``network.hot_spots``);
* the repair work orders (work orders of network complaints) finished in the week: on-time
  rate (``formulas.on_time_rate``, the stored limit, right without a sweep) and average
  handle time in working hours (``formulas.work_order_handle_time`` over the working minutes
  recorded on each order; orders without them are left out and counted);
* the early-warning flags of the week's seven mornings for network categories
  (``services.monitoring.early_warning``, the daily report's own test).

Rejected and merged complaints are not counted (``figures.counted``), as in the indicators.
No complaint text is shown, so the report holds no personal data to mask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy import func, select

from careloop.domain import categories
from careloop.domain.indicators import formulas, network, periods
from careloop.domain.indicators.periods import Period
from careloop.i18n import Translator
from careloop.reports.model import BarChart, Column, HeatMap, Report, Table, both, note_of
from careloop.services.indicators import figures as si
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.indicators.sql import count_if
from careloop.services.monitoring import early_warning as ews
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, WorkOrder

TITLE: Final = both.t("weekly.title")
SECTIONS: Final = 3
"""What ``build``'s ``advance`` counts: the two weeks' network complaints, the repair orders,
the early-warning flags of the week's mornings."""


def _sub_categories() -> list[categories.Category]:
    return [c for c in categories.leaf_categories() if c.parent in network.NETWORK_CATEGORIES]


def _category_name(code: str, lang: str = "zh") -> str:
    category = categories.get_category(code)
    return category.label(lang) if category else code


def network_counts(
    uow: UnitOfWork, period: Period, unit_ids: list[int]
) -> dict[tuple[int, str], int]:
    """Network complaints accepted in the period per (region id, category)."""
    start, end = period.bounds()
    rows = uow.session.execute(
        select(Complaint.region_id, Complaint.category, func.count())
        .where(
            Complaint.accepted_at >= start,
            Complaint.accepted_at < end,
            Complaint.category_l1.in_(network.NETWORK_CATEGORIES),
            Complaint.region_id.in_(unit_ids),
            si.counted(),
        )
        .group_by(Complaint.region_id, Complaint.category)
    ).all()
    return {(region_id, category): n for region_id, category, n in rows}


@dataclass
class RepairCounts:
    """Repair work orders finished in the week, for one region: the on-time rate's and the
    handle time's numerators and denominators."""

    finished: int = 0
    on_time: int = 0
    timed: int = 0
    minutes: int = 0

    @property
    def untimed(self) -> int:
        return self.finished - self.timed

    def on_time_rate(self) -> formulas.IndicatorValue:
        return formulas.on_time_rate(self.on_time, self.finished)

    def handle_time(self) -> formulas.IndicatorValue:
        return formulas.work_order_handle_time(self.minutes / 60.0, self.timed)


def repair_counts(uow: UnitOfWork, period: Period, unit_ids: list[int]) -> dict[int, RepairCounts]:
    """Per complaint region: work orders of network complaints finished in the period."""
    start, end = period.bounds()
    rows = uow.session.execute(
        select(
            Complaint.region_id,
            func.count(),
            count_if(si.work_order_on_time()),
            func.count(WorkOrder.work_minutes),
            func.coalesce(func.sum(WorkOrder.work_minutes), 0),
        )
        .join(Complaint, Complaint.id == WorkOrder.complaint_id)
        .where(
            WorkOrder.finished_at >= start,
            WorkOrder.finished_at < end,
            Complaint.category_l1.in_(network.NETWORK_CATEGORIES),
            Complaint.region_id.in_(unit_ids),
        )
        .group_by(Complaint.region_id)
    ).all()
    return {
        region_id: RepairCounts(n, on_time, timed, int(minutes or 0))
        for region_id, n, on_time, timed, minutes in rows
    }


def _by_child(
    tree: OrgTree, root: Node, regions: list[Node], counts: dict[tuple[int, str], int]
) -> dict[str, int]:
    out = {r.code: 0 for r in regions}
    for (region_id, _), n in counts.items():
        child = tree.child_containing(root, region_id)
        code = child.code if child else root.code
        out[code] = out.get(code, 0) + n
    return out


def _change_rows(
    keys: list[tuple[str, str]], now: dict[str, int], before: dict[str, int]
) -> list[list[object]]:
    return [
        [code, name, now.get(code, 0), before.get(code, 0),
         periods.period_on_period(float(now.get(code, 0)), float(before.get(code, 0)))]
        for code, name in keys
    ]  # fmt: skip


CHANGE_COLUMNS: Final = [
    Column("this_week", *both.t("weekly.col.this_week"), "int"),
    Column("last_week", *both.t("weekly.col.last_week"), "int"),
    Column("change", *both.t("weekly.col.change"), "ratio"),
]


def _flags(uow: UnitOfWork, period: Period, root: Node) -> Table:
    """The week's seven mornings of early warning, network categories only."""
    table = Table(
        "network_warnings",
        *both.t("weekly.table.network_warnings"),
        [
            Column("day", *both.t("weekly.col.day")),
            Column("category", *both.t("weekly.col.category")),
            Column("region", *both.t("weekly.col.region"), code=True),
            Column("region_name", *both.t("weekly.col.region_name")),
            Column("window", *both.t("weekly.col.window")),
            Column("observed", *both.t("weekly.col.observed"), "int"),
            Column("expected", *both.t("weekly.col.expected"), "float"),
            Column("p_value", *both.t("weekly.col.p_value"), "float"),
        ],
        **note_of(both.t("weekly.note.warnings")),
    )
    for offset in range(period.days):
        day = period.start + timedelta(days=offset)
        warning = ews.early_warning(uow, day, root.code, with_hotspots=False)
        for flag in warning.flags:
            if network.is_network(flag.cell.category):
                table.rows.append(
                    [
                        day.isoformat(),
                        _category_name(flag.cell.category),
                        flag.cell.region_code,
                        flag.region_name,
                        "日" if flag.window == "day" else "7日",
                        flag.observed,
                        flag.expected,
                        flag.p_value,
                    ]
                )
    return table


def _repair_table(
    tree: OrgTree,
    root: Node,
    regions: list[Node],
    now: dict[int, RepairCounts],
    before: dict[int, RepairCounts],
) -> tuple[Table, RepairCounts, RepairCounts]:
    def pooled(counts: dict[int, RepairCounts], node: Node) -> RepairCounts:
        total = RepairCounts()
        for region_id, c in counts.items():
            if tree.nodes[region_id].path.startswith(node.path):
                total.finished += c.finished
                total.on_time += c.on_time
                total.timed += c.timed
                total.minutes += c.minutes
        return total

    table = Table(
        "repair_orders",
        *both.t("weekly.table.repair_orders"),
        [
            Column("region", *both.t("weekly.col.region"), code=True),
            Column("name", *both.t("weekly.col.name")),
            Column("finished", *both.t("weekly.col.finished"), "int"),
            Column("on_time", *both.t("weekly.col.on_time"), "int"),
            Column("on_time_rate", *both.t("weekly.col.on_time_rate"), "pct"),
            Column("last_week_rate", *both.t("weekly.col.last_week_rate"), "pct"),
            Column("hours", *both.t("weekly.col.hours"), "float"),
            Column("untimed", *both.t("weekly.col.untimed"), "int"),
        ],
        **note_of(both.t("weekly.note.repair_orders")),
    )
    for node in [root, *regions]:
        c, p = pooled(now, node), pooled(before, node)
        table.rows.append(
            [node.code, node.name_zh, c.finished, c.on_time, c.on_time_rate().value,
             p.on_time_rate().value, c.handle_time().value, c.untimed]
        )  # fmt: skip
    return table, pooled(now, root), pooled(before, root)


def build(
    uow: UnitOfWork,
    period: Period,
    tree: OrgTree,
    root: Node,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> Report:
    """The report for ``period`` (an ISO week) over ``root`` and the regions below it;
    ``advance`` hears (sections done, ``SECTIONS``) as it goes, for a progress bar."""
    previous = periods.previous_period(period)
    units = tree.within(root)
    regions = tree.children(root) or [root]
    advance(0, SECTIONS)
    now_counts = network_counts(uow, period, units)
    prev_counts = network_counts(uow, previous, units)
    advance(1, SECTIONS)
    subs = _sub_categories()

    subtitle = both.t("weekly.subtitle", period=period.label, start=period.start, end=period.end)
    report = Report(
        "weekly",
        both.t("weekly.report_title", title=TITLE[0], region=root.name_zh)[0],
        both.t("weekly.report_title", title=TITLE[1], region=root.name_en)[1],
        subtitle[0],
        subtitle_en=subtitle[1],
    )

    # by region, with week-on-week change
    region_now = _by_child(tree, root, regions, now_counts)
    region_prev = _by_child(tree, root, regions, prev_counts)
    by_region = Table(
        "network_regions",
        *both.t("weekly.table.network_regions"),
        [Column("region", *both.t("weekly.col.region"), code=True),
         Column("name", *both.t("weekly.col.name")), *CHANGE_COLUMNS],
        _change_rows([(r.code, r.name_zh) for r in regions], region_now, region_prev),
    )  # fmt: skip

    # by sub-category, with week-on-week change
    sub_now: dict[str, int] = defaultdict(int)
    sub_prev: dict[str, int] = defaultdict(int)
    for (_, category), n in now_counts.items():
        sub_now[category] += n
    for (_, category), n in prev_counts.items():
        sub_prev[category] += n
    known = {c.code for c in subs}
    extra = sorted((set(sub_now) | set(sub_prev)) - known)  # first-level only, or retired codes
    sub_keys = [(c.code, c.name_zh) for c in subs] + [(c, _category_name(c)) for c in extra]
    by_sub = Table(
        "network_categories",
        *both.t("weekly.table.network_categories"),
        [Column("category", *both.t("weekly.col.category_code")),
         Column("name", *both.t("weekly.col.category_name")),
         *CHANGE_COLUMNS],
        _change_rows(sub_keys, sub_now, sub_prev),
    )  # fmt: skip

    # sub-category × region, this week
    cell: dict[tuple[str, str], int] = defaultdict(int)
    for (region_id, category), n in now_counts.items():
        child = tree.child_containing(root, region_id)
        cell[(category, child.code if child else root.code)] += n
    matrix = Table(
        "network_matrix",
        *both.t("weekly.table.network_matrix"),
        [Column("category", *both.t("weekly.col.matrix_category"))]
        + [Column(r.code, r.name_zh, r.name_en, "int") for r in regions],
        [[name] + [cell.get((code, r.code), 0) for r in regions] for code, name in sub_keys],
    )

    # hot spots: the areas (a complaint's own region) with most network complaints
    area_now: dict[str, int] = defaultdict(int)
    area_prev: dict[str, int] = defaultdict(int)
    top_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (region_id, category), n in now_counts.items():
        code = tree.nodes[region_id].code
        area_now[code] += n
        top_category[code][category] += n
    for (region_id, _), n in prev_counts.items():
        area_prev[tree.nodes[region_id].code] += n
    by_code = {n.code: n for n in tree.nodes.values()}
    spots = network.hot_spots(area_now, area_prev)
    hot = Table(
        "network_hotspots",
        *both.t("weekly.table.network_hotspots"),
        [
            Column("rank", *both.t("weekly.col.rank"), "int"),
            Column("area", *both.t("weekly.col.area"), code=True),
            Column("name", *both.t("weekly.col.area_name")),
            Column("parent", *both.t("weekly.col.parent")),
            *CHANGE_COLUMNS,
            Column("top", *both.t("weekly.col.top")),
        ],
    )
    for rank, spot in enumerate(spots, start=1):
        node = by_code[spot.area]
        parent = tree.nodes.get(node.parent_id) if node.parent_id is not None else None
        issue = max(top_category[spot.area].items(), key=lambda kv: (kv[1], kv[0]))[0]
        hot.rows.append(
            [rank, spot.area, node.name_zh, parent.name_zh if parent else "", spot.complaints,
             spot.previous, periods.period_on_period(float(spot.complaints),
                                                     float(spot.previous)),
             _category_name(issue)]
        )  # fmt: skip

    repairs, repair_now, repair_prev = _repair_table(
        tree, root, regions, repair_counts(uow, period, units), repair_counts(uow, previous, units)
    )
    advance(2, SECTIONS)
    flags = _flags(uow, period, root)
    advance(3, SECTIONS)

    total_now, total_prev = sum(now_counts.values()), sum(prev_counts.values())
    change = periods.period_on_period(float(total_now), float(total_prev))
    rate, hours = repair_now.on_time_rate().value, repair_now.handle_time().value
    summaries: dict[str, list[str]] = {}
    for lang in ("zh", "en"):
        t = Translator(lang)
        areas = [
            t(
                "weekly.summary.hot_area",
                area=by_code[s.area].name_en if lang == "en" else by_code[s.area].name_zh,
                n=s.complaints,
            )
            for s in spots[:3]
        ]
        untimed = repair_now.untimed
        summaries[lang] = [
            t(
                "weekly.summary.complaints",
                now=total_now,
                before=total_prev,
                change="—" if change is None else f"{change:+.1%}",
            ),
            t("weekly.summary.hot_areas", areas="; ".join(areas) or "—"),
            t(
                "weekly.summary.repairs",
                finished=repair_now.finished,
                rate=_pct(rate),
                before=_pct(repair_prev.on_time_rate().value),
                hours="—" if hours is None else f"{hours:.2f}",
            )
            + (t("weekly.summary.untimed", n=untimed) if untimed else ""),
            t("weekly.summary.flags", n=len(flags.rows)),
        ]
    report.summary, report.summary_en = summaries["zh"], summaries["en"]

    labels_zh = [c.name_zh for c in subs]
    labels_en = [c.name_en for c in subs]
    report.charts = [
        BarChart(
            *both.t("weekly.chart.by_category", period=period.label),
            labels_zh,
            labels_en,
            {
                period.label: [float(sub_now.get(c.code, 0)) for c in subs],
                previous.label: [float(sub_prev.get(c.code, 0)) for c in subs],
            },
            ylabel="件 / complaints",
        ),
        BarChart(
            *both.t("weekly.chart.by_region", period=period.label),
            [r.name_zh for r in regions],
            [r.name_en for r in regions],
            {
                period.label: [float(region_now.get(r.code, 0)) for r in regions],
                previous.label: [float(region_prev.get(r.code, 0)) for r in regions],
            },
            ylabel="件 / complaints",
        ),
        HeatMap(
            *both.t("weekly.chart.heat", period=period.label),
            labels_zh,
            labels_en,
            [r.name_zh for r in regions],
            [r.name_en for r in regions],
            [[float(cell.get((c.code, r.code), 0)) for r in regions] for c in subs],
        ),
    ]
    report.tables = [by_region, by_sub, hot, repairs, flags, matrix]
    return report


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"
