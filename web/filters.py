"""The case list's filters, shared by the API (query parameters) and the portal (its filter form)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from rest_framework.exceptions import ValidationError as ApiValidationError

from review.models import ClockStop
from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    CLOSED_STATES,
    PHASE_STATES,
    ApplicationType,
    CaseState,
    Category,
    DeviceClass,
    Pathway,
)
from review.selectors_cases import application_search, overdue_q, without_discarded_drafts

ALL = _("All")
# The portal shows it after the field's label: "管理类别：“IV”不是可选项，请从列表中选择。"
CHOICE_ERRORS = {"invalid_choice": _("“%(value)s” is not one of the choices; choose one from the list.")}


class AllYesNoWidget(BooleanWidget):
    """true / false / (blank) as Yes / No / All: "Unknown" reads oddly in a filter."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("Yes")), ("false", _("No"))]

    def value_from_datadict(self, data, files, name):
        """``true`` and ``false`` in lower case only, as everywhere in this API (the service guide's
        flags, docs/api.md); anything else is passed on as typed, for the field to refuse.
        django-filter's widget took ``1``/``0`` and any letter case (``TRUE``) as well, and turned
        every other value into "all", so ``?overdue=maybe`` listed every case."""
        raw = data.get(name)
        return {"true": True, "false": False, "": None, None: None}.get(raw, raw)


class YesNoField(forms.NullBooleanField):
    default_error_messages = {
        "invalid": _("Use true or false (or leave it out for every case); “%(value)s” is neither."),
    }

    def to_python(self, value):
        if value in (True, False, None, ""):
            return None if value == "" else value
        raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})


class YesNoFilter(filters.BooleanFilter):
    field_class = YesNoField


STAGE_OF_CASE = [
    ("intent", _("Intents (drafts)")),
    ("in_progress", _("In progress")),
    ("closed", _("Closed")),
]


class ApplicationFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(
        choices=CaseState.choices, label=_("State"), error_messages=CHOICE_ERRORS,
        help_text="One or more case states (repeat the parameter).")
    progress = filters.ChoiceFilter(
        choices=STAGE_OF_CASE, method="filter_progress", label=_("Progress"), empty_label=ALL,
        error_messages=CHOICE_ERRORS,
        help_text="intent (drafts), in_progress (submitted, not closed) or closed.")
    device_class = filters.ChoiceFilter(choices=DeviceClass.choices, label=_("Device class"), empty_label=ALL,
                                        error_messages=CHOICE_ERRORS)
    category = filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=ALL,
                                    error_messages=CHOICE_ERRORS)
    pathway = filters.ChoiceFilter(choices=Pathway.choices, label=_("Pathway"), empty_label=ALL,
                                   error_messages=CHOICE_ERRORS)
    application_type = filters.ChoiceFilter(choices=ApplicationType.choices, label=_("Application type"),
                                            empty_label=ALL, error_messages=CHOICE_ERRORS)
    overdue = YesNoFilter(
        method="filter_overdue", label=_("Overdue"), widget=AllYesNoWidget,
        help_text="true: a running stage is past its target or statutory date; false: none is.")
    waiting_for_applicant = YesNoFilter(
        method="filter_waiting", label=_("Waiting for the applicant"), widget=AllYesNoWidget,
        help_text="true: a supplement or rectification request is open for the applicant to answer; "
                  "false: none is.")
    district = filters.CharFilter(field_name="enterprise__district", max_length=60, label=_("District"))
    park = filters.CharFilter(field_name="enterprise__park", max_length=100, label=_("Park"))
    q = filters.CharFilter(method="filter_search", max_length=100, label=_("Search"),
                           help_text="Each word must be part of the reference, the product, or the "
                                     "enterprise's name or credit code.")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_waiting(self, queryset, name, value):
        if value is None:
            return queryset
        waiting = Q(Exists(ClockStop.objects.filter(stage__application=OuterRef("pk"), ended_on__isnull=True,
                                                    reason__in=APPLICANT_SIDE_REASONS)))
        return queryset.filter(waiting) if value else queryset.exclude(waiting)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if CaseState.WITHDRAWN in (self.form.cleaned_data.get("state") or []):
            return queryset
        return without_discarded_drafts(queryset)

    def filter_progress(self, queryset, name, value):
        if value == "intent":
            return queryset.filter(state=CaseState.DRAFT)
        if value == "in_progress":
            return queryset.filter(state__in=[*PHASE_STATES, CaseState.SUSPENDED])
        if value == "closed":
            return queryset.filter(state__in=CLOSED_STATES)
        return queryset

    def filter_search(self, queryset, name, value):
        return application_search(queryset, value)


def choices_listed(choices) -> str:
    """``review（审评中）、decision（审批决定）…``: each value a caller may send, with its label."""
    return pgettext("list separator", ", ").join(
        gettext("%(value)s (%(label)s)") % {"value": value, "label": label} for value, label in choices)


class ApiFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, with an unknown choice answered by the values the parameter takes
    (value and label), as docs/api.md promises: an integration cannot "choose from the list" it
    does not see. The portal keeps its shorter message, under a list the user picks from."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {}
            for name, problems in filterset.form.errors.as_data().items():
                choices = getattr(filterset.form.fields.get(name), "choices", None)
                errors[name] = [
                    gettext("“%(value)s” is not one of the choices; use one of: %(choices)s.")
                    % {"value": e.params["value"], "choices": choices_listed(c for c in choices if c[0] != "")}
                    if e.code == "invalid_choice" and choices and e.params else
                    e.message % (e.params or ()) for e in problems]
            raise ApiValidationError(errors)
        return filterset.qs
