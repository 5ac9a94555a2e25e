"""The staff preview of the notice an admin action would issue (nothing is saved)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from review.exceptions import ApplicationError
from review.models import Stage
from review.selectors import applications_visible_to
from services import notices as service
from services.actions import ACTIONS_BY_NAME
from web.downloads import pdf_response
from web.post_only import post_only


def _case_page(request, pk, action) -> str:
    get_object_or_404(applications_visible_to(request.user), pk=pk)
    return reverse("admin:review_application_change", args=[pk]) + "#actions"


def _preview_again(request, pk, action) -> str:
    return _("The notice preview opens from an action's form on the case page: fill in the form and "
             "click “Preview the notice” again.")


def _preview_error(request, app, message: str, status: int):
    """Why there is nothing to preview, as one of the admin's pages, with the way back to the form."""
    return render(request, "staff/notice_preview_error.html", {
        **admin.site.each_context(request), "title": _("Notice preview"), "app": app, "message": message,
        "case_url": reverse("admin:review_application_change", args=[app.pk]) + "#actions",
    }, status=status)


@staff_member_required
@post_only(_case_page, _preview_again)
def admin_preview(request, pk, action):
    """The notice the admin action form would issue, from the form's data; nothing is saved.

    Offered only to a user who may run that action now on that stage (the same test as the
    button), so a preview never shows what its viewer could not issue.
    """
    app = get_object_or_404(applications_visible_to(request.user).select_related("enterprise"), pk=pk)
    act = ACTIONS_BY_NAME.get(action)
    if act is None:
        raise Http404
    stage = None
    if act.scope == "stage":
        stage = get_object_or_404(Stage.objects.prefetch_related("clock_stops"),
                                  pk=request.POST.get("stage") or 0, application=app)
    if not act.offer(app, stage, request.user):
        raise Http404
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "format")}
    args = {"application": app, "stage": stage, "action": action, "data": data, "today": timezone.localdate()}
    try:
        if request.POST.get("format") == "html":  # the text in the browser, with a button for the PDF
            return render(request, "staff/notice_preview.html",
                          {"notice": service.notice_preview_text(**args), "fields": sorted(data.items())})
        body = service.notice_preview(**args)
    except ApplicationError as exc:
        return _preview_error(request, app, str(exc.message), exc.status)
    return pdf_response(body, f"{app.reference}-preview.pdf", inline=True)
