"""The satisfaction study's report: a self-contained HTML page (the path diagram inline) and
an Excel workbook (paths, outer model, quality, index per stratum), Chinese first.

Rendering only: a ``services.csi.study.StudyResult`` comes in, bytes go out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any, Final

from careloop.i18n import Translator
from careloop.reports.cells import printable, spreadsheet_cell
from careloop.reports.csi_diagram import path_diagram

if TYPE_CHECKING:
    from careloop.services.csi.study import IndexRow, StratumRow, StudyResult

STRATA: Final = ("operator", "service", "region", "city", "county", "channel")
"""The usual strata columns, which have words in the catalogue; any other column is shown
as its header reads."""


def column_word(column: str, lang: str) -> str:
    t = Translator(lang)
    known = {
        "operator": t("csi_report.stratum.operator"),
        "service": t("csi_report.stratum.service"),
        "region": t("csi_report.stratum.region"),
        "city": t("csi_report.stratum.city"),
        "county": t("csi_report.stratum.county"),
        "channel": t("csi_report.stratum.channel"),
    }
    return known.get(column.strip().lower(), column)


def _latent_label(result: StudyResult, name: str, lang: str) -> str:
    row = result.latent(name)
    return row.label_en if lang.startswith("en") else row.label_zh


def index_title(result: StudyResult, latent: str, lang: str) -> str:
    """ "顾客满意指数" / "Customer satisfaction index"."""
    t = Translator(lang)
    text = t("csi_report.index_of", label=_latent_label(result, latent, lang))
    return text[:1].upper() + text[1:]


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _grade(row: IndexRow, lang: str) -> str:
    return row.grade_en if lang.startswith("en") else row.grade_zh


def _interval(row: IndexRow) -> str:
    if row.ci_low is None or row.ci_high is None:
        return "—"
    return f"{row.ci_low:.1f} – {row.ci_high:.1f}"


def summary_rows(result: StudyResult, lang: str) -> list[tuple[str, str]]:
    """The study's settings and counts, as (label, text) pairs."""
    t = Translator(lang)
    strata = t("csi_report.separator")
    return [
        (t("csi_report.model"), result.model_name or "—"),
        (t("csi_report.source"), result.source or "—"),
        (t("csi_report.scheme"), t(f"csi_report.scheme_{result.scheme}")),
        (
            t("csi_report.standardised"),
            t("csi_report.yes") if result.standardised else t("csi_report.no"),
        ),
        (t("csi_report.responses"), f"{result.n}"),
        (t("csi_report.dropped"), f"{result.dropped}"),
        (
            t("csi_report.strata"),
            strata.join(column_word(c, lang) for c in result.strata_columns)
            or t("csi_report.none"),
        ),
        (t("csi_report.weight_column"), result.weight_column or t("csi_report.unweighted")),
        (
            t("csi_report.bootstrap"),
            f"{result.bootstrap_resamples}"
            if result.bootstrap_resamples
            else t("csi_report.no_bootstrap"),
        ),
        (t("csi_report.level"), f"{result.level:.0%}"),
        (t("csi_report.gof"), _num(result.gof)),
        (t("csi_report.iterations"), f"{result.iterations}"),
    ]


def _outer_headings(t: Translator) -> list[str]:
    """The outer model's columns, the same in the page and the workbook."""
    return [
        t("csi_report.latent"),
        t("csi_report.item"),
        t("csi_report.weight"),
        t("csi_report.loading"),
        t("csi_report.communality"),
        t("csi_report.redundancy"),
        t("csi_report.mean"),
        t("csi_report.sd"),
        t("csi_report.index_weight"),
    ]


