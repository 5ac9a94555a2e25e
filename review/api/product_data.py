"""/api/v1/applications/{id}/product-data/: what the certificate will print (issue 18).

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


class ApplicationProductDataApi(APIView):
    """The product data of an application's certificate (registrant's and production addresses,
    agent, models and specifications, structure and composition, intended use, attachments; for a
    licence the legal representative, head and production scope; for a change what changes).
    The applicant sets it with PUT (partial: fields left out keep their value) until the case is
    accepted (then 409); a reviewer checks it in the admin."""

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(required=False, help_text="The application's version (409 if stale).")

    @extend_schema(operation_id="applications_product_data", responses={200: ProductDataSerializer,
                                                                          **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        data = ProductData.objects.filter(application=app).first() or ProductData(application=app)
        return Response(ProductDataSerializer(data).data)

    @extend_schema(operation_id="applications_product_data_update", request=ProductDataSerializer,
                   responses={200: ProductDataSerializer, **errors(400, 401, 403, 404, 409)})
    def put(self, request, id):
        app = application_get(request.user, id)
        version = request.data.get("version")
        changes = {k: request.data[k] for k in product_data.FIELDS if k in request.data}
        unknown = sorted(set(request.data) - set(product_data.FIELDS) - {"version", "checked_by", "checked_on"})
        if unknown:
            changes[unknown[0]] = request.data[unknown[0]]  # the service names it
        data = product_data.product_data_update(
            application=app, actor=request.user,
            expected_version=int(version) if str(version or "").isdigit() else None, **changes)
        return Response(ProductDataSerializer(data).data)
