"""The periodic reports (DOMAIN.md §5): early-warning daily report, network-quality weekly
report, ten-day bulletin, monthly service-quality analysis. Each is built from
``services.indicators`` and ``services.monitoring.early_warning`` (the weekly report in
``network_weekly``) into a ``reports.model.Report``; ``reports`` only renders it.

Complaint text reaches the daily report ("complaints behind each flag") and topic names
come from it, so both go through ``domain.privacy.shown``: a report is masked unless it is
asked for unmasked by a role that may take personal data in bulk
(``privacy.may_export_personal_data``, the export's rule), and that read is a security
event naming the complaints. Reports without a reader (the scheduled job) are masked.

``--date`` names the day the report is about: the daily report for 2026-11-22 covers that
day (published the next morning); the weekly report, the ten-day bulletin and the monthly
analysis cover the ISO week (Monday–Sunday), ten-day period (1–10, 11–20, 21–end) or month
that contains the date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

from sqlalchemy import func, select

from careloop.domain import callbacks, categories, permissions, privacy, time_bounds
from careloop.domain.errors import DomainError
from careloop.domain.indicators import formulas, periods
from careloop.domain.indicators.catalogue import Indicator
from careloop.domain.indicators.periods import PeriodKind
from careloop.domain.vocabulary import CHANNELS, PRODUCTS
from careloop.i18n import Translator
from careloop.reports import render as renderer
from careloop.reports.model import (
    BarChart,
    Chart,
    Column,
    Headline,
    HeatMap,
    LineChart,
    Report,
    Table,
    both,
    note_of,
)
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.indicators import figures as si
from careloop.services.indicators import sql
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.monitoring import daily_counts, network_weekly
from careloop.services.monitoring import early_warning as ews
from careloop.services.monitoring import report_archive as archive
from careloop.services.spam import bursts as spam_bursts
from careloop.services.supervision import (
    accountability_report,
    inspection_report,
    rectification_report,
)
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Notification, WorkOrder

ReportKind = Literal["daily", "weekly", "tenday", "monthly"]
KINDS: Final[dict[str, PeriodKind]] = {
    "daily": "day",
    "weekly": "week",
    "tenday": "tenday",
    "monthly": "month",
}
TITLES: Final = {
    "daily": both.t("monitoring.title.daily"),
    "weekly": network_weekly.TITLE,
    "tenday": both.t("monitoring.title.tenday"),
    "monthly": both.t("monitoring.title.monthly"),
}
TREND_DAYS: Final = 30
SECTIONS: Final = {"daily": 3, "tenday": 4, "monthly": 8}
"""The parts of building a report that ``build_report``'s ``advance`` counts: indicators,
charts and trend, then the early warning (daily); unit and staff scorecards (ten-day and
monthly); the month's early warning, accountability, inspection and rectification."""
STATUS_ZH: Final = {"met": "达标", "warning": "预警", "breached": "超标", "no_data": "无数据"}
UNIT_ZH: Final = {
    "%": "%",
    "per million users": "每百万用户",
    "per 10 000 users": "每万用户",
    "working hours": "工作小时",
    "points": "分",
}
"""The catalogue's units are English; people read the reports in Chinese."""
DEFINITION_ZH: Final = {
    formulas.DEFINITION_COMPLAINTS: "本期受理的投诉",
    formulas.DEFINITION_CLOSED: "本期关闭的投诉",
    formulas.DEFINITION_CALLBACKS: "本期完成的回访",
    formulas.DEFINITION_EVALUATIONS: "本期客户评价 (完成的回访与回复的调查)",
    formulas.DEFINITION_SURVEYS_ANSWERED: "本期回复的调查",
    formulas.DEFINITION_SURVEYS_SENT: "本期发送的调查",
    formulas.DEFINITION_CALLBACKS_CONCLUDED: "本期结束的回访 (完成、未接通、拒绝)",
    formulas.DEFINITION_STAGES: "本期完成的环节",
    formulas.DEFINITION_TIMED: "本期完成且有工时记录的环节",
    formulas.DEFINITION_REPLIES_TIMED: "本期有工时记录的答复",
    formulas.DEFINITION_ORDERS_TIMED: "本期完成且有工时记录的工单",
    formulas.DEFINITION_INSPECTIONS: "本期提交的检查",
    formulas.DEFINITION_DIAL_TESTS: "本期拨测次数",
    formulas.DEFINITION_SPAM_CASES_JUDGED: "本期评判的垃圾短信处置案件 (已处置或逾期未处置)",
    formulas.DEFINITION_SPAM_CASES_HANDLED: "本期评判且已处置的垃圾短信案件",
}
"""The formulas' denominator definitions, as the indicator table prints them; a subscriber
definition imported with the counts is printed as it was imported."""


def _category_name(code: str, lang: str = "zh") -> str:
    category = categories.get_category(code)
    return category.label(lang) if category else code


