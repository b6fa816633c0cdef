"""Server-rendered SVG charts: no JavaScript, crisp when printed, every bar a link.

A supervisor prints the dashboard for the monthly quality meeting (月度服务质量分析会);
an SVG drawn on the server prints exactly as it shows, in colour or in grey.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from careloop.i18n import Translator
from careloop.services.complaints.workbench import TrendDay

WIDTH, HEIGHT = 900, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 40


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if value <= step:
            return step
    return value


def trend_svg(days: list[TrendDay], t: Translator, tz: str) -> str:
    """Daily accepted (bars, each linking to that day's complaints) and closed (line)."""
    if not days:
        return ""
    zone = ZoneInfo(tz)
    top = _nice_max(max(max(d.accepted, d.closed) for d in days) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(days)
    bar = max(step * 0.7, 1)

    def y(v: int) -> float:
        return TOP + plot_h - v / top * plot_h

    parts = [
        # A group, not an image: an image's parts are hidden from assistive technology,
        # and each bar here is a link a keyboard or screen-reader user can follow.
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" '
        f'aria-labelledby="trend-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="trend-title">{escape(t("board.trend.title"))}</title>',
    ]
    for frac in (0, 0.5, 1):
        v = round(top * frac)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'class="grid"/><text x="{LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f'class="axis">{v}</text>'
        )
    for i, d in enumerate(days):
        x = LEFT + i * step + (step - bar) / 2
        start = datetime.combine(d.day, time.min, zone)
        href = (
            f"/complaints?created_from={quote(start.isoformat())}"
            f"&created_to={quote((start + timedelta(days=1)).isoformat())}"
        )
        label = escape(t("board.trend.bar", day=d.day.isoformat(), n=d.accepted, c=d.closed))
        parts.append(
            f'<a href="{href}" aria-label="{label}">'
            f'<rect class="bar" x="{x:.1f}" y="{y(d.accepted):.1f}" '
            f'width="{bar:.1f}" height="{TOP + plot_h - y(d.accepted):.1f}">'
            f"<title>{label}</title></rect></a>"
        )
        if i % 15 == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'class="axis">{d.day:%m-%d}</text>'
            )
    points = " ".join(
        f"{LEFT + i * step + step / 2:.1f},{y(d.closed):.1f}" for i, d in enumerate(days)
    )
    parts.append(f'<polyline class="line" points="{points}"/>')
    legend_y = HEIGHT - 8
    parts.append(
        f'<rect class="bar" x="{LEFT}" y="{legend_y - 9}" width="10" height="10"/>'
        f'<text x="{LEFT + 14}" y="{legend_y}" class="axis">'
        f"{escape(t('board.trend.accepted'))}</text>"
        f'<line class="line" x1="{LEFT + 150}" x2="{LEFT + 170}" y1="{legend_y - 4}" '
        f'y2="{legend_y - 4}"/><text x="{LEFT + 175}" y="{legend_y}" class="axis">'
        f"{escape(t('board.trend.closed'))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
