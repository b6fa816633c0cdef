"""垃圾短信治理月报: the month's spam-SMS figures for the regulator, as the other periodic
reports are made (``reports.model.Report``, rendered by ``reports.render`` to HTML, XLSX and
PDF).

The figures per region (reports, distinct reporters, reports per million subscribers,
handling and on-time rates, ports sanctioned, messages intercepted, serious violations, top
ports and enterprises) are ``services.spam.figures``' — the same facts and formulas the
indicator catalogue and the early warning read, so the report cannot say a different number
than the page. What only the report shows is counted here: the daily trend, the reports by
the classifier's kind and the list of serious violations.

A report counts in the month it was received (Beijing local days). The reader's scope
decides the region (``OrgTree.root``: a region outside it is refused as missing). Personal
data is always masked: the report travels to the regulator, who needs the sending port
(shown in full) and not the reporter's number or the text's numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Final, Literal

from sqlalchemy import and_, case, func, select

from careloop.domain import permissions, privacy
from careloop.domain.errors import WordedError
from careloop.domain.indicators import periods
from careloop.domain.indicators.periods import Period
from careloop.domain.spam import figures as rules
from careloop.domain.spam.enforcement import port_state_label
from careloop.domain.spam.reports import SERIOUS_REASONS
from careloop.reports import render as renderer
from careloop.reports.model import Column, Headline, LineChart, Report, Table
from careloop.services.access.actors import Actor
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.indicators.sql import count_if
from careloop.services.spam import figures
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.spam import SpamReport
from careloop.store.models.spam_enforcement import (
    SpamPortSanctionHistory,
)

KIND: Final = "spam-monthly"
TITLE: Final = ("垃圾短信治理月报", "Monthly spam-SMS governance report")
TOP: Final = 10
"""Ports and enterprises listed by reports received."""
SERIOUS_SHOWN: Final = 200
"""Serious violations listed (most recent first); the count above the table is all of them."""
FORMATS: Final = ("xlsx", "pdf", "html")
Format = Literal["xlsx", "pdf", "html"]
UNCLASSIFIED: Final = ("未判定", "not classified")
SECTIONS: Final = 5
"""What ``build_report``'s ``advance`` counts: the month's figures per region, the month
before, the daily trend, the kinds, the serious violations."""
_MONTH: Final = re.compile(r"(\d{4})-(\d{2})")


class SpamReportError(WordedError):
    """A request for the monthly report that cannot be answered, said in words."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "month": (
            "invalid_input",
            422,
            "月份应写作 YYYY-MM (例如 2026-11), 2000 年至 2099 年之间: “{value}” 不是",
            "The month must be written YYYY-MM (e.g. 2026-11), between 2000 and 2099: "
            "“{value}” is not",
        ),
        "month_ahead": (
            "invalid_input",
            422,
            "{value} 还没有开始, 没有可报告的数据",
            "{value} has not begun yet: there is nothing to report",
        ),
        "format": (
            "invalid_input",
            422,
            "格式应为 xlsx、pdf 或 html: “{value}” 不是",
            "The format must be xlsx, pdf or html: “{value}” is not",
        ),
    }


