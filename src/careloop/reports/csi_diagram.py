"""The path diagram of a satisfaction study as inline SVG: latents as ovals, paths as arrows
with their coefficients, R² inside each endogenous latent and the index in the reported ones.

Drawn by hand rather than with matplotlib so it stays sharp at any zoom, needs no font on
the server (the browser draws the Chinese) and weighs a few kilobytes. Latents are placed
in columns by their longest path from a source, so every arrow points right; a column with
a single latent zigzags up and down, so an arrow that skips columns does not run through
the ovals between.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from careloop.services.csi.study import StudyResult

COLUMN_GAP: Final = 190.0
ROW_GAP: Final = 150.0
RX: Final = 70.0
RY: Final = 32.0
MARGIN: Final = 24.0
BULGE: Final = 60.0
"""How high an arrow arcs over the column it skips (more for each further column)."""


@dataclass(frozen=True)
class _Node:
    name: str
    x: float
    y: float


def _layers(latents: Sequence[str], paths: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each latent's column: the length of the longest path reaching it (a DAG)."""
    layer = dict.fromkeys(latents, 0)
    for _ in latents:
        changed = False
        for source, target in paths:
            if layer[target] < layer[source] + 1:
                layer[target] = layer[source] + 1
                changed = True
        if not changed:
            break
    return layer


def _text_width(text: str, size: float) -> float:
    """About how wide a label is drawn: a CJK character one em, others about 0.58 em."""
    return sum(size if ord(ch) > 0x2E80 else 0.58 * size for ch in text)


def layout(
    latents: Sequence[str],
    paths: Sequence[tuple[str, str]],
    column_gap: float = COLUMN_GAP,
    rx: float = RX,
) -> dict[str, _Node]:
    layer = _layers(latents, paths)
    columns: dict[int, list[str]] = {}
    for name in latents:
        columns.setdefault(layer[name], []).append(name)
    rows = max(2, max(len(c) for c in columns.values()))
    nodes: dict[str, _Node] = {}
    for col, names in sorted(columns.items()):
        start = (rows - len(names)) / 2
        if len(names) < rows:
            start += -0.5 if col % 2 == 0 else 0.5
            start = min(max(start, 0.0), rows - len(names))
        for i, name in enumerate(names):
            nodes[name] = _Node(
                name,
                MARGIN + rx + col * column_gap,
                MARGIN + RY + (start + i) * ROW_GAP,
            )
    return nodes


def _edge_point(node: _Node, towards: tuple[float, float], rx: float) -> tuple[float, float]:
    """Where the line from the oval's centre towards a point leaves the oval."""
    dx, dy = towards[0] - node.x, towards[1] - node.y
    scale = 1.0 / math.sqrt((dx / rx) ** 2 + (dy / RY) ** 2) if dx or dy else 0.0
    return node.x + dx * scale, node.y + dy * scale


