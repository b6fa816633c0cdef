"""Render a ``Report`` as HTML (charts inline), XLSX (one sheet per table) and PDF."""

from __future__ import annotations

import base64
import io
import math
import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from careloop.i18n import Translator
from careloop.reports import charts
from careloop.reports.cells import printable, spreadsheet_cell
from careloop.reports.model import Column, Report, Table

if TYPE_CHECKING:
    from matplotlib.backends.backend_pdf import PdfPages

# matplotlib, openpyxl and jinja2 are imported inside the functions that write each format:
# together they take seconds to import, which every CLI command and server start would pay.

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


def words(lang: str) -> dict[str, str]:
    """The brief's own words in ``lang``, from the ``reports`` catalogue."""
    t = Translator(lang)
    return {
        "back": t("reports.back"),
        "figures": t("reports.figures"),
        "alerts": t("reports.alerts"),
        "no_alerts": t("reports.no_alerts"),
        "details": t("reports.details"),
        "charts": t("reports.charts"),
        "left_out": t("reports.left_out"),
        "met": t("reports.status.met"),
        "warning": t("reports.status.warning"),
        "breached": t("reports.status.breached"),
        "no_data": t("reports.status.no_data"),
        "none": "",
        "up": t("reports.change.up"),
        "down": t("reports.change.down"),
        "flat": t("reports.change.flat"),
    }


BACK_HREF: Final = "/supervisor"


def word(key: str, lang: str) -> str:
    return words(lang)[key]


def change_text(change: float | None, lang: str) -> tuple[str, str]:
    """An arrow and its words for a relative change: ("▲", "上升 +12.5%"); "" without data."""
    if change is None:
        return "", "—"
    if abs(change) < 0.0005:
        return "→", word("flat", lang)
    arrow, key = ("▲", "up") if change > 0 else ("▼", "down")
    return arrow, f"{word(key, lang)} {change:+.1%}"


def change_tone(change: float | None, better: str) -> str:
    """good / bad / neutral: a rise of a rate that should fall is bad news, drawn red."""
    if change is None or better == "none" or abs(change) < 0.0005:
        return "neutral"
    return "good" if (change > 0) == (better == "up") else "bad"


_HTML: Final = (  # one template, kept inline so the wheel needs no package data
    """<!doctype html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;
 margin:0;color:#1b1b1b;line-height:1.5;background:#fff}
header.top{padding:.6em 1em;border-bottom:1px solid #ccd5df;background:#f4f7fa}
header.top a{color:#0b4f8a;font-weight:600}
main{padding:0 1em 2em;max-width:72em;margin:0 auto}
h1{font-size:1.4em;margin:.6em 0 0}h2{font-size:1.15em;margin:1.4em 0 .4em}
.sub{color:#4a4a4a;margin:.2em 0 0}
.figures{list-style:none;padding:0;margin:.4em 0;display:grid;gap:.5em;
 grid-template-columns:repeat(auto-fill,minmax(10.5em,1fr))}
.fig{border:1px solid #c9c9c9;border-left-width:6px;border-radius:4px;padding:.4em .6em}
.fig .name{display:block;font-size:.85em;color:#333}
.fig .value{display:block;font-size:1.3em;font-weight:700}
.fig .status{font-size:.8em;font-weight:600}
.fig .chg{display:block;font-size:.85em}
.s-met{border-left-color:#1e7b34;background:#eef7f0}.s-met .status{color:#1e6b2f}
.s-warning{border-left-color:#b26a00;background:#fff6e5}.s-warning .status{color:#7a4a00}
.s-breached{border-left-color:#b3261e;background:#fdeeee}.s-breached .status{color:#9b1c16}
.s-no_data,.s-none{border-left-color:#8a8a8a}
.good{color:#1e6b2f}.bad{color:#9b1c16}.neutral{color:#444}
.alerts{border:1px solid #e0b4b4;background:#fff8f8;border-radius:4px;padding:.4em 1em}
.alerts li{margin:.2em 0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.3em 0 1em;font-size:.85em}
th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top}th{background:#dde6f0;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
img{max-width:100%;height:auto;margin:.5em 0 1em;border:1px solid #eee}
.note{color:#4a4a4a;font-size:.8em}
@media print{header.top{display:none}img{page-break-inside:avoid}h2{page-break-after:avoid}}
</style></head><body>
<header class="top"><a href="{{ back_href }}">← {{ w('back') }}</a></header>
<main>
<h1>{{ title }}</h1><p class="sub">{{ subtitle }}</p>
{% if figures %}<section aria-labelledby="h-figures"><h2 id="h-figures">{{ w('figures') }}
<small class="note">{{ compared }}</small></h2>
<ul class="figures">{% for f in figures %}<li class="fig s-{{ f.status }}">
<span class="name">{{ f.name }}</span><span class="value">{{ f.value }}</span>
{% if f.status_word %}<span class="status">{{ f.status_word }}</span>{% endif %}
<span class="chg {{ f.tone }}"><span aria-hidden="true">{{ f.arrow }}</span> {{ f.change }}</span>
</li>{% endfor %}</ul></section>{% endif %}
{% if report.brief %}<section aria-labelledby="h-alerts"><h2 id="h-alerts">{{ w('alerts') }}</h2>
<div class="alerts">{% if alerts %}<ul>{% for line in alerts %}<li>{{ line }}</li>{% endfor %}</ul>
{% else %}<p>{{ w('no_alerts') }}</p>{% endif %}</div></section>
{% elif summary %}<ul>{% for line in summary %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% for t in tables %}<section aria-labelledby="t-{{ loop.index }}"><h2 id="t-{{ loop.index }}">{{ t.title }}</h2>
{% if t.note %}<p class="note">{{ t.note }}</p>{% endif %}
<div class="scroll" role="region" aria-labelledby="t-{{ loop.index }}" tabindex="0">
<table><thead><tr>{% for c in t.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for row in t.rows %}<tr>{% for cell, num in row %}<td{% if num %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div></section>{% endfor %}
{% if left_out %}<p class="note">{{ w('left_out') }}{{ left_out|join('、') }}</p>{% endif %}
{% if images %}<section aria-labelledby="h-charts"><h2 id="h-charts">{{ w('charts') }}</h2>
{% for name, png in images %}<img alt="{{ name }}" src="data:image/png;base64,{{ png }}">{% endfor %}
</section>{% endif %}
</main></body></html>"""  # noqa: E501
)


