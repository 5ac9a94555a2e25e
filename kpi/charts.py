"""Server-side SVG charts: no JavaScript library, no CDN, readable without scripts and printable.

Each function takes the dashboard's rows and returns safe SVG markup; every text is escaped.
"""

from __future__ import annotations

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


def line_chart(*, title: str, x_labels: list[str], series: list[tuple[str, list[float | None]]],
               y_max: float | None = None, unit: str = "", width: int = 640, height: int = 260) -> str:
    """Lines over categories (months); a gap where a value is missing."""
    left, right, top, bottom = 44, 12, 28, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = y_max or _nice_max(max(values, default=0))
    n = max(len(x_labels), 1)

    def x(i):
        return left + (plot_w * (i + 0.5) / n)

    def y(v):
        return top + plot_h - plot_h * (v / top_value)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" class="kpi-chart"><title>{escape(title)}</title>']
    for k in range(5):
        v = top_value * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e3e3"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                   f'{v:g}{escape(unit)}</text>')
    for i, label in enumerate(x_labels):
        out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
                   f'fill="#555">{escape(label)}</text>')
    legend_y = height - 30
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
        lx = left + (s % 4) * (plot_w / 4)
        ly = legend_y + (s // 4) * 14
        out.append(f'<rect x="{lx:.1f}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{lx + 14:.1f}" y="{ly + 1}" font-size="11" fill="#333">{escape(name)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))


def stacked_bars(*, title: str, rows: list[tuple[str, dict[str, int]]],
                 states: list[tuple[str, str, str]], width: int = 640) -> str:
    """Horizontal bars, one per row, split by state (``states``: key, label, colour)."""
    left, right, top, bar, gap = 170, 40, 10, 18, 8
    height = top + len(rows) * (bar + gap) + 40
    total_max = max((sum(c.values()) for _, c in rows), default=0) or 1
    plot_w = width - left - right
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" class="kpi-chart"><title>{escape(title)}</title>']
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
    ly = top + len(rows) * (bar + gap) + 14
    for i, (_key, state_label, color) in enumerate(states):
        lx = 10 + (i % 3) * (width / 3)
        out.append(f'<rect x="{lx:.1f}" y="{ly + (i // 3) * 14 - 8}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{lx + 14:.1f}" y="{ly + (i // 3) * 14 + 1}" font-size="11" fill="#333">'
                   f'{escape(state_label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out).replace(f'viewBox="0 0 {width} {height}"',
                                          f'viewBox="0 0 {width} {height + 14}"'))