def _product_name(code: str, lang: str = "zh") -> str:
    label = PRODUCTS.get(code)
    if isinstance(label, tuple):
        return str(label[1] if lang == "en" else label[0])
    return str(label or code)


def _channel_name(code: str) -> str:
    label = CHANNELS.get(code)
    return str(label[0]) if label else code


def _local(at: datetime | None) -> datetime | None:
    """A stored UTC time as the reader's local time (Asia/Shanghai): reports show no UTC."""
    return at.astimezone(periods.LOCAL_TZ) if at is not None and at.tzinfo else at


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

INDICATOR_COLUMNS: Final = [
    Column("indicator_id", *both.t("monitoring.col.indicator_id"), code=True),
    Column("name", *both.t("monitoring.col.name")),
    Column("unit", *both.t("monitoring.col.unit")),
    Column("value", *both.t("monitoring.col.value"), "float"),
    Column("judged", *both.t("monitoring.col.judged"), "float"),
    Column("target", *both.t("monitoring.col.target"), "float"),
    Column("threshold", *both.t("monitoring.col.threshold"), "float"),
    Column("status", *both.t("monitoring.col.status")),
    Column("numerator", *both.t("monitoring.col.numerator"), "float"),
    Column("denominator", *both.t("monitoring.col.denominator"), "float"),
    Column("definition", *both.t("monitoring.col.definition")),
    Column("previous", *both.t("monitoring.col.previous"), "float"),
    Column("pop", *both.t("monitoring.col.pop"), "ratio"),
    Column("last_year", *both.t("monitoring.col.last_year"), "float"),
    Column("yoy", *both.t("monitoring.col.yoy"), "ratio"),
]


def indicator_table(report: si.IndicatorReport) -> Table:
    rows = []
    for indicator_id, row in report.root.rows.items():
        ind = row.indicator
        rows.append(
            [
                indicator_id,
                ind.name_zh,
                UNIT_ZH.get(ind.unit, ind.unit),
                row.value.value,
                row.judged_value,
                ind.target,
                ind.threshold,
                STATUS_ZH[row.status],
                row.value.numerator,
                row.value.denominator,
                DEFINITION_ZH.get(
                    row.value.denominator_definition, row.value.denominator_definition
                ),
                row.previous.value if row.previous else None,
                row.period_on_period,
                row.last_year.value if row.last_year else None,
                row.year_on_year,
            ]
        )
    return Table(
        "indicators",
        both.t("monitoring.table.indicators", region=report.root.node.name_zh)[0],
        both.t("monitoring.table.indicators", region=report.root.node.name_en)[1],
        INDICATOR_COLUMNS,
        rows,
        **note_of(
            both.t(
                "monitoring.note.indicators",
                period=report.period.label,
                previous=report.previous.label,
                last_year=report.last_year.label,
                untimed=report.root.tally.untimed,
            )
        ),
    )


def outcome_table(report: si.IndicatorReport) -> Table:
    """Callback and appeal outcomes counted, each with its share: satisfaction over the
    callbacks done, unreachable and declined apart; appeals per outcome (和解/不认可/知晓)."""
    t = report.root.tally
    rows = report.root.rows
    concluded = t.callbacks + t.callbacks_unreachable + t.callbacks_declined
    dissatisfied = t.callbacks - t.callbacks_satisfied

    def share(n: int, of: int) -> float | None:
        return formulas.make_value("share", n, of, "", formulas.PERCENT).value

    table = Table(
        "outcomes",
        *both.t("monitoring.table.outcomes"),
        [
            Column("what", *both.t("monitoring.col.what")),
            Column("count", *both.t("monitoring.col.count"), "int"),
            Column("share", *both.t("monitoring.col.share"), "pct"),
            Column("of", *both.t("monitoring.col.of")),
        ],
        **note_of(both.t("monitoring.note.outcomes")),
    )
    table.rows = [
        [callbacks.label("satisfied", "zh"), t.callbacks_satisfied,
         rows["callback_satisfaction"].value.value, "回访完成"],
        [callbacks.label("dissatisfied", "zh"), dissatisfied, share(dissatisfied, t.callbacks),
         "回访完成"],
        [callbacks.label("unreachable", "zh"), t.callbacks_unreachable,
         rows["callback_unreachable_rate"].value.value, "回访结束"],
        [callbacks.label("declined", "zh"), t.callbacks_declined,
         share(t.callbacks_declined, concluded), "回访结束"],
        ["管局转办申诉", t.appeals, None, ""],
        [callbacks.label("settled", "zh"), t.appeals_settled, share(t.appeals_settled, t.appeals),
         "申诉"],
        [callbacks.label("not_accepted", "zh"), t.appeals_not_accepted,
         share(t.appeals_not_accepted, t.appeals), "申诉"],
        [callbacks.label("informed", "zh"), t.appeals_informed,
         share(t.appeals_informed, t.appeals), "申诉"],
    ]  # fmt: skip
    return table


