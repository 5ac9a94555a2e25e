"""Registering a new intent (意向登记) through the API: a draft application of the caller's enterprise."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from review.exceptions import PermissionDenied
from review.models.enums import ApplicationType, Category, DeviceClass, Pathway
from services import workflow

from .applications import ApplicationDetailApi, detail_data
from .schema import errors


class IntentCreateApi(APIView):
    """Register an intent as a draft application of your enterprise.

    It is submitted later with `POST /api/v1/applications/{id}/actions/submit/` (body
    `{"version": <version>}`), which builds its stages and starts the first clock.
    """

    class InputSerializer(serializers.Serializer):
        product_name = serializers.CharField(max_length=200)
        device_class = serializers.ChoiceField(choices=DeviceClass.choices)
        category = serializers.ChoiceField(choices=Category.choices)
        application_type = serializers.ChoiceField(choices=ApplicationType.choices)
        pathway = serializers.ChoiceField(choices=Pathway.choices, default=Pathway.STANDARD)
        complex_product = serializers.BooleanField(default=False)
        key_project = serializers.BooleanField(default=False, help_text="Pre-submission service.")
        needs_testing = serializers.BooleanField(default=False)
        with_production_licence = serializers.BooleanField(default=False)
        qms_on_change = serializers.BooleanField(default=False)

    @extend_schema(operation_id="intents_create", request=InputSerializer,
                   responses={201: ApplicationDetailApi.OutputSerializer, **errors(400, 401, 403, 415)})
    def post(self, request):
        user = request.user
        if not user.enterprise_id:
            raise PermissionDenied(_("Intents are registered by an enterprise's registration officer; "
                                     "staff register paper intents in the admin."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        app = workflow.application_create(enterprise=user.enterprise, actor=user, **serializer.validated_data)
        return Response(detail_data(request, app.pk),
                        status=status.HTTP_201_CREATED)