def parse_month(text: str, now: datetime | None = None) -> Period:
    """A month as people write it (2026-11), within the years every time may lie in, and not
    one that has not begun (``now``, when the caller has a clock)."""
    shown = (text or "").strip()[:20]
    found = _MONTH.fullmatch((text or "").strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2099:
        raise SpamReportError("month", value=shown)
    first = date(int(found[1]), int(found[2]), 1)
    if now is not None and first > now.astimezone(periods.LOCAL_TZ).date():
        raise SpamReportError("month_ahead", value=shown)
    return periods.period_of("month", first)


def check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise SpamReportError("format", value=(fmt or "")[:20])
    return fmt  # type: ignore[return-value]


# --- what a region's line says ---------------------------------------------------------------


@dataclass(frozen=True)
class RegionLine:
    """One region's month, as the region table prints it (rates in percent, None = "—")."""

    code: str
    name_zh: str
    name_en: str
    reports: int
    reporters: int
    per_million: float | None
    cases: int
    handling_rate: float | None
    on_time_rate: float | None
    warned: int
    throttled: int
    suspended: int
    closed: int
    intercepted: int
    serious: int

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class Ranked:
    """A port or an enterprise among the most reported."""

    key: str
    """The port number, or the enterprise's customer code (its name when it has none)."""
    name: str
    """The port's owner, or the enterprise's name."""
    reports: int
    reporters: int
    serious: int
    extra: str = ""
    """A port's sanction state, an enterprise's ports (in words)."""


def _rounded(value: float | None) -> float | None:
    """A rate as the report prints it: two decimals (the XLSX keeps it a number)."""
    return None if value is None else round(value, 2)


def _change(now: float | None, before: float | None) -> float | None:
    """环比 as a relative change; None when either month has no figure or the earlier is 0."""
    return None if now is None or not before else (now - before) / before


@dataclass(frozen=True)
class MonthFacts:
    lines: list[RegionLine]
    """The report's region first, then each region directly below it."""
    ports: list[Ranked]
    enterprises: list[Ranked]


def region_facts(
    uow: UnitOfWork,
    period: Period,
    root: Node,
    as_of: datetime,
    lang: str,
) -> MonthFacts:
    """The figures of ``root`` and the regions directly below it for the month, judged at
    ``as_of`` (``services.spam.figures``), as the report's lines."""
    first, after = period.bounds()
    found = figures.spam_figures(uow, first, after, root.code, None, as_of=as_of, limit=TOP)
    states = _states(uow, [p.port_number for p in found.top_ports], as_of, lang)
    unit = "ports" if lang == "en" else "个端口"
    return MonthFacts(
        [_line(r) for r in (found.root, *found.regions)],
        [
            Ranked(p.port_number, p.owner_name or "", p.reports, p.reporters, p.serious,
                   states[p.port_number])
            for p in found.top_ports
        ],
        [
            Ranked(e.owner_code or "", e.owner_name, e.reports, e.reporters, e.serious,
                   f"{e.ports} {unit}")
            for e in found.top_enterprises
        ],
    )  # fmt: skip


def month_before(uow: UnitOfWork, period: Period, tree: OrgTree, root: Node) -> RegionLine:
    """The region's month before, whole (it is over): what the headline compares with."""
    first, after = periods.previous_period(period).bounds()
    return _line(figures.totals(uow, first, after, tree.within(root)))


def _line(r: figures.SpamRegionFigures) -> RegionLine:
    return RegionLine(
        r.code,
        r.name_zh,
        r.name_en,
        r.reports,
        r.reporters,
        _rounded(r.reports_per_million),
        r.cases_opened,
        _rounded(r.handling_rate),
        _rounded(r.on_time_rate),
        r.ports_warned,
        r.ports_throttled,
        r.ports_suspended,
        r.ports_closed,
        r.messages_intercepted,
        r.serious,
    )


def _states(uow: UnitOfWork, ports: Sequence[str], as_of: datetime, lang: str) -> dict[str, str]:
    """Each port's sanction state at ``as_of`` (the last change by then), in words."""
    H = SpamPortSanctionHistory
    states: dict[str, str] = {}
    if ports:
        for port, state in uow.session.execute(
            select(H.port_number, H.state)
            .where(H.port_number.in_(list(ports)), H.at <= as_of)
            .order_by(H.at, H.id)
        ).all():
            states[port] = state
    return {p: port_state_label(states.get(p, "active"), lang) for p in ports}


# --- what only the report counts -------------------------------------------------------------


def _within(root: Node) -> Any:
    return SpamReport.region_path.startswith(root.path, autoescape=True)


def _by_people() -> Any:
    """Reports by people, as the figures count them (interceptions are counted apart)."""
    return SpamReport.source.in_(rules.REPORT_SOURCES)


@dataclass(frozen=True)
class DayLine:
    day: date
    reports: int
    serious: int
    intercepted: int


def daily_lines(uow: UnitOfWork, period: Period, root: Node) -> list[DayLine]:
    """Each local day of the month, reported or not (a quiet day is a 0 on the chart)."""
    lines = []
    day = period.start
    while day <= period.end:
        first, after = periods.local_midnight(day), periods.local_midnight(day + timedelta(1))
        reports, serious, intercepted = uow.session.execute(
            select(
                count_if(_by_people()),
                count_if(and_(_by_people(), SpamReport.serious.is_(True))),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                SpamReport.source == rules.INTERCEPTION_SOURCE,
                                SpamReport.message_count,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ).where(_within(root), SpamReport.received_at >= first, SpamReport.received_at < after)
        ).one()
        lines.append(DayLine(day, int(reports), int(serious), int(intercepted)))
        day += timedelta(days=1)
    return lines


def kind_counts(uow: UnitOfWork, period: Period, root: Node) -> list[tuple[str | None, int]]:
    """Reports by the classifier's kind, most first; None: not classified (no model then)."""
    first, after = period.bounds()
    rows = uow.session.execute(
        select(SpamReport.kind, func.count())
        .where(
            _within(root),
            _by_people(),
            SpamReport.received_at >= first,
            SpamReport.received_at < after,
        )
        .group_by(SpamReport.kind)
    ).all()
    return sorted(((k, int(n)) for k, n in rows), key=lambda r: (-r[1], r[0] or "~"))


@dataclass(frozen=True)
class SeriousLine:
    received_at: datetime
    region_id: int
    port: str
    reason: str | None
    reporter: str | None
    text: str


def serious_lines(uow: UnitOfWork, period: Period, root: Node) -> tuple[int, list[SeriousLine]]:
    """The month's serious violations (sent after an unsubscribe or without consent): how
    many, and the most recent ``SERIOUS_SHOWN`` of them, personal data masked."""
    first, after = period.bounds()
    where = (
        _within(root),
        SpamReport.serious.is_(True),
        _by_people(),
        SpamReport.received_at >= first,
        SpamReport.received_at < after,
    )
    total = int(uow.session.scalar(select(func.count()).where(*where)) or 0)
    rows = uow.session.execute(
        select(
            SpamReport.received_at,
            SpamReport.region_id,
            SpamReport.port_number,
            SpamReport.sender_number,
            SpamReport.serious_reason,
            SpamReport.reporter_phone,
            SpamReport.text,
        )
        .where(*where)
        .order_by(SpamReport.received_at.desc(), SpamReport.id.desc())
        .limit(SERIOUS_SHOWN)
    ).all()
    return total, [
        SeriousLine(
            at,
            region_id,
            port or sender,
            reason,
            privacy.shown(phone, "phone", unmasked=False),
            privacy.shown(text, "text", unmasked=False) or "",
        )
        for at, region_id, port, sender, reason, phone, text in rows
    ]


# --- the tables ------------------------------------------------------------------------------

REGION_COLUMNS: Final = [
    Column("region", "地区代码", "Region", code=True),
    Column("name", "地区", "Region name"),
    Column("reports", "举报量", "Reports", "int"),
    Column("reporters", "举报人数", "Reporters", "int"),
    Column("per_million", "每百万用户举报量", "Reports per million subscribers", "float"),
    Column("cases", "处置案件", "Enforcement cases", "int"),
    Column("handling_rate", "处置率", "Handling rate", "pct"),
    Column("on_time_rate", "及时处置率", "On-time rate", "pct"),
    Column("warned", "警告端口", "Ports warned", "int"),
    Column("throttled", "限速端口", "Ports throttled", "int"),
    Column("suspended", "暂停端口", "Ports suspended", "int"),
    Column("closed", "关停端口", "Ports closed", "int"),
    Column("intercepted", "拦截短信条数", "Messages intercepted", "int"),
    Column("serious", "严重违规", "Serious violations", "int"),
]


def region_table(lines: Sequence[RegionLine], lang: str) -> Table:
    """The report's region first (its own total), then each region below it."""
    table = Table(
        "regions",
        "分地区垃圾短信治理指标",
        "Spam figures by region",
        REGION_COLUMNS,
        note=(
            "Reports per million = reports ÷ subscribers × 1 000 000; handling rate = cases "
            "acted on ÷ cases due or acted on; on-time rate = cases acted on by the deadline "
            "÷ cases acted on (docs/spam.md). — = nothing to count, not 0."
            if lang == "en"
            else "每百万用户举报量 = 举报量 ÷ 用户数 × 1 000 000; 处置率 = 已处置案件 ÷ "
            "(已到期或已处置案件); 及时处置率 = 期限内处置 ÷ 已处置 (口径见 docs/spam.md)。"
            "— 表示无可计数据, 不是 0。"
        ),
    )
    for r in lines:
        table.rows.append(
            [r.code, r.name(lang), r.reports, r.reporters, r.per_million, r.cases,
             r.handling_rate, r.on_time_rate, r.warned, r.throttled, r.suspended, r.closed,
             r.intercepted, r.serious]
        )  # fmt: skip
    return table


def daily_table(lines: Sequence[DayLine]) -> Table:
    return Table(
        "daily",
        "每日举报",
        "Reports per day",
        [
            Column("day", "日期", "Day"),
            Column("reports", "举报量", "Reports", "int"),
            Column("serious", "严重违规", "Serious violations", "int"),
            Column("intercepted", "拦截短信条数", "Messages intercepted", "int"),
        ],
        [[d.day.isoformat(), d.reports, d.serious, d.intercepted] for d in lines],
    )


def daily_chart(lines: Sequence[DayLine]) -> LineChart:
    return LineChart(
        "每日垃圾短信举报量",
        "Spam reports per day",
        [f"{d.day:%m-%d}" for d in lines],
        [float(d.reports) for d in lines],
        ylabel="reports",
    )


def _kind_name(kind: str | None, lang: str) -> str:
    if kind is None:
        return UNCLASSIFIED[1 if lang == "en" else 0]
    from careloop.analytics.spam import kinds

    return kinds.kind(kind).name(lang) if kinds.is_kind(kind) else kind


def kind_table(counts: Sequence[tuple[str | None, int]], lang: str) -> Table:
    total = sum(n for _, n in counts)
    return Table(
        "kinds",
        "按类型统计的举报",
        "Reports by kind",
        [
            Column("kind", "类型代码", "Kind", code=True),
            Column("name", "类型", "Kind name"),
            Column("reports", "举报量", "Reports", "int"),
            Column("share", "占比", "Share", "pct"),
        ],
        [
            [kind or "", _kind_name(kind, lang), n, round(n * 100 / total, 2) if total else None]
            for kind, n in counts
        ],
        note=(
            "Kind as the spam classifier judged each report when it was stored."
            if lang == "en"
            else "类型为举报入库时垃圾短信分类模型的判定。"
        ),
    )


def ranked_table(
    name: str, title: tuple[str, str], first: Column, second: Column, extra: Column,
    ranked: Sequence[Ranked],
) -> Table:  # fmt: skip
    return Table(
        name,
        *title,
        [
            Column("rank", "名次", "Rank", "int"),
            first,
            second,
            Column("reports", "举报量", "Reports", "int"),
            Column("reporters", "举报人数", "Reporters", "int"),
            Column("serious", "严重违规", "Serious violations", "int"),
            extra,
        ],
        [
            [rank, r.key, r.name, r.reports, r.reporters, r.serious, r.extra]
            for rank, r in enumerate(ranked, start=1)
        ],
    )


def top_ports_table(ranked: Sequence[Ranked]) -> Table:
    return ranked_table(
        "top_ports",
        ("被举报最多的端口 (前十)", "Most reported ports (top ten)"),
        Column("port", "端口号码", "Port"),
        Column("owner", "归属客户", "Owner"),
        Column("state", "处置状态", "Sanction state"),
        ranked,
    )


def top_enterprises_table(ranked: Sequence[Ranked]) -> Table:
    return ranked_table(
        "top_enterprises",
        ("被举报最多的企业 (前十)", "Most reported enterprises (top ten)"),
        Column("code", "客户编码", "Customer code"),
        Column("enterprise", "企业", "Enterprise"),
        Column("ports", "端口", "Ports"),
        ranked,
    )


def _reason(code: str | None, lang: str) -> str:
    words = SERIOUS_REASONS.get(code or "")
    return (words[1] if lang == "en" else words[0]) if words else (code or "")


def serious_table(total: int, lines: Sequence[SeriousLine], tree: OrgTree, lang: str) -> Table:
    en = lang == "en"
    shown = (
        f"{len(lines)} of {total}, most recent first"
        if en
        else f"共 {total} 件, 列出最近 {len(lines)} 件"
    )
    return Table(
        "serious",
        "严重违规 (退订后仍发送、未经同意发送)",
        "Serious violations (sent after an unsubscribe or without consent)",
        [
            Column("received_at", "举报时间", "Received", "date"),
            Column("region", "地区", "Region"),
            Column("port", "发送端口", "Sending port"),
            Column("reason", "违规情形", "Violation"),
            Column("reporter", "举报号码 (脱敏)", "Reporter (masked)"),
            Column("text", "短信内容 (脱敏)", "Message (masked)"),
        ],
        [
            [
                s.received_at.astimezone(periods.LOCAL_TZ),
                _node_name(tree, s.region_id, lang),
                s.port,
                _reason(s.reason, lang),
                s.reporter or "",
                s.text,
            ]
            for s in lines
        ],
        note=shown + ("; personal data masked." if en else "; 个人信息已脱敏。"),
    )


def _node_name(tree: OrgTree, unit_id: int, lang: str) -> str:
    node = tree.nodes.get(unit_id)
    if node is None:
        return ""
    return node.name_en if lang == "en" else node.name_zh


# --- the report ------------------------------------------------------------------------------


def _count(n: int, lang: str, unit_zh: str = "件") -> str:
    return f"{n:,}" if lang == "en" else f"{n:,} {unit_zh}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def headline(now: RegionLine, before: RegionLine, lang: str) -> list[Headline]:
    """The region's month against the month before (环比): counts and rates, each with the
    way of change that is good news (fewer reports, more cases handled)."""

    def figure(zh: str, en: str, value: str, new: float | None, old: float | None,
               better: Literal["up", "down", "none"]) -> Headline:  # fmt: skip
        return Headline(zh, en, value, "none", _change(new, old), better)

    return [
        figure("举报量", "Reports", _count(now.reports, lang), now.reports, before.reports, "down"),
        figure("举报人数", "Reporters", _count(now.reporters, lang, "人"), now.reporters,
               before.reporters, "down"),
        figure("每百万用户举报量", "Reports per million subscribers", _number(now.per_million),
               now.per_million, before.per_million, "down"),
        figure("处置率", "Handling rate", _rate(now.handling_rate), now.handling_rate,
               before.handling_rate, "up"),
        figure("及时处置率", "On-time rate", _rate(now.on_time_rate), now.on_time_rate,
               before.on_time_rate, "up"),
        figure("关停端口", "Ports closed", _count(now.closed, lang, "个"), now.closed,
               before.closed, "none"),
        figure("拦截短信", "Messages intercepted", _count(now.intercepted, lang, "条"),
               now.intercepted, before.intercepted, "none"),
        figure("严重违规", "Serious violations", _count(now.serious, lang), now.serious,
               before.serious, "down"),
    ]  # fmt: skip


def _change_words(new: float | None, old: float | None, lang: str) -> str:
    change = _change(new, old)
    if change is None:
        return "no comparison" if lang == "en" else "无可比数据"
    return f"{change:+.1%}"


def summary(
    now: RegionLine,
    before: RegionLine,
    ports: Sequence[Ranked],
    kinds: Sequence[tuple[str | None, int]],
    lang: str,
) -> list[str]:
    """What the month comes to, in a few sentences a reader can quote."""
    if lang == "en":
        lines = [
            f"{now.reports:,} spam reports from {now.reporters:,} reporters "
            f"({_number(now.per_million)} per million subscribers), "
            f"{_change_words(now.reports, before.reports, lang)} on the month before.",
            f"{now.cases:,} enforcement cases: handling rate {_rate(now.handling_rate)}, "
            f"on-time rate {_rate(now.on_time_rate)}; ports warned {now.warned}, throttled "
            f"{now.throttled}, suspended {now.suspended}, closed {now.closed}.",
            f"{now.intercepted:,} spam messages intercepted by the SMS centre; "
            f"{now.serious:,} serious violations (sent after an unsubscribe or without consent).",
        ]
        if ports:
            lines.append(f"Most reported port: {ports[0].key} ({ports[0].name}), "
                         f"{ports[0].reports:,} reports.")  # fmt: skip
        if kinds:
            lines.append(f"Most reported kind: {_kind_name(kinds[0][0], lang)}, "
                         f"{kinds[0][1]:,} reports.")  # fmt: skip
        return lines
    lines = [
        f"本月收到垃圾短信举报 {now.reports:,} 件, 举报人 {now.reporters:,} 人, 每百万用户举报量 "
        f"{_number(now.per_million)}, 较上月 {_change_words(now.reports, before.reports, lang)}。",
        f"处置案件 {now.cases:,} 件, 处置率 {_rate(now.handling_rate)}, 及时处置率 "
        f"{_rate(now.on_time_rate)}; 警告端口 {now.warned} 个, 限速 {now.throttled} 个, 暂停 "
        f"{now.suspended} 个, 关停 {now.closed} 个。",
        f"短信中心拦截垃圾短信 {now.intercepted:,} 条; 严重违规 (退订后仍发送、未经同意发送) "
        f"{now.serious:,} 件。",
    ]
    if ports:
        lines.append(f"被举报最多的端口: {ports[0].key} ({ports[0].name}), "
                     f"{ports[0].reports:,} 件。")  # fmt: skip
    if kinds:
        lines.append(f"举报最多的类型: {_kind_name(kinds[0][0], lang)}, {kinds[0][1]:,} 件。")
    return lines


def build_report(
    uow: UnitOfWork,
    period: Period,
    region_code: str | None,
    actor: Actor | None,
    now: datetime,
    lang: str = "zh",
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> Report:
    """The month's report for ``region_code`` (default: the top of the reader's scope);
    a region outside ``actor``'s scope is refused as missing. ``now`` is when the report
    is made: a case whose deadline is still ahead is not judged yet. ``advance`` hears
    (sections done, ``SECTIONS``) as they are counted, for a progress bar."""
    lang = "en" if lang == "en" else "zh"
    tree = OrgTree.load(uow)
    root = tree.root(region_code, actor)
    as_of = min(now, period.bounds()[1])
    advance(0, SECTIONS)
    month = region_facts(uow, period, root, as_of, lang)
    advance(1, SECTIONS)
    previous = periods.previous_period(period)
    earlier = month_before(uow, period, tree, root)
    advance(2, SECTIONS)
    days = daily_lines(uow, period, root)
    advance(3, SECTIONS)
    kinds = kind_counts(uow, period, root)
    advance(4, SECTIONS)
    serious_total, serious = serious_lines(uow, period, root)
    advance(5, SECTIONS)
    report = Report(
        KIND,
        f"{TITLE[0]} — {root.name_zh}",
        f"{TITLE[1]} — {root.name_en}",
        f"{period.label} ({period.start} – {period.end}, "
        + ("Beijing time)" if lang == "en" else "北京时间)"),
    )
    top = month.lines[0]
    report.headline = headline(top, earlier, lang)
    report.compared_with = (
        f"较上月 ({previous.label})",
        f"vs the previous month ({previous.label})",
    )
    report.summary = summary(top, earlier, month.ports, kinds, lang)
    report.tables = [
        region_table(month.lines, lang),
        top_ports_table(month.ports),
        top_enterprises_table(month.enterprises),
        kind_table(kinds, lang),
        daily_table(days),
        serious_table(serious_total, serious, tree, lang),
    ]
    report.charts = [daily_chart(days)]
    return report


# --- files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFile:
    body: bytes
    media_type: str
    name: str


def file_name(period: Period, region_code: str | None, fmt: str) -> str:
    region = f"-{region_code}" if region_code else ""
    return f"careloop-{KIND}-{period.label}{region}.{fmt}"


def report_file(
    uow: UnitOfWork,
    month: str,
    fmt: str,
    region_code: str | None,
    actor: Actor,
    now: datetime,
    lang: str = "zh",
) -> ReportFile:
    """The month's report as a file for ``actor``: the report readers' permission, their
    scope, a month that has begun and a format we write."""
    permissions.check_permission("report.read", actor.role)
    period = parse_month(month, now)
    which = check_format(fmt)
    report = build_report(uow, period, region_code or None, actor, now, lang)
    body = renderer.render(report, which, lang)
    return ReportFile(body, renderer.MEDIA_TYPES[which], file_name(period, region_code, which))


def write_report(
    report: Report,
    period: Period,
    region_code: str | None,
    out: Path,
    formats: Sequence[str],
    lang: str = "zh",
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> list[Path]:
    """Render the report in each format into ``out``; ``advance`` hears (files written,
    files) after each, for a progress bar."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    advance(0, len(formats))
    for fmt in formats:
        path = out / file_name(period, region_code, fmt)
        path.write_bytes(renderer.render(report, fmt, lang))
        written.append(path)
        advance(len(written), len(formats))
    return written