def _quality_headings(t: Translator) -> list[str]:
    """The measurement-quality columns, the same in the page and the workbook."""
    return [
        t("csi_report.latent"),
        t("csi_report.mode"),
        t("csi_report.items"),
        t("csi_report.alpha"),
        t("csi_report.rho"),
        t("csi_report.ave"),
        t("csi_report.communality"),
        t("csi_report.redundancy"),
        t("csi_report.r_squared"),
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int) -> str:
    head = "".join(
        f'<th scope="col"{" class=num" if i >= numeric_from else ""}>{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i >= numeric_from else ''}>{escape(printable(c))}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll" tabindex="0">{table}</div>'


def stratum_rows(result: StudyResult, groups: Sequence[StratumRow], lang: str) -> list[list[str]]:
    t = Translator(lang)
    rows = []
    for group in groups:
        for row in group.index:
            rows.append(
                [
                    *(v or t("csi_report.all") for v in group.values),
                    _latent_label(result, row.latent, lang),
                    f"{group.n}",
                    f"{group.effective_n:.1f}",
                    f"{row.value:.1f}",
                    _interval(row),
                    _grade(row, lang),
                ]
            )
    return rows


_STYLE: Final = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
margin:0 auto;max-width:1100px;padding:16px;color:#1c2b39;line-height:1.5}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.15rem;margin:1.4em 0 .5em;
border-bottom:2px solid #dde6f0;padding-bottom:.2em}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #c9d6e3;border-radius:8px;
padding:10px 16px;min-width:190px;background:#f4f8fc}.card .v{font-size:2rem;font-weight:bold}
.card .g{font-size:1.05rem;font-weight:bold;color:#1e5a8a}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:.3em 0;font-size:.92rem}
th,td{border:1px solid #d5dde5;padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#dde6f0}.num{text-align:right;font-variant-numeric:tabular-nums}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.summary dt{color:#4a5a6a}dl.summary dd{margin:0}
.csi-diagram{width:100%;height:auto;max-height:520px;font-family:inherit}
.diagram .csi-diagram{min-width:720px}
.note{color:#4a5a6a;font-size:.88rem}
"""


def body_html(result: StudyResult, lang: str) -> str:
    """The report's content without <html>: the page embeds the same markup."""
    t = Translator(lang)
    cards = "".join(
        '<div class="card">'
        f"<div>{escape(index_title(result, row.latent, lang))}</div>"
        f'<div class="v" data-latent="{escape(row.latent)}">{row.value:.1f}</div>'
        f'<div class="g">{escape(_grade(row, lang))}</div>'
        f'<div class="note">{escape(t("csi_report.ci"))} {escape(_interval(row))}</div></div>'
        for row in result.index
    )
    summary = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(printable(v))}</dd>"
        for k, v in summary_rows(result, lang)
    )
    paths = _table(
        [
            t("csi_report.from"),
            t("csi_report.to"),
            t("csi_report.estimate"),
            t("csi_report.se"),
            t("csi_report.t"),
            t("csi_report.ci_low"),
            t("csi_report.ci_high"),
        ],
        [
            [
                _latent_label(result, p.source, lang),
                _latent_label(result, p.target, lang),
                _num(p.estimate),
                _num(p.std_error),
                _num(p.t_value, 2),
                _num(p.ci_low),
                _num(p.ci_high),
            ]
            for p in result.paths
        ],
        2,
    )
    r2 = _table(
        [t("csi_report.latent"), t("csi_report.r_squared")],
        [[_latent_label(result, k, lang), _num(v)] for k, v in result.r_squared.items()],
        1,
    )
    outer = _table(
        [
            *_outer_headings(t),
        ],
        [
            [
                _latent_label(result, o.latent, lang),
                o.item,
                _num(o.weight),
                _num(o.loading),
                _num(o.communality),
                _num(o.redundancy),
                _num(o.mean, 2),
                _num(o.sd, 2),
                _num(o.index_weight),
            ]
            for o in result.outer
        ],
        2,
    )
    quality = _table(
        [
            *_quality_headings(t),
        ],
        [
            [
                _latent_label(result, q.latent, lang),
                t(f"csi_report.mode_{q.mode}"),
                f"{q.items}",
                _num(q.cronbach_alpha),
                _num(q.dillon_goldstein_rho),
                _num(q.ave),
                _num(q.communality),
                _num(q.redundancy),
                _num(q.r_squared),
            ]
            for q in result.quality
        ],
        2,
    )
    stratum_head = [
        *(column_word(c, lang) for c in result.strata_columns),
        t("csi_report.latent"),
        t("csi_report.n"),
        t("csi_report.effective_n"),
        t("csi_report.index"),
        t("csi_report.ci"),
        t("csi_report.grade"),
    ]
    numeric_from = len(result.strata_columns) + 1
    parts = [
        f'<div class="cards">{cards}</div>',
        f'<h2>{escape(t("csi_report.summary"))}</h2><dl class="summary">{summary}</dl>',
        f"<h2>{escape(t('csi_report.diagram'))}</h2>",
        f'<div class="scroll diagram" tabindex="0" role="region" '
        f'aria-label="{escape(t("csi_report.diagram"))}">{path_diagram(result, lang)}</div>',
        f'<p class="note">{escape(t("csi_report.diagram_note"))}</p>',
    ]
    if result.strata:
        parts.append(f"<h2>{escape(t('csi_report.by_stratum'))}</h2>")
        parts.append(_table(stratum_head, stratum_rows(result, result.strata, lang), numeric_from))
    if result.margins:
        parts.append(f"<h2>{escape(t('csi_report.by_margin'))}</h2>")
        parts.append(_table(stratum_head, stratum_rows(result, result.margins, lang), numeric_from))
    parts += [
        f"<h2>{escape(t('csi_report.paths'))}</h2>",
        paths,
        f"<h2>{escape(t('csi_report.r_squared'))}</h2>",
        r2,
        f"<h2>{escape(t('csi_report.outer'))}</h2>",
        outer,
        f"<h2>{escape(t('csi_report.quality'))}</h2>",
        quality,
        f'<p class="note">{escape(t("csi_report.method"))}</p>',
    ]
    return "".join(parts)


def to_html(result: StudyResult, lang: str = "zh") -> bytes:
    """A self-contained page: inline style and SVG, nothing fetched, mailable as is."""
    t = Translator(lang)
    title = t("csi_report.title")
    html_lang = "en" if t.lang == "en" else "zh-CN"
    html = (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{escape(title)}</h1>{body_html(result, lang)}</main></body></html>"
    )
    return html.encode("utf-8")


def _sheet(book: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           formats: dict[int, str]) -> None:  # fmt: skip
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([spreadsheet_cell(v) if isinstance(v, str) else v for v in row])
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        fmt = formats.get(index - 1)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        widest = max([len(str(header)) * 2] + [len(str(r[index - 1] or "")) for r in rows[:200]])
        sheet.column_dimensions[letter].width = min(40, max(9, widest * 1.2))
    sheet.freeze_panes = "A2"


def to_xlsx(result: StudyResult, lang: str = "zh") -> bytes:
    """Sheets: summary, paths, outer model, quality, index per stratum; numbers stay
    numbers (coefficients 0.000, indices 0.0), empty where there is no value."""
    from openpyxl import Workbook

    t = Translator(lang)
    label = partial(_latent_label, result, lang=lang)
    three, one = "0.000", "0.0"
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    summary: list[list[Any]] = [[k, v] for k, v in summary_rows(result, lang)]
    for row in result.index:
        summary.append([index_title(result, row.latent, lang), round(row.value, 4)])
        summary.append([f"{label(row.latent)}{t('csi_report.grade')}", _grade(row, lang)])
    _sheet(
        book,
        t("csi_report.sheet_summary"),
        [t("csi_report.what"), t("csi_report.value")],
        summary,
        {},
    )
    _sheet(
        book,
        t("csi_report.sheet_paths"),
        [
            t("csi_report.from"),
            t("csi_report.to"),
            t("csi_report.estimate"),
            t("csi_report.se"),
            t("csi_report.t"),
            t("csi_report.ci_low"),
            t("csi_report.ci_high"),
        ],
        [
            [
                label(p.source),
                label(p.target),
                p.estimate,
                p.std_error,
                p.t_value,
                p.ci_low,
                p.ci_high,
            ]
            for p in result.paths
        ],
        {2: three, 3: three, 4: "0.00", 5: three, 6: three},
    )
    _sheet(
        book,
        t("csi_report.sheet_outer"),
        [
            *_outer_headings(t),
            t("csi_report.r_squared"),
        ],
        [
            [
                label(o.latent),
                o.item,
                o.weight,
                o.loading,
                o.communality,
                o.redundancy,
                o.mean,
                o.sd,
                o.index_weight,
                result.r_squared.get(o.latent),
            ]
            for o in result.outer
        ],
        {2: three, 3: three, 4: three, 5: three, 6: "0.00", 7: "0.00", 8: three, 9: three},
    )
    _sheet(
        book,
        t("csi_report.sheet_quality"),
        [
            *_quality_headings(t),
        ],
        [
            [
                label(q.latent),
                t(f"csi_report.mode_{q.mode}"),
                q.items,
                q.cronbach_alpha,
                q.dillon_goldstein_rho,
                q.ave,
                q.communality,
                q.redundancy,
                q.r_squared,
            ]
            for q in result.quality
        ],
        {2: "0", 3: three, 4: three, 5: three, 6: three, 7: three, 8: three},
    )
    k = len(result.strata_columns)
    strata: list[list[Any]] = []
    for group in (None, *result.strata, *result.margins):
        values = (
            [t("csi_report.overall")] * k
            if group is None
            else [v or t("csi_report.all") for v in group.values]
        )
        rows = result.index if group is None else group.index
        n = result.n if group is None else group.n
        eff = None if group is None else group.effective_n
        for row in rows:
            strata.append(
                [
                    *values,
                    label(row.latent),
                    n,
                    eff,
                    row.value,
                    row.std_error,
                    row.ci_low,
                    row.ci_high,
                    _grade(row, lang),
                ]
            )
    _sheet(
        book,
        t("csi_report.sheet_strata"),
        [
            *(column_word(c, lang) for c in result.strata_columns),
            t("csi_report.latent"),
            t("csi_report.n"),
            t("csi_report.effective_n"),
            t("csi_report.index"),
            t("csi_report.se"),
            t("csi_report.ci_low"),
            t("csi_report.ci_high"),
            t("csi_report.grade"),
        ],
        strata,
        {k + 1: "0", k + 2: one, k + 3: "0.00", k + 4: "0.00", k + 5: "0.00", k + 6: "0.00"},
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
