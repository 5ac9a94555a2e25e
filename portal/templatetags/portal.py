"""Template helpers of the portal: accessible form widgets, badges and countdowns."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

LEVELS = {
    "on_track": _("On track"),
    "due_soon": pgettext_lazy("deadline state", "Due soon"),
    "overdue": _("Past target"),
    "breach": _("Statutory limit passed"),
    "paused": _("Clock stopped"),
    "pending": _("Not started"),
    "done": _("Done"),
    "skipped": _("Not needed"),
    "cancelled": _("Cancelled"),
    "late": _("Finished late"),
    "on_time": _("Finished on time"),
    "provisional": _("Provisional"),
}


@register.simple_tag
def field_widget(bound_field):
    """The widget with ``aria-describedby`` pointing at its help and error texts, and
    ``aria-invalid`` when it has errors, so a screen reader reads them with the field."""
    ids = []
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_error")
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def level_badge(level, text=None):
    return format_html('<span class="badge badge-{}">{}</span>', level, text or LEVELS.get(level, level))


@register.filter
def percent_width(value):
    """A safe CSS width for a progress bar."""
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return 0


@register.filter
def absolute(value):
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return value
