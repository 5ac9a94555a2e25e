"""Server-side SVG charts: no JavaScript library, no CDN, readable without scripts and printable.

Each function takes the dashboard's rows and returns safe SVG markup; every text is escaped.
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#843c39"]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 10
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return step * ((int(value) // step) + 1)
    return value * 1.1


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width of ``text`` at font size ``size``, wide enough for the
    fonts a browser picks: a CJK character is one em, a Latin letter or digit about 0.62 em.
    Used to lay out labels and legends so they never overlap or get cut."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.62 for ch in str(text))


def _legend(items: list[tuple[str, str]], *, x0: float, width: float, size: int = 11) -> list[tuple[float, int]]:
    """Flow the legend's items (label, colour) left to right, wrapping to a new line where the next
    would not fit: ``[(x, line), ...]``. Items line up on a grid of equal columns when they fit
    one, so a short legend reads as a table."""
    swatch, gap = 14, 16
    widths = [swatch + text_width(label, size) for label, _c in items]
    column = max(widths, default=0) + gap
    per_line = int(width // column) if column else 0
    if per_line >= 2:
        return [(x0 + (i % per_line) * column, i // per_line) for i in range(len(items))]
    out, x, line = [], x0, 0
    for w in widths:
        if x > x0 and x + w > x0 + width:
            x, line = x0, line + 1
        out.append((x, line))
        x += w + gap
    return out


def _legend_svg(items, positions, *, y0: float, size: int = 11, line_height: int = 15) -> str:
    out = []
    for (label, color), (lx, line) in zip(items, positions, strict=True):
        ly = y0 + line * line_height
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{lx + 14:.1f}" y="{ly}" font-size="{size}" fill="#333">{escape(label)}</text>')
    return "".join(out)


def title_svg(title: str, x: float) -> str:
    return f'<text x="{x}" y="18" font-size="13" font-weight="600" fill="#222">{escape(title)}</text>'


def line_chart(*, title: str, x_labels: list[str], series: list[tuple[str, list[float | None]]],
               y_max: float | None = None, unit: str = "", width: int = 640, height: int = 250) -> str:
    """Lines over categories (months): a gap where a value is missing (nothing finished that
    month; no zero is invented). The title is drawn above the plot; the legend flows below it,
    as many lines as its names need."""
    left, right, top, axis = 44, 12, 34, 24
    plot_w = width - left - right
    items = [(name, PALETTE[s % len(PALETTE)]) for s, (name, _vs) in enumerate(series)]
    positions = _legend(items, x0=left, width=plot_w)
    legend_lines = max((line for _x, line in positions), default=-1) + 1
    plot_h = height - top - axis - 34
    legend_y = top + plot_h + axis + 14
    total_h = legend_y + (legend_lines - 1) * 15 + 10
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = y_max or _nice_max(max(values, default=0))
    n = max(len(x_labels), 1)
    # Every month has its place; the labels are thinned to what fits (one every k months).
    step = max(1, math.ceil(n * (text_width("2026-01", 11) + 8) / plot_w))

    def x(i):
        return left + (plot_w * (i + 0.5) / n)

    def y(v):
        return top + plot_h - plot_h * (v / top_value)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" role="img" '
           f'aria-label="{escape(title)}" class="kpi-chart"><title>{escape(title)}</title>',
           title_svg(title, left)]
    for k in range(5):
        v = top_value * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e3e3"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                   f'{v:g}{escape(unit)}</text>')
    for i, label in enumerate(x_labels):
        if i % step == 0:
            out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
                       f'fill="#555">{escape(label)}</text>')
    for s, (name, vs) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        segments, current = [], []
        for i, v in enumerate(vs):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x(i), y(v), v))
        if current:
            segments.append(current)
        for seg in segments:
            points = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in seg)
            out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
            for px, py, v in seg:
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}">'
                           f'<title>{escape(name)}: {v:g}{escape(unit)}</title></circle>')
    out.append(_legend_svg(items, positions, y0=legend_y))
    out.append("</svg>")
    return mark_safe("".join(out))


def stacked_bars(*, title: str, rows: list[tuple[str, dict[str, int]]],
                 states: list[tuple[str, str, str]], width: int = 640) -> str:
    """Horizontal bars, one per row, split by state (``states``: key, label, colour). The label
    column is as wide as the longest label needs, so none is cut."""
    label_w = max((text_width(label, 12) for label, _c in rows), default=0)
    left, right, top, bar, gap = max(60, int(label_w) + 14), 40, 32, 18, 8
    plot_w = width - left - right
    items = [(str(label), color) for _k, label, color in states]
    positions = _legend(items, x0=10, width=width - 20)
    legend_lines = max((line for _x, line in positions), default=-1) + 1
    legend_y = top + len(rows) * (bar + gap) + 14
    height = legend_y + (legend_lines - 1) * 15 + 12
    total_max = max((sum(c.values()) for _, c in rows), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" class="kpi-chart"><title>{escape(title)}</title>',
           title_svg(title, 10)]
    for r, (label, counts) in enumerate(rows):
        yy = top + r * (bar + gap)
        out.append(f'<text x="{left - 6}" y="{yy + 13}" text-anchor="end" font-size="12" fill="#333">'
                   f'{escape(label)}</text>')
        xx = left
        for key, state_label, color in states:
            n = counts.get(key, 0)
            if not n:
                continue
            w = plot_w * n / total_max
            out.append(f'<rect x="{xx:.1f}" y="{yy}" width="{w:.1f}" height="{bar}" fill="{color}">'
                       f'<title>{escape(label)} · {escape(state_label)}: {n}</title></rect>')
            if w > 18:
                out.append(f'<text x="{xx + w / 2:.1f}" y="{yy + 13}" text-anchor="middle" font-size="11" '
                           f'fill="#fff">{n}</text>')
            xx += w
        out.append(f'<text x="{xx + 4:.1f}" y="{yy + 13}" font-size="11" fill="#555">{sum(counts.values())}</text>')
    out.append(_legend_svg(items, positions, y0=legend_y))
    out.append("</svg>")
    return mark_safe("".join(out))
