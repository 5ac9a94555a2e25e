"""/api/v1/notices/verify/: public verification of an issued document (no login, rate-limited).

The rules are ``services.notice_verification``'s; this is the API's edge only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from review.exceptions import InvalidInput, NotFound
from services import notice_verification
from services.notice_verification import read_pdf_upload
from web.throttles import VerifyThrottle

from .schema import errors


def not_found() -> NotFound:
    return NotFound(_("No document matches this number and verification code. Check both: they are printed "
                      "beside the QR code at the end of the document."))


class DocumentSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    number = serializers.CharField(help_text="The document's number (文书编号).")
    kind = serializers.CharField(help_text="acceptance, missing_items, supplement, rectification, refusal, "
                                           "approval, certificate, change_document or licence.")
    title = serializers.CharField()
    reference = serializers.CharField(help_text="The case's acceptance number.")
    product_name = serializers.CharField()
    issued_on = serializers.DateField()
    issuer = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the issued PDF, hex.")
    superseded_by = serializers.CharField(allow_null=True,
                                          help_text="The number of the document that replaced this one, or null.")


class VerifyFileResultSerializer(serializers.Serializer):
    """Valid: `valid` true and the document's fields. Not valid: `valid` false and `reason` only."""

    valid = serializers.BooleanField()
    reason = serializers.CharField(required=False, help_text="Why not valid (only when `valid` is false).")

    def get_fields(self):
        fields = super().get_fields()
        for name, field in DocumentSerializer().get_fields().items():
            if name != "valid":
                field.required = False
                fields[name] = field
        return fields


class NoticeVerifyApi(APIView):
    """Verify an official document: GET with its number and verification code, or POST the PDF.

    A wrong code and an unknown number get the same 404. A POSTed file is valid only if it is,
    byte for byte, a document this office issued and its signature validates; otherwise the
    answer is `{"valid": false, "reason": "..."}` (reason in Chinese, as the documents are)."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []  # checked after the input, as the look-up does: a typo costs nothing
    parser_classes = [MultiPartParser, FormParser]

    def _throttle(self, request):
        throttle = VerifyThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())

    @extend_schema(
        operation_id="notices_verify", auth=[],
        parameters=[
            OpenApiParameter("number", OpenApiTypes.STR, required=True,
                             description="The document number (文书编号); for a certificate or licence its "
                                         "certificate (licence) number is accepted too."),
            OpenApiParameter("code", OpenApiTypes.STR, required=True,
                             description="The verification code printed beside the QR code (XXXX-XXXX-XXXX; "
                                         "case and dashes do not matter)."),
        ],
        responses={200: DocumentSerializer, **errors(400, 404, 429)},
    )
    def get(self, request):
        number = request.query_params.get("number", "").strip()
        code = request.query_params.get("code", "").strip()
        if not number:
            raise InvalidInput(_("number: enter the document number."), {"field": "number"})
        if not code:
            raise InvalidInput(_("code: enter the verification code printed beside the QR code."),
                               {"field": "code"})
        self._throttle(request)
        result = notice_verification.by_code(number=number, code=code)
        if result is None:
            raise not_found()
        return Response(DocumentSerializer(result).data)

    @extend_schema(
        operation_id="notices_verify_file", auth=[],
        request={"multipart/form-data": inline_serializer(
            "NoticeVerifyFile", {"file": serializers.FileField(help_text="The PDF, at most 20 MB.")})},
        responses={200: VerifyFileResultSerializer, **errors(400, 429)},
    )
    def post(self, request):
        data = read_pdf_upload(request.FILES.get("file"))
        self._throttle(request)
        result = notice_verification.by_file(data)
        return Response(DocumentSerializer(result).data if result["valid"] else result)