def visible_columns(table: Table) -> list[int]:
    """The columns people read: codes are left out where their names stand beside them."""
    return [i for i, c in enumerate(table.columns) if not c.code]


def figure_view(report: Report, lang: str) -> list[dict[str, str]]:
    out = []
    for f in report.headline:
        arrow, change = change_text(f.change, lang)
        out.append(
            {
                "name": f.label(lang),
                "value": f.value_in(lang),
                "status": f.status,
                "status_word": word(f.status, lang),
                "arrow": arrow,
                "change": change,
                "tone": change_tone(f.change, f.better),
            }
        )
    return out


def to_html(report: Report, lang: str = "zh", back_href: str = BACK_HREF) -> bytes:
    """Self-contained HTML: charts are inline PNGs, so the file can be mailed as is. Tables
    without rows are named in one line rather than printed empty; wide tables scroll inside
    their own box, so a phone never scrolls the page sideways."""
    chart_lang = charts.language() if lang != "en" else "en"
    images = [
        (
            c.title_en if lang == "en" else c.title_zh,
            base64.b64encode(charts.render(c, "png", chart_lang)).decode(),
        )
        for c in report.charts
    ]
    tables = []
    left_out = []
    for t in report.tables:
        if not t.rows:
            left_out.append(t.title(lang))
            continue
        keep = visible_columns(t)
        tables.append(
            {
                "title": t.title(lang),
                "note": t.note_in(lang),
                "columns": [t.columns[i].label(lang) for i in keep],
                "rows": [
                    [(display(row[i], t.columns[i]), t.columns[i].kind != "text") for i in keep]
                    for row in t.rows
                ],
            }
        )
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(_HTML)
    compared = report.compared_with[1 if lang == "en" else 0]
    html = template.render(
        report=report,
        lang=lang,
        title=report.title_en if lang == "en" else report.title_zh,
        subtitle=report.subtitle_in(lang),
        alerts=report.alerts_in(lang),
        summary=report.summary_in(lang),
        images=images,
        tables=tables,
        left_out=left_out,
        figures=figure_view(report, lang),
        compared=compared,
        back_href=back_href,
        w=lambda key: word(key, lang),
    )
    return html.encode("utf-8", "replace")


def _excel_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return spreadsheet_cell(value)