def region_table(report: si.IndicatorReport) -> Table:
    columns = [
        Column("region", *both.t("monitoring.col.region"), code=True),
        Column("name", *both.t("monitoring.col.region_name")),
        Column("complaints", *both.t("monitoring.col.complaints"), "int"),
        *[
            Column(k, report.catalogue[k].name_zh, report.catalogue[k].name_en, "float")
            for k in si.REPORTED
        ],
    ]
    rows = [
        [n.node.code, n.node.name_zh, n.tally.complaints, *[n.rows[k].value.value
                                                           for k in si.REPORTED]]
        for n in [report.root, *report.children]
    ]  # fmt: skip
    return Table("regions", *both.t("monitoring.table.regions"), columns, rows)


def _indicator_name(indicator_id: str) -> str:
    from careloop.domain.indicators.catalogue import CATALOGUE

    found = CATALOGUE.get(indicator_id)
    return found.name_zh if found else indicator_id


def scorecard_table(name: str, title_zh: str, title_en: str, cards: list[si.ScorecardRow]) -> Table:
    columns = [
        Column("code", *both.t("monitoring.col.code"), code=True),
        Column("name", *both.t("monitoring.col.name_name")),
        Column("score", *both.t("monitoring.col.score"), "float"),
        Column("vetoed", *both.t("monitoring.col.vetoed")),
        Column("reasons", *both.t("monitoring.col.reasons")),
        Column("items", *both.t("monitoring.col.items")),
    ]
    rows = [
        [
            c.subject_code,
            c.subject_name,
            c.card.score,
            "是" if c.card.vetoed else "否",
            "; ".join(c.card.veto_reasons),
            "; ".join(
                f"{_indicator_name(i.indicator_id)}={'—' if i.value is None else f'{i.value:.1f}'}"
                f"/{'—' if i.score is None else f'{i.score:.0f}'}/{i.weight:.2f}"
                for i in c.card.items
            ),
        ]
        for c in cards
    ]
    return Table(name, title_zh, title_en, columns, rows)


def warning_tables(warning: ews.EarlyWarning, unmasked: bool = False) -> list[Table]:
    """Flags, the complaints behind each (text masked unless `unmasked`) and hot spots."""
    flags = Table(
        "warnings",
        *both.t("monitoring.table.warnings"),
        [
            Column("no", *both.t("monitoring.col.no"), "int"),
            Column("category", *both.t("monitoring.col.category"), code=True),
            Column("category_name", *both.t("monitoring.col.category_name")),
            Column("region", *both.t("monitoring.col.region"), code=True),
            Column("region_name", *both.t("monitoring.col.region_name")),
            Column("product", *both.t("monitoring.col.product")),
            Column("window", *both.t("monitoring.col.window")),
            Column("observed", *both.t("monitoring.col.observed"), "int"),
            Column("expected", *both.t("monitoring.col.expected"), "float"),
            Column("critical", *both.t("monitoring.col.critical"), "int"),
            Column("p_value", *both.t("monitoring.col.p_value"), "float"),
        ],
        **note_of(
            both.t(
                "monitoring.note.warnings",
                days=warning.baseline_days,
                cells=warning.cells,
                fdr=f"{warning.fdr:.0%}",
            )
        ),
    )
    behind = Table(
        "warning_complaints",
        *both.t("monitoring.table.warning_complaints"),
        [
            Column("no", *both.t("monitoring.col.flag_no"), "int"),
            Column("number", *both.t("monitoring.col.number")),
            Column("accepted_at", *both.t("monitoring.col.accepted_at"), "date"),
            Column("channel", *both.t("monitoring.col.channel")),
            Column("description", *both.t("monitoring.col.description")),
        ],
    )
    for no, flag in enumerate(warning.flags, start=1):
        flags.rows.append(
            [
                no,
                flag.cell.category,
                _category_name(flag.cell.category),
                flag.cell.region_code,
                flag.region_name,
                _product_name(flag.cell.product),
                "日" if flag.window == "day" else "7日",
                flag.observed,
                flag.expected,
                flag.critical_count,
                flag.p_value,
            ]
        )
        for c in flag.complaints:
            behind.rows.append(
                [
                    no,
                    c.number,
                    _local(c.accepted_at),
                    _channel_name(c.channel),
                    privacy.shown(c.description, "text", unmasked=unmasked),
                ]
            )
    hot = Table(
        "hotspots",
        *both.t("monitoring.table.hotspots"),
        [
            Column("topic", *both.t("monitoring.col.topic")),
            Column("recent", *both.t("monitoring.col.recent"), "int"),
            Column("previous", *both.t("monitoring.col.previous_21_days"), "int"),
            Column("growth", *both.t("monitoring.col.growth"), "float"),
            Column("examples", *both.t("monitoring.col.examples")),
        ],
    )
    for spot in warning.hotspots:
        hot.rows.append(
            [
                privacy.shown(spot.topic.name, "text", unmasked=unmasked),
                spot.recent_count,
                spot.previous_count,
                spot.growth,
                ", ".join(warning.hotspot_numbers.get(int(i), str(i)) for i in spot.recent_ids[:5]),
            ]
        )
    return [flags, behind, hot, burst_table(warning.port_bursts)]


