"""GET /api/v1/lookup/: the public progress look-up (no login, rate-limited per client)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clock.sla import LATE_LEVELS
from forecast.selectors import case_forecast
from review.exceptions import InvalidInput, NotFound
from review.selectors_lookup import application_lookup
from web.throttles import LookupThrottle

from .schema import errors


def not_found() -> NotFound:
    return NotFound(_("No application matches this acceptance number and credit code. Check both: they "
                      "are printed on the acceptance notice."))


class LookupApi(APIView):
    """Progress of one application by its acceptance number and the applicant's unified social
    credit code (办件查询). Milestones only: stage names, states and dates (a running stage past its
    date marked ``late``), the current step and the next date still ahead; nothing internal. A
    wrong pair gets the same 404 as a number that does not exist."""

    authentication_classes = []
    permission_classes = []
    # Checked in ``get``, after the input: only a well-formed look-up counts (as on the page).
    throttle_classes = []

    class OutputSerializer(serializers.Serializer):
        class MilestoneSerializer(serializers.Serializer):
            kind = serializers.CharField()
            name = serializers.CharField()
            state = serializers.CharField()
            state_display = serializers.CharField()
            started_on = serializers.DateField(allow_null=True)
            finished_on = serializers.DateField(allow_null=True)
            due = serializers.DateField(allow_null=True, help_text="Target date of a running stage (its "
                                                                  "statutory limit when it has no target).")
            late = serializers.ChoiceField(
                choices=LATE_LEVELS, allow_null=True,
                help_text="A running stage past its date: `overdue` (target passed), `breach` (statutory "
                          "limit passed), else null. A passed `due` is never the `next_date`.")

        reference = serializers.CharField()
        product_name = serializers.CharField()
        office = serializers.CharField(help_text="The office handling the case (its issuing name).")
        state = serializers.CharField()
        state_display = serializers.CharField()
        submitted_on = serializers.DateField(allow_null=True)
        accepted_on = serializers.DateField(allow_null=True)
        closed_on = serializers.DateField(allow_null=True)
        current_step = serializers.CharField()
        next_date = serializers.DateField(
            allow_null=True, help_text="The nearest target or statutory date of a running stage still ahead "
                                       "(today or later), as on the portal's case page; null when none is.")
        provisional = serializers.BooleanField(help_text="The next date falls in a year whose official "
                                                         "calendar is not published yet.")
        milestones = MilestoneSerializer(many=True)
        late = serializers.ChoiceField(choices=LATE_LEVELS, allow_null=True,
                                       help_text="The worst of the milestones' `late`.")

    @extend_schema(
        operation_id="lookup", auth=[],
        parameters=[
            OpenApiParameter("reference", OpenApiTypes.STR, required=True,
                             description="The acceptance number (受理号)."),
            OpenApiParameter("credit_code", OpenApiTypes.STR, required=True,
                             description="The applicant's 18-character unified social credit code."),
        ],
        responses={200: OutputSerializer, **errors(400, 404, 429, 503)},
    )
    def get(self, request):
        reference = request.query_params.get("reference", "")
        credit_code = request.query_params.get("credit_code", "")
        if not reference.strip():
            raise InvalidInput(_("reference: enter the acceptance number."), {"field": "reference"})
        if not credit_code.strip():
            raise InvalidInput(_("credit_code: enter the applicant's unified social credit code."),
                               {"field": "credit_code"})
        if len(credit_code.strip()) != 18:
            raise InvalidInput(_("credit_code: the unified social credit code has 18 characters; you entered "
                                 "%(n)d.") % {"n": len(credit_code.strip())}, {"field": "credit_code"})
        throttle = LookupThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        result = application_lookup(reference=reference, credit_code=credit_code, forecast=case_forecast)
        if result is None:
            raise not_found()
        return Response(self.OutputSerializer(result).data)
