from django import template

from notices.content import strip_numbering
from notices.selectors import case_notices
from notices.selectors import opens_file as _opens_file

register = template.Library()

# Admin actions that issue a notice (for "complete", the outcome decides; the preview says so).
_ISSUING = {"notify_missing_items", "request_supplement", "request_rectification"}
_ISSUING_COMPLETE = {"acceptance", "decision", "licence_decision", "issuance", "licence_issuance"}


@register.simple_tag
def notices_of(application, user=None):
    """The notices ``user`` may read (every one on the staff's case page, which passes no user)."""
    return case_notices(application, user)


@register.filter
def issues_notice(item) -> bool:
    """Whether an admin action item (``{"action", "stage"}``) issues a notice to preview."""
    name = item["action"].name
    stage = item.get("stage")
    return name in _ISSUING or (name == "complete" and stage is not None and stage.kind in _ISSUING_COMPLETE)


@register.filter
def unnumbered(item) -> str:
    """A request item without the number the reviewer may have typed (the list numbers it)."""
    return strip_numbering(item)


@register.filter
def opens_file(notice, user) -> bool:
    """Whether ``user`` may open the document's file (an officer sees only that a certificate was issued)."""
    return _opens_file(user, notice)