def burst_table(found: spam_bursts.BurstReport | None) -> Table:
    """端口举报突增: the day's port bursts (sample texts as the service masked them)."""
    table = Table(
        "port_bursts",
        *both.t("monitoring.table.port_bursts"),
        [
            Column("no", *both.t("monitoring.col.no"), "int"),
            Column("port", *both.t("monitoring.col.port")),
            Column("owner", *both.t("monitoring.col.owner")),
            Column("reporters", *both.t("monitoring.col.reporters"), "int"),
            Column("reports", *both.t("monitoring.col.reports"), "int"),
            Column("expected", *both.t("monitoring.col.expected_by_then"), "float"),
            Column("baseline_mean", *both.t("monitoring.col.baseline_mean"), "float"),
            Column("basis", *both.t("monitoring.col.basis")),
            Column("p_value", *both.t("monitoring.col.p_value"), "float"),
            Column("first_report", *both.t("monitoring.col.first_report"), "date"),
            Column("flagged_at", *both.t("monitoring.col.flagged_at"), "date"),
            Column("case", *both.t("monitoring.col.case")),
            Column("sample", *both.t("monitoring.col.sample")),
        ],
    )
    if found is None:
        table.note, table.note_en = both.t("monitoring.note.bursts_to_come")
        return table
    rule = found.rule
    written = []
    for lang in ("zh", "en"):
        t = Translator(lang)
        span = (
            t("monitoring.note.bursts_running", time=f"{_local(found.as_of):%H:%M}")
            if found.partial
            else t("monitoring.note.bursts_whole_day")
        )
        written.append(
            t(
                "monitoring.note.port_bursts",
                span=span,
                days=rule.baseline_days,
                fdr=f"{rule.fdr:.0%}",
                min_reporters=rule.min_reporters,
                floor=rule.new_port_floor,
                tested=found.tested,
                floored=found.floored,
            )
        )
    table.note, table.note_en = written
    for no, burst in enumerate(found.bursts, start=1):
        table.rows.append(
            [
                no,
                burst.port_number,
                burst.owner or "",
                burst.reporters,
                burst.reports,
                burst.expected if burst.basis == "test" else None,
                burst.baseline_mean,
                burst.basis_label,
                burst.p_value,
                _local(burst.first_report_at),
                _local(burst.flagged_at),
                burst.case.number if burst.case else "",
                burst.sample_text,
            ]
        )
    return table


# ---------------------------------------------------------------------------------------------
# Chart data (aggregate queries)
# ---------------------------------------------------------------------------------------------


def category_by_region(
    uow: UnitOfWork, first: date, last: date, tree: OrgTree, root: Node
) -> dict[tuple[str, str], int]:
    """Complaints per (first-level category, child region of root) accepted in [first, last]."""
    rows = uow.session.execute(
        select(Complaint.category_l1, Complaint.region_id, func.count())
        .where(
            Complaint.accepted_at >= periods.local_midnight(first),
            Complaint.accepted_at < periods.local_midnight(last + timedelta(days=1)),
            Complaint.region_id.in_(tree.within(root)),
        )
        .group_by(Complaint.category_l1, Complaint.region_id)
    ).all()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for l1, region_id, n in rows:
        child = tree.child_containing(root, region_id)
        counts[(l1, child.code if child else root.code)] += n
    return counts


@dataclass
class TrendDay:
    day: date
    complaints: int = 0
    stages: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return formulas.on_time_rate(self.on_time, self.stages).value


def trend(uow: UnitOfWork, first: date, last: date, unit_ids: list[int]) -> list[TrendDay]:
    """Per local day: complaints accepted and stages finished (on time or not), 3 queries."""
    days = {first + timedelta(days=i): TrendDay(first + timedelta(days=i))
            for i in range((last - first).days + 1)}  # fmt: skip
    start, end = periods.local_midnight(first), periods.local_midnight(last + timedelta(days=1))
    in_scope = Complaint.region_id.in_(unit_ids)
    accepted_day = sql.local_day(uow, Complaint.accepted_at)
    for raw, n in uow.session.execute(
        select(accepted_day, func.count())
        .where(Complaint.accepted_at >= start, Complaint.accepted_at < end, in_scope,
               si.counted())
        .group_by(accepted_day)
    ).all():  # fmt: skip
        days[sql.as_date(raw)].complaints = n
    replied_day = sql.local_day(uow, Complaint.replied_at)
    for raw, n, ok in uow.session.execute(
        select(replied_day, func.count(), sql.count_if(si.reply_on_time()))
        .where(Complaint.replied_at >= start, Complaint.replied_at < end, in_scope,
               si.counted())
        .group_by(replied_day)
    ).all():  # fmt: skip
        days[sql.as_date(raw)].stages += n
        days[sql.as_date(raw)].on_time += ok
    finished_day = sql.local_day(uow, WorkOrder.finished_at)
    for raw, n, ok in uow.session.execute(
        select(finished_day, func.count(), sql.count_if(si.work_order_on_time()))
        .join(Complaint, Complaint.id == WorkOrder.complaint_id)
        .where(WorkOrder.finished_at >= start, WorkOrder.finished_at < end, in_scope)
        .group_by(finished_day)
    ).all():  # fmt: skip
        days[sql.as_date(raw)].stages += n
        days[sql.as_date(raw)].on_time += ok
    return list(days.values())


