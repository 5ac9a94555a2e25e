from django import template

from review.admin.badges import badge

register = template.Library()


@register.simple_tag
def deadline_badge(level: str, text: str | None = None):
    """The coloured badge of a deadline level (on_track, due_soon, overdue, breach, ...)."""
    return badge(level, text)
