"""The public calendar endpoints (docs/calendar.md#how-working-days-are-counted): no login, 400 naming the parameter."""

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from review.exceptions import InvalidInput
from review.selectors import calendar_current

from .schema import errors

MAX_DAYS = 10_000  # ~40 years of working days: beyond any limit the law knows, inside the span


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        field, errors = next(iter(serializer.errors.items()))
        raise InvalidInput(f"{field}: {errors[0]}", {"field": field, "errors": serializer.errors})
    return serializer.validated_data


def _span_check(cal, **days: date) -> None:
    for name, d in days.items():
        if not (cal.first_day <= d <= cal.last_day):
            raise InvalidInput(
                _("%(field)s: the calendar covers %(a)s to %(b)s; choose a date inside it.")
                % {"field": name, "a": cal.first_day, "b": cal.last_day}, {"field": name})


class CalendarAddWorkingDaysApi(APIView):
    """The N-th working day after ``start`` (the start day is not counted)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(input_formats=["%Y-%m-%d"])
        days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS)

    @extend_schema(
        operation_id="calendar_add_working_days", auth=[], parameters=[InputSerializer],
        responses={200: inline_serializer("CalendarAddWorkingDaysOutput", {
            "start": serializers.DateField(), "days": serializers.IntegerField(),
            "due": serializers.DateField(help_text="The N-th working day after start (start when N is 0)."),
            "provisional": serializers.BooleanField(
                help_text="A year in between has no official schedule yet: the date may move.")}),
            **errors(400)})
    def get(self, request):
        data = _parse(self.InputSerializer, request)
        cal = calendar_current()
        _span_check(cal, start=data["start"])
        try:
            due = cal.add_working_days(data["start"], data["days"])
        except ValueError:
            raise InvalidInput(
                _("days: the due date falls after %(b)s, the calendar's last day; use fewer days.")
                % {"b": cal.last_day}, {"field": "days"}) from None
        return Response({
            "start": data["start"].isoformat(),
            "days": data["days"],
            "due": due.isoformat(),
            "provisional": cal.provisional_between(data["start"], due),
        })


class CalendarWorkingDaysApi(APIView):
    """The number of working days in (start, end]."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(input_formats=["%Y-%m-%d"])
        end = serializers.DateField(input_formats=["%Y-%m-%d"])

        def validate(self, attrs):
            if attrs["end"] < attrs["start"]:
                raise serializers.ValidationError({"end": _("end must be on or after start.")})
            return attrs

    @extend_schema(
        operation_id="calendar_working_days", auth=[], parameters=[InputSerializer],
        responses={200: inline_serializer("CalendarWorkingDaysOutput", {
            "start": serializers.DateField(), "end": serializers.DateField(),
            "working_days": serializers.IntegerField(help_text="Working days in (start, end]."),
            "provisional": serializers.BooleanField()}),
            **errors(400)})
    def get(self, request):
        data = _parse(self.InputSerializer, request)
        cal = calendar_current()
        _span_check(cal, start=data["start"], end=data["end"])
        return Response({
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "working_days": cal.working_days_between(data["start"], data["end"]),
            "provisional": cal.provisional_between(data["start"], data["end"]),
        })
