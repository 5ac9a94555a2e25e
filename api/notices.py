"""The official notices of an application and their PDFs (API)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notices.selectors import case_notices, notice_get
from review.selectors_cases import application_get
from web.downloads import pdf_response

from .applications import ID_PARAM
from .schema import errors


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
