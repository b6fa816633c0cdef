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
from careloop.i18n import Translator
from careloop.reports import render as renderer
from careloop.reports.model import Column, Headline, LineChart, Report, Table, both
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
TOP: Final = 10
"""Ports and enterprises listed by reports received."""
SERIOUS_SHOWN: Final = 200
"""Serious violations listed (most recent first); the count above the table is all of them."""
FORMATS: Final = ("xlsx", "pdf", "html")
Format = Literal["xlsx", "pdf", "html"]
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
    t = Translator(lang)
    return MonthFacts(
        [_line(r) for r in (found.root, *found.regions)],
        [
            Ranked(p.port_number, p.owner_name or "", p.reports, p.reporters, p.serious,
                   states[p.port_number])
            for p in found.top_ports
        ],
        [
            Ranked(e.owner_code or "", e.owner_name, e.reports, e.reporters, e.serious,
                   t("spam_report.enterprise_ports", n=e.ports))
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


def region_columns() -> list[Column]:
    return [
        Column("region", *both.t("spam_report.col.region"), code=True),
        Column("name", *both.t("spam_report.col.region_name")),
        Column("reports", *both.t("spam_report.col.reports"), "int"),
        Column("reporters", *both.t("spam_report.col.reporters"), "int"),
        Column("per_million", *both.t("spam_report.col.per_million"), "float"),
        Column("cases", *both.t("spam_report.col.cases"), "int"),
        Column("handling_rate", *both.t("spam_report.col.handling_rate"), "pct"),
        Column("on_time_rate", *both.t("spam_report.col.on_time_rate"), "pct"),
        Column("warned", *both.t("spam_report.col.warned"), "int"),
        Column("throttled", *both.t("spam_report.col.throttled"), "int"),
        Column("suspended", *both.t("spam_report.col.suspended"), "int"),
        Column("closed", *both.t("spam_report.col.closed"), "int"),
        Column("intercepted", *both.t("spam_report.col.intercepted"), "int"),
        Column("serious", *both.t("spam_report.col.serious"), "int"),
    ]


def region_table(lines: Sequence[RegionLine], lang: str) -> Table:
    """The report's region first (its own total), then each region below it."""
    t = Translator(lang)
    table = Table(
        "regions",
        *both.t("spam_report.table.regions"),
        region_columns(),
        note=t("spam_report.note.regions"),
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
        *both.t("spam_report.table.daily"),
        [
            Column("day", *both.t("spam_report.col.day")),
            Column("reports", *both.t("spam_report.col.reports"), "int"),
            Column("serious", *both.t("spam_report.col.serious"), "int"),
            Column("intercepted", *both.t("spam_report.col.intercepted"), "int"),
        ],
        [[d.day.isoformat(), d.reports, d.serious, d.intercepted] for d in lines],
    )


def daily_chart(lines: Sequence[DayLine]) -> LineChart:
    return LineChart(
        *both.t("spam_report.chart.daily"),
        [f"{d.day:%m-%d}" for d in lines],
        [float(d.reports) for d in lines],
        ylabel="reports",
    )


def _kind_name(kind: str | None, lang: str) -> str:
    if kind is None:
        t = Translator(lang)
        return t("spam_report.unclassified")
    from careloop.analytics.spam import kinds

    return kinds.kind(kind).name(lang) if kinds.is_kind(kind) else kind


def kind_table(counts: Sequence[tuple[str | None, int]], lang: str) -> Table:
    total = sum(n for _, n in counts)
    t = Translator(lang)
    return Table(
        "kinds",
        *both.t("spam_report.table.kinds"),
        [
            Column("kind", *both.t("spam_report.col.kind"), code=True),
            Column("name", *both.t("spam_report.col.kind_name")),
            Column("reports", *both.t("spam_report.col.reports"), "int"),
            Column("share", *both.t("spam_report.col.share"), "pct"),
        ],
        [
            [kind or "", _kind_name(kind, lang), n, round(n * 100 / total, 2) if total else None]
            for kind, n in counts
        ],
        note=t("spam_report.note.kinds"),
    )


def ranked_table(
    name: str, title: tuple[str, str], first: Column, second: Column, extra: Column,
    ranked: Sequence[Ranked],
) -> Table:  # fmt: skip
    return Table(
        name,
        *title,
        [
            Column("rank", *both.t("spam_report.col.rank"), "int"),
            first,
            second,
            Column("reports", *both.t("spam_report.col.reports"), "int"),
            Column("reporters", *both.t("spam_report.col.reporters"), "int"),
            Column("serious", *both.t("spam_report.col.serious"), "int"),
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
        both.t("spam_report.table.top_ports"),
        Column("port", *both.t("spam_report.col.port")),
        Column("owner", *both.t("spam_report.col.owner")),
        Column("state", *both.t("spam_report.col.state")),
        ranked,
    )


def top_enterprises_table(ranked: Sequence[Ranked]) -> Table:
    return ranked_table(
        "top_enterprises",
        both.t("spam_report.table.top_enterprises"),
        Column("code", *both.t("spam_report.col.customer_code")),
        Column("enterprise", *both.t("spam_report.col.enterprise")),
        Column("ports", *both.t("spam_report.col.ports")),
        ranked,
    )


def _reason(code: str | None, lang: str) -> str:
    words = SERIOUS_REASONS.get(code or "")
    return (words[1] if lang == "en" else words[0]) if words else (code or "")


def serious_table(total: int, lines: Sequence[SeriousLine], tree: OrgTree, lang: str) -> Table:
    t = Translator(lang)
    return Table(
        "serious",
        *both.t("spam_report.table.serious"),
        [
            Column("received_at", *both.t("spam_report.col.received_at"), "date"),
            Column("region", *both.t("spam_report.col.where")),
            Column("port", *both.t("spam_report.col.sending_port")),
            Column("reason", *both.t("spam_report.col.violation")),
            Column("reporter", *both.t("spam_report.col.reporter")),
            Column("text", *both.t("spam_report.col.text")),
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
        note=t("spam_report.note.serious", total=total, shown=len(lines)),
    )


def _node_name(tree: OrgTree, unit_id: int, lang: str) -> str:
    node = tree.nodes.get(unit_id)
    if node is None:
        return ""
    return node.name_en if lang == "en" else node.name_zh


# --- the report ------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def headline(now: RegionLine, before: RegionLine, lang: str) -> list[Headline]:
    """The region's month against the month before (环比): counts and rates, each with the
    way of change that is good news (fewer reports, more cases handled)."""

    t = Translator(lang)

    def figure(label: tuple[str, str], value: str, new: float | None, old: float | None,
               better: Literal["up", "down", "none"]) -> Headline:  # fmt: skip
        return Headline(*label, value, "none", _change(new, old), better)

    return [
        figure(both.t("spam_report.figure.reports"),
               t("spam_report.count.cases", n=f"{now.reports:,}"), now.reports, before.reports,
               "down"),
        figure(both.t("spam_report.figure.reporters"),
               t("spam_report.count.people", n=f"{now.reporters:,}"), now.reporters,
               before.reporters, "down"),
        figure(both.t("spam_report.figure.per_million"), _number(now.per_million),
               now.per_million, before.per_million, "down"),
        figure(both.t("spam_report.figure.handling_rate"), _rate(now.handling_rate),
               now.handling_rate, before.handling_rate, "up"),
        figure(both.t("spam_report.figure.on_time_rate"), _rate(now.on_time_rate),
               now.on_time_rate, before.on_time_rate, "up"),
        figure(both.t("spam_report.figure.closed"),
               t("spam_report.count.ports", n=f"{now.closed:,}"), now.closed, before.closed,
               "none"),
        figure(both.t("spam_report.figure.intercepted"),
               t("spam_report.count.messages", n=f"{now.intercepted:,}"), now.intercepted,
               before.intercepted, "none"),
        figure(both.t("spam_report.figure.serious"),
               t("spam_report.count.cases", n=f"{now.serious:,}"), now.serious, before.serious,
               "down"),
    ]  # fmt: skip


def _change_words(new: float | None, old: float | None, lang: str) -> str:
    change = _change(new, old)
    if change is None:
        t = Translator(lang)
        return t("spam_report.no_comparison")
    return f"{change:+.1%}"


def summary(
    now: RegionLine,
    before: RegionLine,
    ports: Sequence[Ranked],
    kinds: Sequence[tuple[str | None, int]],
    lang: str,
) -> list[str]:
    """What the month comes to, in a few sentences a reader can quote."""
    t = Translator(lang)
    lines = [
        t(
            "spam_report.summary.reports",
            reports=f"{now.reports:,}",
            reporters=f"{now.reporters:,}",
            per_million=_number(now.per_million),
            change=_change_words(now.reports, before.reports, lang),
        ),
        t(
            "spam_report.summary.cases",
            cases=f"{now.cases:,}",
            handling_rate=_rate(now.handling_rate),
            on_time_rate=_rate(now.on_time_rate),
            warned=now.warned,
            throttled=now.throttled,
            suspended=now.suspended,
            closed=now.closed,
        ),
        t(
            "spam_report.summary.intercepted",
            intercepted=f"{now.intercepted:,}",
            serious=f"{now.serious:,}",
        ),
    ]
    if ports:
        top = ports[0]
        lines.append(
            t(
                "spam_report.summary.top_port",
                port=top.key,
                owner=top.name,
                reports=f"{top.reports:,}",
            )
        )
    if kinds:
        lines.append(
            t(
                "spam_report.summary.top_kind",
                kind=_kind_name(kinds[0][0], lang),
                reports=f"{kinds[0][1]:,}",
            )
        )
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
    t = Translator(lang)
    report = Report(
        KIND,
        both.t("spam_report.report_title", region=root.name_zh)[0],
        both.t("spam_report.report_title", region=root.name_en)[1],
        t(
            "spam_report.subtitle",
            period=period.label,
            start=t.date(period.start),
            end=t.date(period.end),
        ),
    )
    top = month.lines[0]
    report.headline = headline(top, earlier, lang)
    report.compared_with = both.t("spam_report.compared_with", period=previous.label)
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