def to_xlsx(report: Report, lang: str = "zh") -> bytes:
    """One sheet per table; numbers are numbers (with number formats), no data is empty."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

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


# --- PDF: landscape A4 pages drawn with matplotlib, the same fonts and charts as the HTML ----
#
# The page is laid out here rather than with ``Axes.table``: that one clips a cell to one line
# and cannot break a table across pages. Text is measured (a CJK character one em wide, other
# characters about half), columns take the width their content needs, a cell's text wraps
# within its column, a table goes on over as many pages as it needs with its header repeated,
# and a page is started only for something to put on it.

A4_LANDSCAPE = (11.69, 8.27)
MARGIN: Final = 0.45 * 72
"""Page margin in points."""
BODY_SIZE: Final = 7.5
LINE: Final = 1.35
PAD: Final = 3.0
STATUS_COLOURS: Final = {
    "met": ("#eef7f0", "#1e7b34"),
    "warning": ("#fff6e5", "#b26a00"),
    "breached": ("#fdeeee", "#b3261e"),
    "no_data": ("#f4f4f4", "#8a8a8a"),
    "none": ("#f4f7fa", "#8a8a8a"),
}
TONE_COLOURS: Final = {"good": "#1e6b2f", "bad": "#9b1c16", "neutral": "#444444"}


_TOKENS: Final = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+"
)
"""Where a line may break: between CJK characters, or at a space between Latin words."""
_PIECES: Final = re.compile(_TOKENS.pattern + r"|\s+")


def text_width(text: str, size: float) -> float:
    """Printed width in points: wide (CJK) characters one em, the rest 0.6 em (generous, so
    that a measured line never runs past its cell)."""
    return sum(
        size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.6 for ch in text
    )


def wrap_text(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points, nothing dropped: between CJK
    characters or at a space between Latin words; only a word wider than the whole column
    is broken inside."""
    out: list[str] = []
    for paragraph in printable(text).split("\n"):
        line = ""
        for token in _PIECES.findall(paragraph):
            token = " " if token.isspace() else token
            if line and text_width((line + token).rstrip(), size) > width:
                out.append(line.rstrip())
                line = "" if token == " " else token
            else:
                line += token
            while len(line.rstrip()) > 1 and text_width(line.rstrip(), size) > width:
                cut = 1
                while cut < len(line) and text_width(line[: cut + 1], size) <= width:
                    cut += 1
                out.append(line[:cut])
                line = line[cut:]
        out.append(line.rstrip())
    return out or [""]


def column_widths(
    cells: list[list[str]], header: list[str], numeric: list[bool], available: float, size: float
) -> list[float] | None:
    """Each column as wide as its longest text; when that is wider than the page, every
    column keeps at least its longest word (a number is one word: it never breaks) and the
    room left goes to the columns that want more, in proportion. None: even the words do
    not fit at this size."""
    longest = [
        max([text_width(h, size)] + [text_width(row[i], size) for row in cells]) + 2 * PAD
        for i, h in enumerate(header)
    ]
    if sum(longest) <= available:
        return longest
    least = []
    for i, h in enumerate(header):
        texts = [h] + [row[i] for row in cells]
        if numeric[i]:
            words = [h, *(t for t in texts[1:])]
            least.append(
                max(
                    [max((text_width(w, size) for w in _TOKENS.findall(h)), default=0)]
                    + [text_width(t, size) for t in words[1:]]
                )
                + 2 * PAD
            )
        else:
            least.append(
                max([2 * size] + [text_width(w, size) for t in texts for w in _TOKENS.findall(t)])
                + 2 * PAD
            )
    least = [min(a, b) for a, b in zip(least, longest, strict=True)]
    if sum(least) > available:
        return None
    slack = available - sum(least)
    want = sum(b - a for a, b in zip(least, longest, strict=True)) or 1.0
    return [a + slack * (b - a) / want for a, b in zip(least, longest, strict=True)]


TABLE_SIZES: Final = (BODY_SIZE, 6.5, 5.5, 4.5)
"""Font sizes tried, largest first, until a table's words fit the page's width."""