def _charts_and_tables(
    uow: UnitOfWork,
    period: periods.Period,
    tree: OrgTree,
    root: Node,
    cat: dict[str, Indicator],
    trend_first: date,
) -> tuple[list[Chart], list[Table]]:
    on_time = cat["on_time_rate"]
    previous = periods.previous_period(period)
    now_counts = category_by_region(uow, period.start, period.end, tree, root)
    prev_counts = category_by_region(uow, previous.start, previous.end, tree, root)
    l1s = [c.code for c in categories.top_categories()]
    totals_now = {c: sum(v for (l1, _), v in now_counts.items() if l1 == c) for c in l1s}
    totals_prev = {c: sum(v for (l1, _), v in prev_counts.items() if l1 == c) for c in l1s}
    bar = BarChart(
        *both.t("monitoring.chart.by_category", period=period.label),
        [_category_name(c) for c in l1s],
        [_category_name(c, "en") for c in l1s],
        {
            period.label: [float(totals_now[c]) for c in l1s],
            previous.label: [float(totals_prev[c]) for c in l1s],
        },
        ylabel=both.t("monitoring.chart.complaints_axis")[0],
    )
    days = trend(uow, trend_first, period.end, tree.within(root))
    line = LineChart(
        *both.t("monitoring.chart.on_time", target=f"{on_time.target:g}"),
        [f"{d.day:%m-%d}" for d in days],
        [d.on_time_rate for d in days],
        target=on_time.target,
        threshold=on_time.threshold,
        ylabel="%",
    )
    regions = tree.children(root) or [root]
    heat = HeatMap(
        *both.t("monitoring.chart.heat", period=period.label),
        [_category_name(c) for c in l1s],
        [_category_name(c, "en") for c in l1s],
        [r.name_zh for r in regions],
        [r.name_en for r in regions],
        [[float(now_counts.get((c, r.code), 0)) for r in regions] for c in l1s],
    )
    heat_table = Table(
        "category_region",
        *both.t("monitoring.table.category_region"),
        [Column("category", *both.t("monitoring.col.category_heat"))]
        + [Column(r.code, r.name_zh, r.name_en, "int") for r in regions],
        [[_category_name(c)] + [now_counts.get((c, r.code), 0) for r in regions] for c in l1s],
    )
    trend_table = Table(
        "trend",
        *both.t("monitoring.table.trend"),
        [
            Column("day", *both.t("monitoring.col.day")),
            Column("complaints", *both.t("monitoring.col.complaints"), "int"),
            Column("stages", *both.t("monitoring.col.stages"), "int"),
            Column("on_time", *both.t("monitoring.col.on_time"), "int"),
            Column("on_time_rate", *both.t("monitoring.col.on_time_rate"), "pct"),
        ],
        [[d.day.isoformat(), d.complaints, d.stages, d.on_time, d.on_time_rate] for d in days],
    )
    return [bar, line, heat], [heat_table, trend_table]


# ---------------------------------------------------------------------------------------------
# The three reports
# ---------------------------------------------------------------------------------------------


def _summary(ir: si.IndicatorReport, lang: str = "zh") -> list[str]:
    t = Translator(lang)
    en = t.lang == "en"
    lines = [t("monitoring.summary.complaints", n=ir.root.tally.complaints)]
    for indicator_id in ("on_time_rate", "first_contact_resolution", "callback_satisfaction",
                         "callback_unreachable_rate", "repeat_rate", "escalated_rate",
                         "appeals_per_million", "average_handle_time"):  # fmt: skip
        row = ir.root.rows[indicator_id]
        ind = row.indicator
        value = "—" if row.value.value is None else f"{row.value.value:.2f}"
        pop = "—" if row.period_on_period is None else f"{row.period_on_period:+.1%}"
        unit = UNIT_ZH.get(ind.unit, "")
        lines.append(
            t(
                "monitoring.summary.indicator",
                name=ind.name_en if en else ind.name_zh,
                value=value,
                unit=(ind.unit if unit else "") if en else unit,
                status=renderer.word(row.status, lang),
                change=pop,
            )
        )
    return lines


HEADLINE: Final = (
    "on_time_rate",
    "callback_satisfaction",
    "first_contact_resolution",
    "repeat_rate",
    "escalated_rate",
    "callback_unreachable_rate",
)
"""The figures at the top of a brief: the ones a morning meeting asks about first."""


