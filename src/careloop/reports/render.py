"""Render a ``Report`` as HTML (charts inline), XLSX (one sheet per table) and PDF."""

from __future__ import annotations

import base64
import io
import math
import unicodedata
from datetime import date, datetime
from typing import Any, Final

import matplotlib.pyplot as plt
from jinja2 import Environment
from matplotlib.backends.backend_pdf import PdfPages
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from careloop.reports import charts
from careloop.reports.cells import printable, spreadsheet_cell
from careloop.reports.model import Column, Report, Table

FORMATS: Final = ("html", "xlsx", "pdf")
MEDIA_TYPES: Final = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
NUMBER_FORMATS: Final = {
    "int": "#,##0",
    "float": "#,##0.00",
    "pct": '0.00"%"',
    "ratio": "+0.0%;-0.0%;0.0%",
    "date": "yyyy-mm-dd hh:mm",
}


def display(value: Any, column: Column) -> str:
    """A cell as text: "—" for no data (never 0), percent and signed changes formatted,
    and only characters every format can hold (``cells.printable``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    kind = column.kind
    if kind == "int":
        return f"{int(value):,}"
    if kind == "float":
        return f"{value:,.2f}"
    if kind == "pct":
        return f"{value:.2f}%"
    if kind == "ratio":
        return f"{value:+.1%}"
    if kind == "date" and isinstance(value, datetime | date):
        return f"{value:%Y-%m-%d %H:%M}"
    return printable(str(value))


_HTML: Final = (  # one template, kept inline so the wheel needs no package data
    """<!doctype html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;
 margin:2em;color:#222}
