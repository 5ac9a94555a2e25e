"""The dashboard's filters: the period and the case attributes, every one optional."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from review.models import Department, Enterprise, PolicyPack
from review.models.enums import ApplicationType, Category, DeviceClass, Pathway
from services.exceptions import InvalidInput
from services.validation import iso_date

from .selectors import KpiFilters

ALL = [("", _("All"))]


class DayField(forms.DateField):
    """A period bound from the date picker or a hand-edited address: an impossible day
    (2026-02-30) says so and names the field, instead of Django's bare "enter a valid date"
    (the export answers with the text alone, away from the form)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, dt.date):
            return super().to_python(value)
        try:
            return iso_date(value, field="", label=self.label)
        except InvalidInput as exc:
            raise ValidationError(str(exc.message), code="invalid") from None


class KpiFilterForm(forms.Form):
    start = DayField(label=_("Period start"), required=False)
    end = DayField(label=_("Period end"), required=False)
    device_class = forms.ChoiceField(label=_("device class"), required=False, choices=ALL + DeviceClass.choices)
    category = forms.ChoiceField(label=_("category"), required=False, choices=ALL + Category.choices)
    pathway = forms.ChoiceField(label=_("pathway"), required=False, choices=ALL + Pathway.choices)
    application_type = forms.ChoiceField(label=_("application type"), required=False,
                                         choices=ALL + ApplicationType.choices)
    department = forms.ModelChoiceField(label=_("department"), required=False,
                                        queryset=Department.objects.all(), empty_label=_("All"))
    district = forms.ChoiceField(label=_("district"), required=False)
    policy_pack = forms.ModelChoiceField(label=_("policy pack"), required=False,
                                         queryset=PolicyPack.objects.all(), empty_label=_("All"))

    def __init__(self, data=None, *args, today: dt.date, officer: bool = False, **kwargs):
        if data is not None:
            # The period applied is the one shown: an empty date field gets the default period's
            # date (1 January of this year, today), not an empty box beside figures it governs.
            data = data.copy()
            data["start"] = data.get("start") or dt.date(today.year, 1, 1).isoformat()
            data["end"] = data.get("end") or today.isoformat()
        super().__init__(data, *args, **kwargs)
        self.today = today
        if officer:  # an industry officer's district is fixed by their account
            del self.fields["district"]
            del self.fields["department"]
        else:
            districts = (Enterprise.objects.exclude(district="").order_by("district")
                         .values_list("district", flat=True).distinct())
            self.fields["district"].choices = ALL + [(d, d) for d in districts]

    def clean(self):
        data = super().clean()
        start = data.get("start") or dt.date(self.today.year, 1, 1)
        end = data.get("end") or self.today
        if start > end:
            self.add_error("start", _("Period start: choose a day on or before the period end."))
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> KpiFilters:
        d = self.cleaned_data
        return KpiFilters(
            start=d["start"], end=d["end"], device_class=d.get("device_class", ""),
            category=d.get("category", ""), pathway=d.get("pathway", ""),
            application_type=d.get("application_type", ""),
            department=d["department"].pk if d.get("department") else None,
            district=d.get("district", "") or "",
            policy_pack=d["policy_pack"].pk if d.get("policy_pack") else None,
        )