def _relative_change(now: float | None, before: float | None) -> float | None:
    return None if now is None or not before else (now - before) / before


def headline(ir: si.IndicatorReport) -> list[Headline]:
    """Complaints and the chief indicators, judged against the objectives of the indicators
    catalogue (``figures``' status: the one the scorecards use) with 环比 to the period before."""
    volume = ir.root.rows["complaints_per_10k"]
    before = volume.previous.numerator if volume.previous else None
    count = both.t("monitoring.figure.complaints_value", n=f"{ir.root.tally.complaints:,}")
    figures = [
        Headline(
            *both.t("monitoring.figure.complaints"),
            count[0],
            "none",
            _relative_change(float(ir.root.tally.complaints), before),
            value_en=count[1],
        )
    ]
    for indicator_id in HEADLINE:
        row = ir.root.rows[indicator_id]
        ind = row.indicator
        unit = UNIT_ZH.get(ind.unit, ind.unit)
        value = row.value.value
        shown = "—" if value is None else f"{value:.2f}{'%' if unit == '%' else ' ' + unit}"
        figures.append(
            Headline(
                ind.name_zh,
                ind.name_en,
                shown,
                row.status,
                row.period_on_period,
                "up" if ind.direction == "higher_better" else "down",
            )
        )
    return figures


def compared_with(kind: str, period: str) -> tuple[str, str]:
    """What a brief's arrows compare with, in both languages ("较前一日 (2026-11-21)")."""
    return {
        "daily": both.t("monitoring.compared.daily", period=period),
        "tenday": both.t("monitoring.compared.tenday", period=period),
        "monthly": both.t("monitoring.compared.monthly", period=period),
    }[kind]


