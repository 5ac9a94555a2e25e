"""Template helpers of the portal: accessible form widgets, badges and countdowns."""

from django import template
from django.utils.html import format_html

from review.deadlines import LABELS

register = template.Library()

LEVELS = LABELS  # review.deadlines: one word per level, everywhere


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