class _Pages:
    """A cursor down landscape pages: ``need`` starts a new page when a block does not fit."""

    def __init__(self, pdf: PdfPages, running_head: str) -> None:
        self.pdf = pdf
        self.running_head = running_head
        self.fig: Any = None
        self.rules: list[list[tuple[float, float]]] = []
        """Cell borders of the page, drawn as one collection (one artist, not one a cell)."""
        self.y = 0.0
        self.number = 0
        self.w_pt = A4_LANDSCAPE[0] * 72
        self.h_pt = A4_LANDSCAPE[1] * 72

    def start(self) -> None:
        self.finish()
        self.fig = charts.pyplot().figure(figsize=A4_LANDSCAPE)
        self.number += 1
        self.y = self.h_pt - MARGIN
        if self.number > 1:
            self.text(MARGIN, self.y, self.running_head, 7, color="#666666")
            self.y -= 7 * LINE + 4
        self.text(
            self.w_pt - MARGIN, MARGIN * 0.5, str(self.number), 7, color="#666666", ha="right"
        )

    def finish(self) -> None:
        if self.fig is not None:
            if self.rules:
                from matplotlib.collections import LineCollection

                self.fig.add_artist(
                    LineCollection(
                        self.rules,
                        colors="#bbbbbb",
                        linewidths=0.4,
                        transform=self.fig.transFigure,
                    )
                )
                self.rules = []
            self.pdf.savefig(self.fig)
            charts.pyplot().close(self.fig)
            self.fig = None

    @property
    def bottom(self) -> float:
        return MARGIN

    @property
    def width(self) -> float:
        return self.w_pt - 2 * MARGIN

    def need(self, height: float) -> None:
        if self.fig is None or self.y - height < self.bottom:
            self.start()

    def text(self, x: float, y: float, text: str, size: float, **style: Any) -> None:
        self.fig.text(
            x / self.w_pt, y / self.h_pt, text, fontsize=size, va="top", parse_math=False, **style
        )

    def box(
        self, x: float, y: float, w: float, h: float, face: str, edge: str = "none", lw: float = 0.5
    ) -> None:
        from matplotlib.patches import Rectangle

        self.fig.patches.append(
            Rectangle(
                (x / self.w_pt, (y - h) / self.h_pt),
                w / self.w_pt,
                h / self.h_pt,
                transform=self.fig.transFigure,
                facecolor=face,
                edgecolor=edge,
                linewidth=lw,
            )
        )

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.rules.append([(x0 / self.w_pt, y0 / self.h_pt), (x1 / self.w_pt, y1 / self.h_pt)])

    def paragraph(self, text: str, size: float, **style: Any) -> None:
        for line in wrap_text(text, self.width, size):
            self.need(size * LINE)
            self.text(MARGIN, self.y, line, size, **style)
            self.y -= size * LINE

    def heading(self, text: str, size: float = 11.0, keep: float = 40.0) -> None:
        self.need(size * LINE + keep)
        self.y -= 4
        self.text(MARGIN, self.y, text, size, color="#0b2e4f")
        self.y -= size * LINE + 2


def _pdf_headline(pages: _Pages, report: Report, lang: str) -> None:
    figures = figure_view(report, lang)
    if not figures:
        return
    compared = report.compared_with[1 if lang == "en" else 0]
    pages.heading(f"{word('figures', lang)}  {compared}", 11, 60)
    per_row = min(len(figures), 7)
    gap = 6.0
    w = (pages.width - gap * (per_row - 1)) / per_row
    h = 50.0
    for start in range(0, len(figures), per_row):
        pages.need(h + gap)
        for i, f in enumerate(figures[start : start + per_row]):
            x = MARGIN + i * (w + gap)
            face, edge = STATUS_COLOURS.get(f["status"], STATUS_COLOURS["none"])
            pages.box(x, pages.y, w, h, face, edge, 0.8)
            pages.box(x, pages.y, 4, h, edge)
            pages.text(x + 8, pages.y - 4, f["name"], 7.5, color="#333333")
            pages.text(x + 8, pages.y - 16, f["value"], 12, color="#0b2e4f")
            tail = f"{f['status_word']}  " if f["status_word"] else ""
            pages.text(
                x + 8,
                pages.y - 34,
                f"{tail}{f['arrow']} {f['change']}",
                7.5,
                color=TONE_COLOURS[f["tone"]],
            )
        pages.y -= h + gap


