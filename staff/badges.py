"""Deadline badges shared by the admin list and the case page."""

from django.utils.html import format_html

from review.deadlines import LABELS

# Colours of the admin's badges; their words are the one label map, review.deadlines.LABELS.
COLOURS = {
    "on_track": "#2e7d32",
    "due_soon": "#b26a00",
    "statutory_near": "#b23c00",
    "overdue": "#c62828",
    "breach": "#6a1b1b",
    "paused": "#546e7a",
    "pending": "#9e9e9e",
    "done": "#78909c",
    "skipped": "#bdbdbd",
    "cancelled": "#bdbdbd",
    "provisional": "#6a1b9a",
}


def badge(level: str, text=None):
    label, colour = LABELS[level], COLOURS[level]
    return format_html(
        '<span class="deadline-badge badge-{}" style="background:{};color:#fff;border-radius:3px;'
        'padding:1px 6px;white-space:nowrap;font-size:11px">{}</span>',
        level, colour, text or label,
    )
