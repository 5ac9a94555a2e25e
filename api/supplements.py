"""Supplement requests and the applicant's answers with documents; document downloads."""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from review.selectors_cases import MAX_ID, application_get, case_supplements, document_get, supplement_get
from services import documents
from web.downloads import document_response

from .applications import ID_PARAM
from .schema import errors

logger = logging.getLogger(__name__)


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField(help_text="What the file's bytes are (checked on upload).")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="Download (the same visibility rules apply).")


class SupplementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField(help_text="supplement, missing_items or rectification.")
    reason_display = serializers.CharField()
    stage = inline_serializer("SupplementStageOutput", {
        "id": serializers.IntegerField(), "kind": serializers.CharField(),
        "kind_display": serializers.CharField(),
        "version": serializers.IntegerField(help_text="Send as `version` with the answer.")})
    items = serializers.ListField(child=serializers.CharField(), help_text="Everything to provide.")
    note = serializers.CharField(allow_blank=True)
    requested_on = serializers.DateField()
    deadline = serializers.DateField(allow_null=True, help_text="Answer by this day (Order 47 Art. 54: one year).")
    days_left = serializers.IntegerField(allow_null=True, help_text="Calendar days to the deadline while open.")
    answered_on = serializers.DateField(allow_null=True, help_text="The day the answer closed the request; null "
                                                                   "while open or when it ended unanswered.")
    ended_on = serializers.DateField(allow_null=True, help_text="The day the request closed, answered or not.")
    outcome = serializers.CharField(help_text="open, answered, lapsed (the deadline passed unanswered: refusal "
                                              "or failed verification) or closed (unanswered, with the case).")
    response = serializers.CharField(allow_blank=True)
    documents = DocumentOutput(many=True)
    answer_url = serializers.URLField(allow_null=True, help_text="POST the answer here while it is open.")


def supplement_dict(request, stop) -> dict:
    today = timezone.localdate()
    app_pk = stop.stage.application_id
    is_open = stop.ended_on is None
    return {
        "id": stop.pk, "reason": stop.reason, "reason_display": stop.get_reason_display(),
        "stage": {"id": stop.stage_id, "kind": stop.stage.kind, "kind_display": stop.stage.get_kind_display(),
                  "version": stop.stage.version},
        "items": [str(i) for i in stop.items or []], "note": stop.note,
        "requested_on": stop.started_on, "deadline": stop.applicant_deadline,
        "days_left": (stop.applicant_deadline - today).days if is_open and stop.applicant_deadline else None,
        "answered_on": stop.answered_on, "ended_on": stop.ended_on, "outcome": stop.outcome,
        "response": stop.response,
        "documents": [{
            "id": d.pk, "original_name": d.original_name, "content_type": d.content_type, "size": d.size,
            "sha256": d.sha256, "uploaded_at": d.uploaded_at,
            "url": request.build_absolute_uri(reverse("api-document-download", args=[d.pk])),
        } for d in stop.documents.all()],
        "answer_url": request.build_absolute_uri(
            reverse("api-supplement-answer", args=[app_pk, stop.pk])) if is_open else None,
    }


class SupplementListApi(APIView):
    """The requests an application's applicant must answer or has answered (supplement 补正,
    missing items 一次性告知, rectification), newest first, with the documents sent."""

    class OutputSerializer(SupplementOutput):
        pass

    @extend_schema(operation_id="applications_supplements_list", parameters=[ID_PARAM],
                   responses={200: OutputSerializer(many=True), **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        stops = case_supplements(app, request.user)
        return Response(self.OutputSerializer([supplement_dict(request, s) for s in stops],
                                              many=True).data)


class SupplementAnswerApi(APIView):
    """Answer a request in one submission: a description and the documents (multipart/form-data).

    The stage's clock restarts at once (after a supplement with the fresh after-supplement budget,
    Order 47 Art. 92) and the reviewer sees the answer and the documents in the case's log.
    Accepted: PDF, JPEG, PNG, TIFF, Word, Excel and PowerPoint (.docx/.xlsx/.pptx and 97-2003),
    OpenDocument and zip; each file is checked by its content (magic bytes), not only its name,
    and may be at most SUPPLEMENT_MAX_FILE_BYTES (20 MB by default).
    """

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=0, max_value=MAX_ID,
                                           help_text="The stage's version (`stage.version`).")
        response = serializers.CharField(max_length=10_000, help_text="What is supplied, item by item.")
        files = serializers.ListField(child=serializers.FileField(allow_empty_file=True, use_url=False),
                                      help_text="The documents (repeat the field for each file).")

    class OutputSerializer(SupplementOutput):
        pass

    @extend_schema(operation_id="applications_supplements_answer",
                   parameters=[ID_PARAM, OpenApiParameter("stop_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                                          description="The request's id.")],
                   request={"multipart/form-data": InputSerializer},
                   responses={201: OutputSerializer, **errors(400, 401, 403, 404, 409, 415)})
    def post(self, request, id, stop_id):
        stop = supplement_get(request.user, id, stop_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        documents.supplement_answer(clock_stop=stop, actor=request.user, response=data["response"],
                                    files=data["files"], expected_version=data["version"])
        stop = supplement_get(request.user, id, stop_id)
        return Response(self.OutputSerializer(supplement_dict(request, stop)).data, status=status.HTTP_201_CREATED)


class DocumentDownloadApi(APIView):
    """One document of a visible case, as an attachment with the type its bytes were found to be."""

    @extend_schema(operation_id="documents_download",
                   parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                                description="The document's id.")],
                   responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
                              **errors(401, 404)})
    def get(self, request, id):
        return document_response(document_get(request.user, id))
