"""The results page's small trend: six months of survey satisfaction (bars) and response
rate (line), drawn on the server as SVG like the dashboard's chart, so it prints as shown.
The same numbers stand in a table beside it for readers who do not see the picture."""

from __future__ import annotations

from html import escape

from careloop.i18n import Translator
from careloop.services.surveys.page_views import MonthTotal

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 14, 46


def trend_svg(months: list[MonthTotal], t: Translator) -> str:
    if not months or not any(m.sent or m.answered for m in months):
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)
    bar = step * 0.55

    def y(percent: float) -> float:
        return TOP + plot_h - percent / 100 * plot_h

    title = escape(t("survey_pages.trend.title"))
    parts = [
        f'<svg class="chart survey-trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="survey-trend-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="survey-trend-title">{title}</title>',
    ]
    for v in (0, 50, 100):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'class="grid"/><text x="{LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f'class="axis">{v}%</text>'
        )
    points = []
    for i, m in enumerate(months):
        x = LEFT + i * step + (step - bar) / 2
        if m.satisfaction is not None:
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y(m.satisfaction):.1f}" width="{bar:.1f}" '
                f'height="{TOP + plot_h - y(m.satisfaction):.1f}"/>'
            )
        if m.response_rate is not None:
            points.append(f"{x + bar / 2:.1f},{y(m.response_rate):.1f}")
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle" '
            f'class="axis">{m.month:%Y-%m}</text>'
        )
    if len(points) > 1:
        parts.append(f'<polyline class="line" points="{" ".join(points)}"/>')
    for point in points:
        px, py = point.split(",")
        parts.append(f'<circle class="dot" cx="{px}" cy="{py}" r="3"/>')
    legend_y = HEIGHT - 8
    parts.append(
        f'<rect class="bar" x="{LEFT}" y="{legend_y - 9}" width="10" height="10"/>'
        f'<text x="{LEFT + 14}" y="{legend_y}" class="axis">'
        f"{escape(t('survey_pages.col.satisfaction'))}</text>"
        f'<line class="line" x1="{LEFT + 130}" x2="{LEFT + 150}" y1="{legend_y - 4}" '
        f'y2="{legend_y - 4}"/><text x="{LEFT + 155}" y="{legend_y}" class="axis">'
        f"{escape(t('survey_pages.col.response_rate'))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
