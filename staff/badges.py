"""Deadline badges shared by the admin list and the case page."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The deadline states named as on the dashboard (kpi.selectors.STATE_LABELS): 临近目标时限,
# 已超目标时限, 已超法定时限; "Overdue" alone did not say which limit.
BADGES = {
    "on_track": (_("On track"), "#2e7d32"),
    "due_soon": (pgettext_lazy("deadline state", "Due soon"), "#b26a00"),
    "overdue": (_("Past target"), "#c62828"),
    "breach": (_("Statutory limit passed"), "#6a1b1b"),
    "paused": (_("Paused"), "#546e7a"),
    "pending": (_("Pending"), "#9e9e9e"),
    "done": (_("Done"), "#78909c"),
    "skipped": (_("Skipped"), "#bdbdbd"),
    "cancelled": (_("Cancelled"), "#bdbdbd"),
    "provisional": (_("Provisional"), "#6a1b9a"),
}


def badge(level: str, text=None):
    label, colour = BADGES[level]
    return format_html(
        '<span class="deadline-badge badge-{}" style="background:{};color:#fff;border-radius:3px;'
        'padding:1px 6px;white-space:nowrap;font-size:11px">{}</span>',
        level, colour, text or label,
    )