def _pdf_table(pages: _Pages, table: Table, lang: str) -> None:
    keep = visible_columns(table)
    columns = [table.columns[i] for i in keep]
    header = [c.label(lang) for c in columns]
    cells = [[display(row[i], table.columns[i]) for i in keep] for row in table.rows]
    numeric = [c.kind != "text" for c in columns]
    for size in TABLE_SIZES:
        fitted = column_widths(cells, header, numeric, pages.width, size)
        if fitted is not None:
            break
    # Wider than the page even in the smallest size: the columns share the page evenly and
    # every word wraps (nothing is cut; a word may break inside).
    widths = fitted or [pages.width / len(header)] * len(header)
    line_h = size * LINE

    def lines_of(texts: list[str]) -> list[list[str]]:
        return [wrap_text(t, w - 2 * PAD, size) for t, w in zip(texts, widths, strict=True)]

    head_lines = lines_of(header)
    head_h = max(len(x) for x in head_lines) * line_h + 2 * PAD

    def draw_row(lines: list[list[str]], height: float, bold: bool, fill: str | None) -> None:
        x = MARGIN
        if fill:
            pages.box(MARGIN, pages.y, sum(widths), height, fill)
        top, bottom = pages.y, pages.y - height
        pages.rule(MARGIN, top, MARGIN + sum(widths), top)
        pages.rule(MARGIN, bottom, MARGIN + sum(widths), bottom)
        pages.rule(x, top, x, bottom)
        for cell_lines, w, column in zip(lines, widths, columns, strict=True):
            right = column.kind != "text" and not bold
            # One text a cell, its lines in order: a PDF reader extracts the cell whole.
            pages.text(
                x + w - PAD if right else x + PAD,
                top - PAD,
                "\n".join(cell_lines),
                size,
                color="#0b2e4f" if bold else "#1b1b1b",
                ha="right" if right else "left",
                multialignment="right" if right else "left",
                linespacing=LINE,
            )
            x += w
            pages.rule(x, top, x, bottom)
        pages.y -= height

    first_h = max(len(x) for x in lines_of(cells[0])) * line_h + 2 * PAD if cells else line_h

    def header_here(title: str, note: str = "") -> None:
        # The title, the header and the first row stay together on one page.
        pages.heading(title, 11, head_h + first_h)
        if note:
            pages.paragraph(note, 7, color="#444444")
        pages.need(head_h + first_h)
        draw_row(head_lines, head_h, True, "#dde6f0")

    t = Translator(lang)
    title = table.title(lang)
    header_here(title, table.note_in(lang))
    for row in cells:
        lines = lines_of(row)
        height = max(len(x) for x in lines) * line_h + 2 * PAD
        if pages.y - height < pages.bottom:
            pages.start()
            header_here(t("reports.continued", title=title))
        draw_row(lines, height, False, None)
    pages.y -= 6


def to_pdf(report: Report, lang: str = "zh") -> bytes:
    """Landscape A4: the brief first (title, headline figures with status colours and 环比,
    early warnings and hot spots), then every table that has rows, then the charts. In the
    reader's language; Chinese needs a CJK font, so without one the PDF falls back to
    English rather than print empty boxes."""
    lang = "en" if lang == "en" else charts.language()
    title = report.title_en if lang == "en" else report.title_zh
    buffer = io.BytesIO()
    plt = charts.pyplot()
    from matplotlib.backends.backend_pdf import PdfPages

    with plt.rc_context(charts.style()), PdfPages(buffer) as pdf:
        subtitle = report.subtitle_in(lang)
        pages = _Pages(pdf, f"{title} · {subtitle}")
        pages.start()
        pages.text(MARGIN, pages.y, title, 18, color="#0b2e4f")
        pages.y -= 18 * LINE
        pages.text(MARGIN, pages.y, subtitle, 9, color="#444444")
        pages.y -= 9 * LINE + 6
        _pdf_headline(pages, report, lang)
        if report.brief:
            pages.heading(word("alerts", lang))
            for line in report.alerts_in(lang) or [word("no_alerts", lang)]:
                pages.paragraph("• " + line, 8.5)
        else:
            for line in report.summary_in(lang):
                pages.paragraph("• " + line, 8.5)
        left_out = []
        for table in report.tables:
            if table.rows:
                _pdf_table(pages, table, lang)
            else:
                left_out.append(table.title(lang))
        if left_out:
            pages.paragraph(word("left_out", lang) + "、".join(left_out), 8, color="#444444")
        pages.finish()
        for chart in report.charts:
            fig = plt.figure(figsize=A4_LANDSCAPE)
            charts.draw(fig, chart, lang)
            pdf.savefig(fig)
            plt.close(fig)
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
        return to_pdf(report, lang)
    raise ValueError(f"unknown format {fmt!r}")