def _lift(a: _Node, b: _Node, middle: float, column_gap: float) -> float:
    """How far an arrow arcs from its row (negative: up): 0 between neighbouring columns,
    more the more columns it skips, away from the middle so it passes above or below."""
    span = abs(round((b.x - a.x) / column_gap))
    if span <= 1 or abs(a.y - b.y) >= 1:
        return 0.0
    height = BULGE + 22.0 * (span - 2)
    return -height if a.y <= middle else height


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def path_diagram(result: StudyResult, lang: str = "zh") -> str:
    """The SVG element (no XML prolog): embeddable in HTML as is."""
    en = lang.startswith("en")
    latents = [row.name for row in result.latents]
    pairs = [(p.source, p.target) for p in result.paths]
    names = [row.label_en if en else row.label_zh for row in result.latents]
    rx = max(RX, max(_text_width(n, 14) for n in names) / 2 + 14)
    column_gap = max(COLUMN_GAP, 2 * rx + 50)
    nodes = layout(latents, pairs, column_gap, rx)
    top = min(n.y for n in nodes.values())
    bottom = max(n.y for n in nodes.values())
    middle = (top + bottom) / 2
    arcs = {
        (p.source, p.target): _lift(nodes[p.source], nodes[p.target], middle, column_gap)
        for p in result.paths
    }
    rise = max([0.0, *(-v for v in arcs.values())]) + 14.0
    fall = max([0.0, *arcs.values()]) + 14.0
    shift = max(rise - RY, 0.0)
    nodes = {k: _Node(n.name, n.x, n.y + shift) for k, n in nodes.items()}
    width = max(n.x for n in nodes.values()) + rx + MARGIN
    height = bottom + shift + max(RY, fall) + MARGIN
    index = {row.latent: row for row in result.index}
    title = "Path diagram of the model" if en else "模型路径图"
    summary = "; ".join(
        f"{p.source} → {p.target}: {p.estimate:.3f}" for p in result.paths
    )  # the picture in words, for screen readers
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'class="csi-diagram" role="img" aria-labelledby="csi-diagram-title csi-diagram-desc">',
        f'<title id="csi-diagram-title">{escape(title)}</title>',
        f'<desc id="csi-diagram-desc">{escape(summary)}</desc>',
        "<defs>"
        '<marker id="csi-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#33475b"/></marker></defs>',
    ]
    labels: list[str] = []
    for p in result.paths:
        a, b = nodes[p.source], nodes[p.target]
        significant = p.ci_low is None or p.ci_high is None or p.ci_low > 0 or p.ci_high < 0
        stroke = 1.2 + 3.0 * min(abs(p.estimate), 1.0)
        dash = "" if significant else ' stroke-dasharray="6 4"'
        colour = "#33475b" if p.estimate >= 0 else "#b3261e"
        lift = arcs[(p.source, p.target)]
        if lift:
            control = ((a.x + b.x) / 2, a.y + 2 * lift)
            start, end = _edge_point(a, control, rx), _edge_point(b, control, rx)
            d = f"M{_fmt(start[0])},{_fmt(start[1])} Q{_fmt(control[0])},{_fmt(control[1])} "
            d += f"{_fmt(end[0])},{_fmt(end[1])}"
            mid = (
                0.25 * start[0] + 0.5 * control[0] + 0.25 * end[0],
                0.25 * start[1] + 0.5 * control[1] + 0.25 * end[1],
            )
        else:
            start, end = _edge_point(a, (b.x, b.y), rx), _edge_point(b, (a.x, a.y), rx)
            d = f"M{_fmt(start[0])},{_fmt(start[1])} L{_fmt(end[0])},{_fmt(end[1])}"
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        parts.append(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{stroke:.1f}"{dash} '
            'marker-end="url(#csi-arrow)"/>'
        )
        text = f"{p.estimate:.3f}"
        bold = ' font-weight="bold"' if significant else ""
        labels.append(
            f'<rect x="{_fmt(mid[0] - 24)}" y="{_fmt(mid[1] - 10)}" width="48" height="19" '
            'rx="3" fill="#ffffff" fill-opacity="0.92"/>'
            f'<text x="{_fmt(mid[0])}" y="{_fmt(mid[1] + 4.5)}" text-anchor="middle" '
            f'font-size="13" fill="{colour}"{bold}>'
            f"{text}</text>"
        )
    parts.extend(labels)
    for row in result.latents:
        node = nodes[row.name]
        label = row.label_en if en else row.label_zh
        fill = "#e8f0fa" if row.name in index else ("#f4f6f8" if not row.endogenous else "#ffffff")
        parts.append(
            f'<ellipse cx="{_fmt(node.x)}" cy="{_fmt(node.y)}" rx="{_fmt(rx)}" ry="{RY}" '
            f'fill="{fill}" stroke="#33475b" stroke-width="1.6"/>'
        )
        lines = [label]
        r2 = result.r_squared.get(row.name)
        if r2 is not None:
            lines.append(f"R² = {r2:.3f}")
        if row.name in index:
            lines.append(("index " if en else "指数 ") + f"{index[row.name].value:.1f}")
        top = node.y - (len(lines) - 1) * 8.0
        for i, line in enumerate(lines):
            size = 14 if i == 0 else 12
            weight = ' font-weight="bold"' if i == 0 else ""
            parts.append(
                f'<text x="{_fmt(node.x)}" y="{_fmt(top + i * 16 + 4.5)}" text-anchor="middle" '
                f'font-size="{size}"{weight} fill="#1c2b39">{escape(line)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