def build_report(
    uow: UnitOfWork,
    kind: ReportKind,
    day: date,
    region_code: str | None = None,
    actor: Actor | None = None,
    *,
    unmasked: bool = False,
    now: datetime | None = None,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> Report:
    """The report for `kind` and `day` in `actor`'s scope (everything without an actor).

    Personal data in it is masked unless `unmasked`; the caller decides that with
    ``check_unmasked`` and records the read (``record_unmasked_read``). ``now``, when the
    caller has a clock, keeps a report on a running period from judging limits still ahead.
    ``advance`` hears (sections done, sections) as each part is built, for a progress bar.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown report {kind!r}")
    period = periods.period_of(KINDS[kind], day)
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    if kind == "weekly":
        return network_weekly.build(uow, period, tree, root, advance)
    sections, done = SECTIONS[kind], [0]

    def section_done() -> None:
        done[0] += 1
        advance(done[0], sections)

    advance(0, sections)
    ir = si.indicator_report(uow, period, root.code, as_of=now)
    section_done()
    title_zh, title_en = TITLES[kind]
    subtitle = both.t(
        "monitoring.subtitle", period=period.label, start=period.start, end=period.end
    )
    report = Report(
        kind,
        both.t("monitoring.report_title", title=title_zh, region=root.name_zh)[0],
        both.t("monitoring.report_title", title=title_en, region=root.name_en)[1],
        subtitle[0],
        subtitle_en=subtitle[1],
    )
    report.summary = _summary(ir)
    report.summary_en = _summary(ir, "en")
    report.headline = headline(ir)
    report.compared_with = compared_with(kind, ir.previous.label)
    report.brief = kind == "daily"
    trend_first = period.end - timedelta(days=TREND_DAYS - 1) if kind == "daily" else period.start
    chart_list, extra_tables = _charts_and_tables(
        uow, period, tree, root, dict(ir.catalogue), trend_first
    )
    section_done()
    # The brief keeps the one chart a table cannot say (the 30-day trend against the target);
    # the category bars and the heat map repeat its tables, and each costs a second to draw.
    report.charts = (
        [c for c in chart_list if isinstance(c, LineChart)] if kind == "daily" else chart_list
    )
    report.tables = [indicator_table(ir), region_table(ir), outcome_table(ir)]
    if kind == "daily":
        # spam samples stay masked: the unmasked report's audit names complaints only
        warning = ews.early_warning(uow, day, root.code, now=now)
        section_done()
        bursts = warning.port_bursts.bursts if warning.port_bursts else []
        report.summary.insert(
            0,
            f"预警 {len(warning.flags)} 条 (检验 {warning.cells} 格, 误报率 ≤ "
            f"{warning.fdr:.0%}); 热点 {len(warning.hotspots)} 个; 端口举报突增 "
            f"{len(bursts)} 个",
        )
        alerts: dict[str, list[str]] = {}
        for lang in ("zh", "en"):
            t = Translator(lang)
            alerts[lang] = [
                t(
                    "monitoring.alert.flag",
                    category=_category_name(flag.cell.category, lang),
                    product=_product_name(flag.cell.product, lang),
                    explanation=flag.explanation(lang),
                )
                for flag in warning.flags[:10]
            ] + [
                t("monitoring.alert.burst", explanation=burst.explanation(lang))
                for burst in bursts[:10]
            ]
        report.summary.extend(alerts["zh"])
        for lang in ("zh", "en"):
            t = Translator(lang)
            alerts[lang] += [
                t(
                    "monitoring.alert.hotspot",
                    topic=privacy.shown(spot.topic.name, "text", unmasked=unmasked),
                    recent=spot.recent_count,
                    previous=spot.previous_count,
                )
                for spot in warning.hotspots[:5]
            ]
        report.alerts, report.alerts_en = alerts["zh"], alerts["en"]
        report.tables = [*warning_tables(warning, unmasked), *report.tables]
        if unmasked:
            report.unmasked_complaints = sorted(
                {c.id for flag in warning.flags for c in flag.complaints}
            )
    else:
        report.tables.append(
            scorecard_table(
                "kpi_units",
                *both.t("monitoring.table.kpi_units"),
                si.unit_scorecards(uow, period, root.code, as_of=now),
            )
        )
        section_done()
        report.tables.append(
            scorecard_table(
                "kpi_staff",
                *both.t("monitoring.table.kpi_staff"),
                si.staff_scorecards(uow, period, root.code),
            )
        )
        section_done()
        if kind == "monthly":
            warning = ews.early_warning(uow, period.end, root.code)
            report.tables.append(warning_tables(warning, unmasked)[2])
            section_done()
            report.tables.append(accountability_report.cases_table(uow, period, root.path))
            section_done()
            for section in (inspection_report.section, rectification_report.section):
                part = section(uow, period, tree, root)
                report.tables.extend(part.tables)
                report.summary.extend(part.summary)
                report.summary_en.extend(part.summary)  # the sections speak Chinese only
                section_done()
    report.tables.extend(extra_tables)
    return report


def check_unmasked(actor: Actor | None) -> Actor:
    """An unmasked report is personal data in bulk: the export's rule decides who may take
    it (supervisors and administrators), and it needs a named reader to audit."""
    if actor is None:
        raise DomainError("unknown_actor", username="(none)")
    permissions.check_permission("report.read", actor.role)
    if not privacy.may_export_personal_data(actor.role):
        raise DomainError("role_not_allowed", role=actor.role, action="personal_data.unmask")
    return actor


def record_unmasked_read(
    uow: UnitOfWork,
    report: Report,
    actor: Actor,
    now: datetime,
    day: date,
    formats: tuple[str, ...],
    via: str,
    client: str | None = None,
) -> None:
    """The security event of an unmasked report: who read which complaints' data, how."""
    record_security_event(
        uow,
        "personal_data_read",
        actor.username,
        now,
        actor.staff_id,
        client,
        {
            "via": via,
            "report": report.kind,
            "day": day.isoformat(),
            "formats": list(formats),
            "complaints": report.unmasked_complaints,
        },
    )


@dataclass(frozen=True)
class ReportFile:
    """A rendered report, ready to hand over: its bytes, media type and file name, and when
    it was made (``stored``: served from storage, made at ``generated_at``)."""

    body: bytes
    media_type: str
    name: str
    generated_at: datetime | None = None
    stored: bool = False


def is_closed(kind: ReportKind, day: date, now: datetime) -> bool:
    """A period is closed once its last local day is over: its report no longer changes."""
    period = periods.period_of(KINDS[kind], day)
    return period.end < now.astimezone(periods.LOCAL_TZ).date()


def report_file(
    uow: UnitOfWork,
    kind: ReportKind,
    day: date,
    region_code: str | None,
    actor: Actor,
    now: datetime,
    fmt: str,
    *,
    unmasked: bool = False,
    client: str | None = None,
    lang: str = "zh",
    regenerate: bool = False,
) -> ReportFile:
    """One report as a file for `actor`; an unmasked one is audited once it is rendered.

    A masked report of a closed period is made once and then served from ``stored_reports``
    (a daily report costs seconds of text clustering and charts; the morning meeting opens
    it many times). ``regenerate`` makes it again: a supervisor's explicit, audited request,
    for when data of the period was corrected after the fact."""
    permissions.check_permission("report.read", actor.role)
    day = time_bounds.day("date", day)  # the one rule for outside times
    if unmasked:
        check_unmasked(actor)
    if regenerate:
        permissions.check_permission("report.regenerate", actor.role)
    period = periods.period_of(KINDS[kind], day)
    scope = OrgTree.load(uow).root(region_code, actor).code  # refuses a region out of scope
    name = file_name(kind, day, region_code, fmt)
    keep = not unmasked and is_closed(kind, day, now)
    key: archive.Key = (kind, period.start, scope, lang, fmt)
    if keep and not regenerate:
        stored = archive.find(uow, key)
        if stored is not None:
            return ReportFile(stored.body, stored.media_type, name, stored.generated_at, True)
    report = build_report(uow, kind, day, scope, actor, unmasked=unmasked, now=now)
    body = renderer.render(report, fmt, lang)
    media_type = renderer.MEDIA_TYPES[fmt]
    if unmasked:
        record_unmasked_read(uow, report, actor, now, day, (fmt,), "api", client)
    if keep:
        archive.keep(uow, key, body, media_type, name, now, actor.username)
        if regenerate:
            record_security_event(
                uow,
                "report_regenerated",
                actor.username,
                now,
                actor.staff_id,
                client,
                {"report": kind, "period_start": period.start.isoformat(), "scope": scope,
                 "language": lang, "format": fmt},
            )  # fmt: skip
    if unmasked or keep:
        uow.commit()
    return ReportFile(body, media_type, name, now, False)


def keep_rendered(
    uow: UnitOfWork,
    report: Report,
    kind: ReportKind,
    day: date,
    now: datetime,
    formats: tuple[str, ...],
    lang: str = "zh",
) -> None:
    """Store the province's report of a closed period ahead of its first reader: the morning
    job makes yesterday's brief, so nobody waits for its text clustering and charts."""
    period = periods.period_of(KINDS[kind], day)
    scope = OrgTree.load(uow).root(None, None).code
    for fmt in formats:
        key: archive.Key = (kind, period.start, scope, lang, fmt)
        body = renderer.render(report, fmt, lang)
        name = file_name(kind, day, None, fmt)
        archive.keep(uow, key, body, renderer.MEDIA_TYPES[fmt], name, now, "system")
    uow.commit()


def file_name(kind: str, day: date, region_code: str | None, fmt: str) -> str:
    region = f"-{region_code}" if region_code else ""
    return f"careloop-{kind}-{day.isoformat()}{region}.{fmt}"


def write_report(report: Report, kind: str, day: date, region_code: str | None, out: Path,
                 formats: tuple[str, ...] = renderer.FORMATS,
                 advance: Callable[[int, int], None] = lambda _done, _total: None,
                 ) -> list[Path]:  # fmt: skip
    """Render the report in each format into ``out``; ``advance`` hears (files written,
    files) after each, for a progress bar (a PDF with charts takes seconds)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    advance(0, len(formats))
    for fmt in formats:
        path = out / file_name(kind, day, region_code, fmt)
        path.write_bytes(renderer.render(report, fmt))
        written.append(path)
        advance(len(written), len(formats))
    return written


# ---------------------------------------------------------------------------------------------
# Delivery through the notify outbox (the scheduled daily report)
# ---------------------------------------------------------------------------------------------

DEFAULT_RECIPIENTS: Final = ("mailto:quality@careloop.local",)


def queue_daily_delivery(
    uow: UnitOfWork,
    day: date,
    now: datetime,
    *,
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS,
    region_code: str | None = None,
    files: list[Path] | None = None,
) -> int:
    """Put the daily report in the outbox, once per day and recipient (``dedup_key``): a
    second run of the job the same morning adds nothing. The body is the summary; the files
    are written by the caller and named in the body."""
    report = build_report(uow, "daily", day, region_code)
    body = "\n".join(report.summary)
    if files:
        body += "\n\n" + "\n".join(str(p) for p in files)
    added = 0
    for recipient in recipients:
        key = f"report:daily:{day.isoformat()}:{region_code or 'all'}:{recipient}"[:120]
        if uow.session.scalar(select(Notification.id).where(Notification.dedup_key == key)):
            continue
        uow.session.add(
            Notification(
                dedup_key=key,
                kind="report",
                channel="email",
                recipient=recipient,
                subject=report.title_zh + " " + day.isoformat(),
                body=body,
                status="pending",
                created_at=now,
                send_after=now,
            )
        )
        added += 1
    uow.commit()
    return added


def daily_report_job(
    session_factory: object, now: datetime, out: Path | None = None
) -> dict[str, object]:
    """The scheduled daily report: yesterday (Asia/Shanghai) written to ``out`` (if given)
    and queued for delivery through the notify outbox, once per day however often it runs."""
    from sqlalchemy.orm import Session, sessionmaker

    assert isinstance(session_factory, sessionmaker)
    factory: sessionmaker[Session] = session_factory
    day = now.astimezone(periods.LOCAL_TZ).date() - timedelta(days=1)
    files: list[Path] = []
    with UnitOfWork(factory) as uow:
        # Yesterday is counted here, once, so the report below only reads (services.daily_counts).
        daily_counts.ensure_counted(uow, day, day, now)
    with UnitOfWork(factory) as uow:
        report = build_report(uow, "daily", day, now=now)
        keep_rendered(uow, report, "daily", day, now, ("html", "pdf"))
        if out is not None:
            files = write_report(report, "daily", day, None, out)
        queued = queue_daily_delivery(uow, day, now, files=files)
    return {"day": day.isoformat(), "queued": queued, "files": [str(p) for p in files]}
