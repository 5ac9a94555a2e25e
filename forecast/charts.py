"""The workload fan chart: server-side SVG, like the dashboard's other charts (kpi.charts)."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

from kpi.charts import text_width, title_svg


def _round_up(value: float) -> float:
    """The next 1, 2 or 5 times a power of ten at or above ``value`` (an axis that reads well)."""
    if value <= 0:
        return 10
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def fan_chart(*, title: str, points: list[tuple], band_label: str, mid_label: str, width: int = 640,
              height: int = 250) -> str:
    """``points``: (day, low, middle, high) per coming week: the band shaded, the middle a line."""
    if not points:
        return ""
    left, right, top, bottom = 44, 12, 34, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = _round_up(max(p[3] for p in points))
    n = len(points)

    def x(i):
        return left + (plot_w * i / max(n - 1, 1))

    def y(v):
        return top + plot_h - plot_h * v / y_max

    upper = " ".join(f"{x(i):.1f},{y(p[3]):.1f}" for i, p in enumerate(points))
    lower = " ".join(f"{x(i):.1f},{y(p[1]):.1f}" for i, p in reversed(list(enumerate(points))))
    mid = " ".join(f"{x(i):.1f},{y(p[2]):.1f}" for i, p in enumerate(points))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="kpi-chart"><title>{escape(title)}</title>',
             title_svg(title, left)]
    for k in range(5):
        v = y_max * k / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end" fill="#666">'
                     f'{v:g}</text>')
    parts.append(f'<polygon points="{upper} {lower}" fill="#1f77b4" fill-opacity="0.2"/>')
    parts.append(f'<polyline points="{mid}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for i, p in enumerate(points):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle" '
                     f'fill="#666">{p[0]:%m-%d}</text>')
    ly = height - 18
    parts.append(f'<rect x="{left}" y="{ly - 9}" width="10" height="10" fill="#1f77b4" fill-opacity="0.2"/>'
                 f'<text x="{left + 14}" y="{ly}" font-size="11" fill="#333">{escape(band_label)}</text>')
    lx = left + 30 + text_width(band_label, 11)
    parts.append(f'<line x1="{lx}" x2="{lx + 12}" y1="{ly - 4}" y2="{ly - 4}" stroke="#1f77b4" stroke-width="2"/>'
                 f'<text x="{lx + 16}" y="{ly}" font-size="11" fill="#333">{escape(mid_label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
