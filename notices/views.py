"""Notice downloads (portal and API) and the staff preview of the notice an action would issue."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notices.selectors import case_notices, notice_get
from review.api.applications import ID_PARAM
from review.api.schema import errors
from review.models import Stage
from review.post_only import post_only
from review.selectors import applications_visible_to
from review.selectors_cases import application_get
from services import notices as service
from services.actions import ACTIONS_BY_NAME
from services.exceptions import ApplicationError, NotFound


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def portal_download(request, pk):
    """Portal: a notice of a visible case (login required by the URL's decorator)."""
    try:
        notice = notice_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from None
    return pdf_response(notice.pdf, notice.filename, inline=request.GET.get("view") == "1")


class NoticeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="acceptance, missing_items, supplement, rectification, refusal, approval.")
    kind_display = serializers.CharField()
    title = serializers.CharField(help_text="The document's title as printed (Chinese).")
    number = serializers.CharField(help_text="The document number.")
    issued_on = serializers.DateField()
    sha256 = serializers.CharField(help_text="SHA-256 of the PDF: an issued notice never changes.")
    corrects = serializers.CharField(allow_null=True, help_text="Number of the notice this one corrects.")
    url = serializers.URLField(help_text="The PDF (the same visibility rules apply).")


def notice_dict(request, n) -> dict:
    from django.urls import reverse

    return {"id": n.pk, "kind": n.kind, "kind_display": n.get_kind_display(), "title": n.title,
            "number": n.number, "issued_on": n.issued_on, "sha256": n.sha256,
            "corrects": n.corrects.number if n.corrects_id else None,
            "url": request.build_absolute_uri(reverse("api-notice-download", args=[n.pk]))}


class ApplicationNoticeListApi(APIView):
    """The official notices issued on an application, oldest first."""

    class OutputSerializer(NoticeOutput):
        pass

    @extend_schema(operation_id="applications_notices_list", parameters=[ID_PARAM],
                   responses={200: OutputSerializer(many=True), **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        return Response(self.OutputSerializer([notice_dict(request, n) for n in case_notices(app, request.user)],
                                              many=True).data)


class NoticeDownloadApi(APIView):
    """One notice's PDF, if its case is visible to the caller."""

    @extend_schema(operation_id="notices_download",
                   parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                                description="The notice's id.")],
                   responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
                              **errors(401, 404)})
    def get(self, request, id):
        notice = notice_get(request.user, id)
        return pdf_response(notice.pdf, notice.filename)


def _case_page(request, pk, action) -> str:
    get_object_or_404(applications_visible_to(request.user), pk=pk)
    return reverse("admin:review_application_change", args=[pk]) + "#actions"


def _preview_again(request, pk, action) -> str:
    return _("The notice preview opens from an action's form on the case page: fill in the form and "
             "click “Preview the notice” again.")


def _preview_error(request, app, message: str, status: int):
    """Why there is nothing to preview, as one of the admin's pages, with the way back to the form."""
    from django.contrib import admin

    return render(request, "notices/preview_error.html", {
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
            return render(request, "notices/preview.html",
                          {"notice": service.notice_preview_text(**args), "fields": sorted(data.items())})
        body = service.notice_preview(**args)
    except ApplicationError as exc:
        return _preview_error(request, app, str(exc.message), exc.status)
    return pdf_response(body, f"{app.reference}-preview.pdf", inline=True)
