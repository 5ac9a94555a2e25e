"""The public service guide (办事指南, docs/api.md#the-service-guide-办事指南): no login, 400 naming the parameter."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from review.models.enums import Anchor, ApplicationType, Category, DeviceClass, Pathway, StageKind
from services.guide import JURISDICTIONS, UNIT, guide_profile_from_query, service_guide

from .schema import errors


def _enum(name, values, description, *, required=False, default=None):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=required,
                            enum=list(values), default=default, description=description)


def _flag(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["true", "false"],
                            description=description + " `true` or `false` only.")


class ServiceGuideApi(APIView):
    """The stages a case profile runs through, in route order, with the limits the policy pack in
    force today gives them: the statutory limit (法定办结时限), the target (承诺办结时限) and the
    citation a person can read. Generated from the same routes and packs as the case clocks."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class OutputSerializer(serializers.Serializer):
        class PackSerializer(serializers.Serializer):
            code = serializers.CharField()
            name = serializers.CharField()
            version = serializers.IntegerField()
            effective_from = serializers.DateField()
            reference_total_days = serializers.IntegerField(
                allow_null=True, help_text="A case-level reference figure of the pack (e.g. a reported best "
                                           "case from intent to licence), never split into stages.")
            reference_total_label = serializers.CharField(help_text="What the reference figure measures.")
            effective_until = serializers.DateField(allow_null=True, help_text="Last day in force; null: open.")

        class EndedPackSerializer(serializers.Serializer):
            code = serializers.CharField()
            name = serializers.CharField()
            effective_until = serializers.DateField()

        class StageSerializer(serializers.Serializer):
            kind = serializers.ChoiceField(choices=StageKind.choices)
            name = serializers.CharField(help_text="The stage's name in the caller's language.")
            phase = serializers.IntegerField(help_text="Stages sharing a phase run in parallel.")
            target_days = serializers.IntegerField(allow_null=True, help_text="The target (承诺办结时限).")
            target_is_default = serializers.BooleanField(
                help_text="No law or plan gives this target: a configurable default.")
            statutory_days = serializers.IntegerField(
                allow_null=True, help_text="The statutory limit (法定办结时限); null: none in law.")
            statutory_reference = serializers.BooleanField(
                help_text="The limit runs outside the province (national review): a reference only.")
            baseline_days = serializers.IntegerField(
                allow_null=True, help_text="The plan's previous average the target shortens; not a limit.")
            counted_from = serializers.ChoiceField(choices=Anchor.values)
            unit = serializers.ChoiceField(choices=[UNIT])
            basis = serializers.CharField(help_text="Document and item the numbers come from.")
            applicant_task = serializers.CharField(help_text="What the applicant does at this stage.")

        jurisdiction = serializers.ChoiceField(choices=list(JURISDICTIONS))
        pack = PackSerializer()
        ended_pack = EndedPackSerializer(
            allow_null=True, help_text="The jurisdiction's own pack when its period has ended: ``pack`` is then "
                                       "the national statutory pack that applies instead.")
        route = serializers.CharField(help_text="The route's code.")
        stages = StageSerializer(many=True)

    @extend_schema(
        operation_id="service_guide", auth=[],
        parameters=[
            _enum("jurisdiction", JURISDICTIONS, "Whose policy pack: CN (statutory only), CQ, SH, HZ, LS.",
                  required=True),
            _enum("device_class", DeviceClass.values, "Device class.", required=True),
            _enum("category", Category.values, "Device category.", required=True),
            _enum("application_type", ApplicationType.values, "Application type.", required=True),
            _enum("pathway", Pathway.values, "Review pathway.", default=Pathway.STANDARD),
            _flag("complex_product", "Complex structure or working principle, or many applicable "
                                     "standards (no shortened testing target). Default false."),
            _flag("with_licence", "Production licence applied for in parallel. Default false."),
            _flag("key_project", "Key project (pre-submission service). Default false."),
            _flag("needs_testing", "Registration testing still to do. Default true for first "
                                   "registrations, false otherwise."),
        ],
        responses={200: OutputSerializer, **errors(400, 404)},
    )
    def get(self, request):
        profile = guide_profile_from_query(request.query_params)
        guide = service_guide(today=timezone.localdate(), **profile)
        pack = guide.pack
        return Response({
            "jurisdiction": guide.jurisdiction,
            "pack": {
                "code": pack.code, "name": pack.name, "version": pack.version,
                "effective_from": pack.effective_from.isoformat(),
                "reference_total_days": guide.reference_total_days,
                "reference_total_label": guide.reference_total_label,
                "effective_until": pack.effective_until.isoformat() if pack.effective_until else None,
            },
            "ended_pack": {"code": ended.code, "name": ended.name, "effective_until": ended.effective_until.isoformat()}
            if (ended := guide.ended_pack) else None,
            "route": guide.route_code,
            "stages": [{
                "kind": s.kind, "name": s.name, "phase": s.phase,
                "target_days": s.target_days, "target_is_default": s.target_is_default,
                "statutory_days": s.statutory_days, "statutory_reference": s.statutory_reference,
                "baseline_days": s.baseline_days, "counted_from": s.counted_from,
                "unit": s.unit, "basis": s.basis, "applicant_task": s.applicant_task,
            } for s in guide.stages],
        })