h1{font-size:1.5em;margin-bottom:0}.sub{color:#555;margin-top:.2em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.85em}
th,td{border:1px solid #bbb;padding:3px 6px}th{background:#dde6f0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;margin:.5em 0 1em;border:1px solid #eee}
.note{color:#666;font-size:.8em}
@media print{img{page-break-inside:avoid}h2{page-break-after:avoid}}
</style></head><body>
<h1>{{ title }}</h1><p class="sub">{{ report.subtitle }}</p>
{% if report.summary %}<ul>{% for line in report.summary %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% for name, png in images %}<img alt="{{ name }}" src="data:image/png;base64,{{ png }}">{% endfor %}
{% for t in tables %}<h2>{{ t.title }}</h2>
{% if t.note %}<p class="note">{{ t.note }}</p>{% endif %}
<table><thead><tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for row in t.rows %}<tr>{% for cell, num in row %}<td{% if num %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% else %}<tr><td colspan="{{ t.columns|length }}">—</td></tr>{% endfor %}
</tbody></table>{% endfor %}
</body></html>"""  # noqa: E501
)


def to_html(report: Report, lang: str = "zh") -> bytes:
    """Self-contained HTML: charts are inline PNGs, so the file can be mailed as is."""
    images = [
        (c.title_en, base64.b64encode(charts.render(c, "png")).decode()) for c in report.charts
    ]
    tables = [
        {
            "title": t.title(lang),
            "note": t.note,
            "columns": [c.label(lang) for c in t.columns],
            "rows": [
                [(display(v, c), c.kind != "text") for v, c in zip(row, t.columns, strict=True)]
                for row in t.rows
            ],
        }
        for t in report.tables
    ]
    template = Environment(autoescape=True).from_string(_HTML)
    html = template.render(
        report=report,
        lang=lang,
        title=report.title_en if lang == "en" else report.title_zh,
        images=images,
        tables=tables,
    )
    return html.encode("utf-8", "replace")


def _excel_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return spreadsheet_cell(value)


def to_xlsx(report: Report, lang: str = "zh") -> bytes:
    """One sheet per table; numbers are numbers (with number formats), no data is empty."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for table in report.tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append([c.label(lang) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_excel_value(v) for v in row])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            fmt = NUMBER_FORMATS.get(column.kind)
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = fmt
            width = max(
                [len(str(column.label(lang)))]
                + [len(str(r[index - 1] or "")) for r in table.rows[:200]]
            )
            sheet.column_dimensions[letter].width = min(60, max(8, width * 1.3))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF: A4 pages drawn with matplotlib, the same fonts and charts as the HTML ---------------

A4 = (8.27, 11.69)
ROWS_PER_PAGE: Final = 40
MAX_COLUMNS: Final = 10


def _clip(text: str, width: int) -> str:
    """One line of at most `width` characters, drawn as it reads: matplotlib would take a
    pair of '$' for mathematics (and fail on a stray one), so each is escaped."""
    text = " ".join(printable(text).split())
    text = text if len(text) <= width else text[: max(1, width - 1)] + "…"
    return text.replace("$", r"\$")


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` columns, a CJK character counting two
    (a note of Chinese sentences is twice as wide as its length), the last one clipped."""
    words = " ".join(printable(text).split())
    out: list[str] = []
    line, used = "", 0
    for ch in words:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            out.append(line)
            line, used = "", 0
        line += ch
        used += w
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:-1] + "…"
    return [x.replace("$", r"\$") for x in out]


def _table_pages(pdf: PdfPages, table: Table, lang: str, header: str) -> None:
    columns = table.columns[:MAX_COLUMNS]
    rows = [[display(v, c) for v, c in zip(r, columns, strict=False)] for r in table.rows]
    chunks = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        fig = plt.figure(figsize=A4)
        fig.text(0.06, 0.965, _clip(header, 200), fontsize=8, color="#666")
        suffix = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
        fig.text(0.06, 0.94, _clip(table.title(lang), 200) + suffix, fontsize=13, weight="bold")
        note = _wrap(table.note, 150, 3) if table.note else []
        for i, line in enumerate(note):
            fig.text(0.06, 0.925 - i * 0.012, line, fontsize=7, color="#666")
        top = 0.86 - 0.012 * max(0, len(note) - 1)
        ax = fig.add_axes((0.04, 0.05, 0.92, top))
        ax.axis("off")
        if chunk:
            limit = max(6, 110 // max(1, len(columns)))
            cells = [[_clip(v, limit) for v in row] for row in chunk]
            grid = ax.table(
                cellText=cells,
                colLabels=[_clip(c.label(lang), limit) for c in columns],
                loc="upper center",
                cellLoc="left",
            )
            grid.auto_set_font_size(False)
            grid.set_fontsize(6.5 if len(columns) > 6 else 8)
            grid.auto_set_column_width(list(range(len(columns))))
            for (r, _), cell in grid.get_celld().items():
                if r == 0:
                    cell.set_facecolor("#dde6f0")
        else:
            ax.text(0.0, 0.95, "—", fontsize=12)
        pdf.savefig(fig)
        plt.close(fig)


def to_pdf(report: Report) -> bytes:
    """A4 PDF: a cover with the summary, one page per chart, then the tables."""
    lang = charts.language()
    title = report.title_en if lang == "en" else report.title_zh
    buffer = io.BytesIO()
    with plt.rc_context(charts.style()), PdfPages(buffer) as pdf:
        fig = plt.figure(figsize=A4)
        fig.text(0.06, 0.92, _clip(title, 200), fontsize=20, weight="bold")
        fig.text(0.06, 0.885, _clip(report.subtitle, 200), fontsize=10, color="#444")
        for i, line in enumerate(report.summary[:40]):
            fig.text(0.06, 0.84 - i * 0.022, "• " + _clip(line, 95), fontsize=10)
        pdf.savefig(fig)
        plt.close(fig)
        for chart in report.charts:
            fig = plt.figure(figsize=(A4[0], A4[1] / 2))
            charts.draw(fig, chart, lang)
            pdf.savefig(fig)
            plt.close(fig)
        for table in report.tables:
            _table_pages(pdf, table, lang, f"{title} · {report.subtitle}")
        info = pdf.infodict()
        info["Title"] = title
        info["Creator"] = "CareLoop"
    return buffer.getvalue()


def render(report: Report, fmt: str, lang: str = "zh") -> bytes:
    if fmt == "html":
        return to_html(report, lang)
    if fmt == "xlsx":
        return to_xlsx(report, lang)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(f"unknown format {fmt!r}")
