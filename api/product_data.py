"""/api/v1/applications/{id}/product-data/: what the certificate will print.

The rules are ``services.product_data``'s; this is the API's edge only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notices.models import ProductData
from review.selectors_cases import application_get
from services import product_data

from .schema import errors


class ProductDataSerializer(serializers.ModelSerializer):
    checked_by = serializers.SerializerMethodField(help_text="Whether a reviewer checked it (never who).")

    class Meta:
        model = ProductData
        fields = [*product_data.FIELDS, "checked_by", "checked_on"]

    def get_checked_by(self, obj) -> bool:
        return obj.checked_by_id is not None


class ProductDataInputSerializer(serializers.Serializer):
    """Every field optional: those left out keep their value; `version` (the application's) gives a
    409 when stale."""

    version = serializers.IntegerField(required=False, min_value=0)

    def get_fields(self):
        fields = super().get_fields()
        for name in product_data.FIELDS:
            model_field = ProductData._meta.get_field(name)
            fields[name] = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True,
                                                 help_text=str(model_field.verbose_name))
        return fields


class ApplicationProductDataApi(APIView):
    """The product data of an application's certificate (registrant's and production addresses,
    agent, models and specifications, structure and composition, intended use, attachments; for a
    licence the legal representative, head and production scope; for a change what changes).
    The applicant sets it with PUT (partial: fields left out keep their value) until the case is
    accepted (then 409); a reviewer checks it in the admin."""

    @extend_schema(operation_id="applications_product_data", responses={200: ProductDataSerializer,
                                                                          **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        data = ProductData.objects.filter(application=app).first() or ProductData(application=app)
        return Response(ProductDataSerializer(data).data)

    @extend_schema(operation_id="applications_product_data_update", request=ProductDataInputSerializer,
                   responses={200: ProductDataSerializer, **errors(400, 401, 403, 404, 409, 415)})
    def put(self, request, id):
        app = application_get(request.user, id)
        serializer = ProductDataInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        data = product_data.product_data_update(application=app, actor=request.user, expected_version=version,
                                                **changes)
        return Response(ProductDataSerializer(data).data)
