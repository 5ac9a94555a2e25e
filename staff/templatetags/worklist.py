from django import template
from django.utils import timezone

from review.selectors import calendar_current
from review.worklist import worklist

register = template.Library()


@register.inclusion_tag("admin/review/_my_work.html", takes_context=True)
def my_work(context):
    """The admin index's first block: the signed-in officer's worklist."""
    request = context["request"]
    today = timezone.localdate()
    items, total = worklist(request.user, today=today, cal=calendar_current())
    return {"items": items, "total": total, "today": today, "request": request}
