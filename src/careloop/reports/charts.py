"""Charts with matplotlib (Agg): bar, line with target and threshold, category × region heat map.

Chinese labels need a CJK font (Debian fonts-noto-cjk). Without one, charts fall back to the
English labels — never boxes of missing glyphs — and the fallback is logged once.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from careloop.i18n import Translator
from careloop.reports.model import BarChart, Chart, HeatMap, LineChart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger("careloop.reports")


@lru_cache(maxsize=1)
def pyplot() -> ModuleType:
    """matplotlib's pyplot on the Agg backend, imported on first use: importing it costs a
    second or more, which every CLI command and server start would otherwise pay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _font_manager() -> Any:
    pyplot()  # the backend is chosen before anything else of matplotlib loads
    from matplotlib import font_manager

    return font_manager


CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)


CJK_FILE_HINTS = ("cjk", "wqy", "sourcehan")
"""Parts of the file names of the fonts above, to find them on disk."""


def _known_cjk() -> str | None:
    known = {f.name for f in _font_manager().fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK family matplotlib knows, or None (then reports use English labels).

    matplotlib caches its font list on first use; a font installed after that (the usual
    order: run once, read the warning, `apt install fonts-noto-cjk`) is not in the cache,
    so the font files on disk are added before giving up.
    """
    family = _known_cjk()
    if family is None:
        font_manager = _font_manager()
        for path in font_manager.findSystemFonts():
            if any(hint in path.lower() for hint in CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        family = _known_cjk()
    if family is None:
        log.warning("no CJK font found (install fonts-noto-cjk): charts and PDF use English labels")
    return family


def language() -> str:
    return "zh" if cjk_font() else "en"


def style() -> dict[str, Any]:
    family = cjk_font()
    return {
        "font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "font.size": 10,
    }


PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000")


def draw(fig: Figure, chart: Chart, lang: str) -> None:
    ax = fig.add_subplot(1, 1, 1)
    title = chart.title_en if lang == "en" else chart.title_zh
    if isinstance(chart, BarChart):
        labels = chart.labels_en if lang == "en" else chart.labels_zh
        n = max(1, len(chart.series))
        width = 0.8 / n
        for i, (name, values) in enumerate(chart.series.items()):
            xs = [x + (i - (n - 1) / 2) * width for x in range(len(labels))]
            bars = ax.bar(xs, values, width, label=name, color=PALETTE[i % len(PALETTE)])
            ax.bar_label(bars, fmt="%g", fontsize=7)
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.legend(fontsize=8)
        ax.set_ylabel(chart.ylabel)
        ax.grid(axis="y", alpha=0.3)
    elif isinstance(chart, LineChart):
        xs = list(range(len(chart.x)))
        ys = [float("nan") if y is None else y for y in chart.y]
        t = Translator(lang)
        ax.plot(
            xs, ys, marker="o", color=PALETTE[0], label=chart.ylabel or t("reports.chart.value")
        )
        if chart.target is not None:
            label = t("reports.chart.target", level=f"{chart.target:g}")
            ax.axhline(chart.target, color="#548235", linestyle="--", label=label)
        if chart.threshold is not None:
            label = t("reports.chart.threshold", level=f"{chart.threshold:g}")
            ax.axhline(chart.threshold, color="#c00000", linestyle=":", label=label)
        step = max(1, len(xs) // 10)
        ax.set_xticks(xs[::step], chart.x[::step], rotation=30, ha="right")
        ax.set_ylabel(chart.ylabel)
        ax.legend(fontsize=8, loc="lower left")
        ax.grid(alpha=0.3)
    else:
        rows = chart.rows_en if lang == "en" else chart.rows_zh
        cols = chart.cols_en if lang == "en" else chart.cols_zh
        image = ax.imshow(chart.values or [[0]], cmap="YlOrRd", aspect="auto")
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
        peak = max((v for row in chart.values for v in row), default=0) or 1
        for r, row in enumerate(chart.values):
            for c, v in enumerate(row):
                if v:
                    ax.text(
                        c,
                        r,
                        f"{v:g}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if v > peak * 0.6 else "black",
                    )
        fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title)
    fig.tight_layout()


def render(chart: Chart, fmt: str = "png", lang: str | None = None) -> bytes:
    """One chart as PNG (150 dpi, for HTML and print) or SVG."""
    lang = lang or language()
    plt = pyplot()
    with plt.rc_context(style()):
        fig = plt.figure(figsize=(9, 4.8) if not isinstance(chart, HeatMap) else (9, 6))
        try:
            draw(fig, chart, lang)
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=150)
        finally:
            plt.close(fig)
    return buffer.getvalue()
