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

from careloop.reports.cells import printable, spreadsheet_cell
from careloop.reports.csi_diagram import path_diagram

if TYPE_CHECKING:
    from careloop.services.csi.study import IndexRow, StratumRow, StudyResult

WORDS: Final[dict[str, tuple[str, str]]] = {
    "title": ("用户满意度指数测评报告", "Customer satisfaction index study"),
    "summary": ("测评概要", "Study summary"),
    "model": ("模型", "Model"),
    "scheme": ("内部权重方案", "Inner weighting scheme"),
    "scheme_path": ("路径加权（path）", "path"),
    "scheme_centroid": ("重心加权（centroid）", "centroid"),
    "scheme_factorial": ("因子加权（factorial）", "factorial"),
    "standardised": ("数据标准化", "Standardised data"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "source": ("数据文件", "Data file"),
    "responses": ("有效答卷", "Complete responses"),
    "dropped": ("剔除的不完整答卷", "Incomplete responses left out"),
    "strata": ("分层", "Strata"),
    "none": ("无（全部样本为一层）", "none (one stratum)"),
    "weight_column": ("设计权重列", "Design-weight column"),
    "unweighted": ("无（每份答卷权重相同）", "none (every response counts once)"),
    "bootstrap": ("自助法重抽样", "Bootstrap resamples"),
    "no_bootstrap": ("未做", "none"),
    "level": ("置信水平", "Confidence level"),
    "gof": ("拟合优度 GoF", "Goodness of fit (GoF)"),
    "iterations": ("迭代次数", "Iterations"),
    "index": ("满意度指数", "Satisfaction index"),
    "index_of": ("{label}指数", "{label} index"),
    "grade": ("满意级度", "Grade"),
    "ci": ("置信区间", "Confidence interval"),
    "se": ("标准误", "Std. error"),
    "diagram": ("路径图", "Path diagram"),
    "diagram_note": (
        "箭头上为路径系数（加粗：置信区间不含 0；虚线：不显著），椭圆内为 R² 与指数。",
        "Arrows carry the path coefficients (bold: the interval excludes 0; dashed: not "
        "significant); ovals show R² and the index.",
    ),
    "paths": ("路径系数", "Path coefficients"),
    "from": ("起点", "From"),
    "to": ("终点", "To"),
    "estimate": ("系数", "Coefficient"),
    "t": ("t 值", "t value"),
    "ci_low": ("区间下限", "CI low"),
    "ci_high": ("区间上限", "CI high"),
    "r_squared": ("决定系数 R²", "R²"),
    "latent": ("潜变量", "Latent variable"),
    "outer": ("测量模型（外部权重与载荷）", "Measurement model (outer weights and loadings)"),
    "item": ("题项", "Item"),
    "weight": ("外部权重", "Outer weight"),
    "loading": ("载荷", "Loading"),
    "communality": ("共同度", "Communality"),
    "redundancy": ("冗余度", "Redundancy"),
    "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"),
    "index_weight": ("指数权重", "Index weight"),
    "quality": ("测量质量", "Measurement quality"),
    "mode": ("测量方式", "Mode"),
    "mode_A": ("A 反映型", "A reflective"),
    "mode_B": ("B 形成型", "B formative"),
    "items": ("题项数", "Items"),
    "alpha": ("Cronbach α", "Cronbach's alpha"),
    "rho": ("Dillon-Goldstein ρ", "Dillon-Goldstein's rho"),
    "ave": ("平均提取方差 AVE", "AVE"),
    "by_stratum": ("分层满意度指数", "Index per stratum"),
    "by_margin": ("按单一维度汇总", "Index per strata column"),
    "all": ("全部", "all"),
    "n": ("样本量", "Responses"),
    "weight_sum": ("代表人数", "Population represented"),
    "effective_n": ("有效样本量", "Effective sample size"),
    "overall": ("总体", "Overall"),
    "method": (
        "指数 = Σ wᵢ (x̄ᵢ − 1) / 9 × 100，wᵢ 为归一化的外部权重（作用于原始 1–10 分题项），"
        "x̄ᵢ 为（加权）题项均值；区间按分层设计的线性化方差计算。",
        "Index = Σ wᵢ (x̄ᵢ − 1) / 9 × 100 with the normalised outer weights wᵢ (on the raw "
        "1–10 items) and the (weighted) item means x̄ᵢ; intervals from the linearised "
        "variance of the stratified design.",
    ),
    "sheet_summary": ("概要", "Summary"),
    "sheet_paths": ("路径系数", "Paths"),
    "sheet_outer": ("测量模型", "Outer model"),
    "sheet_quality": ("测量质量", "Quality"),
    "sheet_strata": ("分层指数", "Index per stratum"),
    "what": ("项目", "Item"),
    "value": ("数值", "Value"),
}


