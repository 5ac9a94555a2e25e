from django import template
from django.utils.translation import ngettext

from review import deadlines
from staff.badges import badge

register = template.Library()


@register.simple_tag
def deadline_badge(level: str, text: str | None = None):
    """The coloured badge of a deadline level (on_track, due_soon, overdue, breach, ...)."""
    return badge(level, text)


@register.simple_tag
def working_days_left(n):
    """"3 working days left", or for a negative number "8 working days late" (never "-8 left")."""
    if n is None:
        return ""
    if n < 0:
        return ngettext("%(n)s working day late", "%(n)s working days late", -n) % {"n": -n}
    return ngettext("%(n)s working day left", "%(n)s working days left", n) % {"n": n}


@register.simple_tag
def finished_late(stage):
    """A done stage that used more than its budget: "statutory" (past the statutory limit, the
    worse), "target", or "" (on time, or not done); review.deadlines.finished_late decides."""
    return {"breach": "statutory", "overdue": "target"}.get(deadlines.finished_late(stage), "")