STRATA_WORDS: Final[dict[str, tuple[str, str]]] = {
    "operator": ("运营商", "operator"),
    "service": ("业务", "service"),
    "region": ("地区", "region"),
    "city": ("地市", "city"),
    "county": ("区县", "county"),
    "channel": ("渠道", "channel"),
}
"""The usual strata columns in words; any other column is shown as its header reads."""


def column_word(column: str, lang: str) -> str:
    known = STRATA_WORDS.get(column.strip().lower())
    if known is None:
        return column
    return known[1] if lang.startswith("en") else known[0]


def word(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return en if lang.startswith("en") else zh


def _latent_label(result: StudyResult, name: str, lang: str) -> str:
    row = result.latent(name)
    return row.label_en if lang.startswith("en") else row.label_zh


def index_title(result: StudyResult, latent: str, lang: str) -> str:
    """ "顾客满意指数" / "Customer satisfaction index"."""
    text = word("index_of", lang).format(label=_latent_label(result, latent, lang))
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
    w = partial(word, lang=lang)
    strata = "、" if not lang.startswith("en") else ", "
    return [
        (w("model"), result.model_name or "—"),
        (w("source"), result.source or "—"),
        (w("scheme"), w(f"scheme_{result.scheme}")),
        (w("standardised"), w("yes") if result.standardised else w("no")),
        (w("responses"), f"{result.n}"),
        (w("dropped"), f"{result.dropped}"),
        (
            w("strata"),
            strata.join(column_word(c, lang) for c in result.strata_columns) or w("none"),
        ),
        (w("weight_column"), result.weight_column or w("unweighted")),
        (
            w("bootstrap"),
            f"{result.bootstrap_resamples}" if result.bootstrap_resamples else w("no_bootstrap"),
        ),
        (w("level"), f"{result.level:.0%}"),
        (w("gof"), _num(result.gof)),
        (w("iterations"), f"{result.iterations}"),
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
    rows = []
    for group in groups:
        for row in group.index:
            rows.append(
                [
                    *(v or word("all", lang) for v in group.values),
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
    w = partial(word, lang=lang)
    cards = "".join(
        '<div class="card">'
        f"<div>{escape(index_title(result, row.latent, lang))}</div>"
        f'<div class="v" data-latent="{escape(row.latent)}">{row.value:.1f}</div>'
        f'<div class="g">{escape(_grade(row, lang))}</div>'
        f'<div class="note">{escape(w("ci"))} {escape(_interval(row))}</div></div>'
        for row in result.index
    )
    summary = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(printable(v))}</dd>"
        for k, v in summary_rows(result, lang)
    )
    paths = _table(
        [w("from"), w("to"), w("estimate"), w("se"), w("t"), w("ci_low"), w("ci_high")],
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
        [w("latent"), w("r_squared")],
        [[_latent_label(result, k, lang), _num(v)] for k, v in result.r_squared.items()],
        1,
    )
    outer = _table(
        [
            w("latent"),
            w("item"),
            w("weight"),
            w("loading"),
            w("communality"),
            w("redundancy"),
            w("mean"),
            w("sd"),
            w("index_weight"),
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
            w("latent"),
            w("mode"),
            w("items"),
            w("alpha"),
            w("rho"),
            w("ave"),
            w("communality"),
            w("redundancy"),
            w("r_squared"),
        ],
        [
            [
                _latent_label(result, q.latent, lang),
                w(f"mode_{q.mode}"),
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
        w("latent"),
        w("n"),
        w("effective_n"),
        w("index"),
        w("ci"),
        w("grade"),
    ]
    numeric_from = len(result.strata_columns) + 1
    parts = [
        f'<div class="cards">{cards}</div>',
        f'<h2>{escape(w("summary"))}</h2><dl class="summary">{summary}</dl>',
        f"<h2>{escape(w('diagram'))}</h2>",
        f'<div class="scroll diagram" tabindex="0" role="region" '
        f'aria-label="{escape(w("diagram"))}">{path_diagram(result, lang)}</div>',
        f'<p class="note">{escape(w("diagram_note"))}</p>',
    ]
    if result.strata:
        parts.append(f"<h2>{escape(w('by_stratum'))}</h2>")
        parts.append(_table(stratum_head, stratum_rows(result, result.strata, lang), numeric_from))
    if result.margins:
        parts.append(f"<h2>{escape(w('by_margin'))}</h2>")
        parts.append(_table(stratum_head, stratum_rows(result, result.margins, lang), numeric_from))
    parts += [
        f"<h2>{escape(w('paths'))}</h2>",
        paths,
        f"<h2>{escape(w('r_squared'))}</h2>",
        r2,
        f"<h2>{escape(w('outer'))}</h2>",
        outer,
        f"<h2>{escape(w('quality'))}</h2>",
        quality,
        f'<p class="note">{escape(w("method"))}</p>',
    ]
    return "".join(parts)


def to_html(result: StudyResult, lang: str = "zh") -> bytes:
    """A self-contained page: inline style and SVG, nothing fetched, mailable as is."""
    en = lang.startswith("en")
    title = word("title", lang)
    html = (
        f'<!DOCTYPE html><html lang="{"en" if en else "zh-CN"}"><head><meta charset="utf-8">'
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

    w = partial(word, lang=lang)
    label = partial(_latent_label, result, lang=lang)
    three, one = "0.000", "0.0"
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    summary: list[list[Any]] = [[k, v] for k, v in summary_rows(result, lang)]
    for row in result.index:
        summary.append([index_title(result, row.latent, lang), round(row.value, 4)])
        summary.append([f"{label(row.latent)}{w('grade')}", _grade(row, lang)])
    _sheet(book, w("sheet_summary"), [w("what"), w("value")], summary, {})
    _sheet(
        book,
        w("sheet_paths"),
        [w("from"), w("to"), w("estimate"), w("se"), w("t"), w("ci_low"), w("ci_high")],
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
        w("sheet_outer"),
        [
            w("latent"),
            w("item"),
            w("weight"),
            w("loading"),
            w("communality"),
            w("redundancy"),
            w("mean"),
            w("sd"),
            w("index_weight"),
            w("r_squared"),
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
        w("sheet_quality"),
        [
            w("latent"),
            w("mode"),
            w("items"),
            w("alpha"),
            w("rho"),
            w("ave"),
            w("communality"),
            w("redundancy"),
            w("r_squared"),
        ],
        [
            [
                label(q.latent),
                w(f"mode_{q.mode}"),
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
        values = [w("overall")] * k if group is None else [v or w("all") for v in group.values]
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
        w("sheet_strata"),
        [
            *(column_word(c, lang) for c in result.strata_columns),
            w("latent"),
            w("n"),
            w("effective_n"),
            w("index"),
            w("se"),
            w("ci_low"),
            w("ci_high"),
            w("grade"),
        ],
        strata,
        {k + 1: "0", k + 2: one, k + 3: "0.00", k + 4: "0.00", k + 5: "0.00", k + 6: "0.00"},
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
