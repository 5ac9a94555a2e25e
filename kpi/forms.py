"""The dashboard's filters: the period and the case attributes, every one optional."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from review.exceptions import InvalidInput
from review.models import Department, Enterprise, Office, PolicyPack
from review.models.enums import ApplicationType, Category, DeviceClass, Pathway
from review.validation import iso_date

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


def default_period(start: dt.date | None, end: dt.date | None, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period when one or both days are left blank: the blank side follows the day given.

    * neither: 1 January of this year to today;
    * start only: to today, or, for a start after today, to the end of the start's year;
    * end only: from 1 January of the end's year.

    Only a start and an end both given can be the wrong way round."""
    if start is None and end is None:
        return dt.date(today.year, 1, 1), today
    if end is None:
        return start, today if start <= today else dt.date(start.year, 12, 31)
    if start is None:
        return dt.date(end.year, 1, 1), end
    return start, end


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
    office = forms.ModelChoiceField(label=_("office"), required=False, queryset=Office.objects.all(),
                                    empty_label=_("All"))

    def __init__(self, data=None, *args, today: dt.date, officer: bool = False, office: int | None = None,
                 **kwargs):
        """``office``: the office the reader works in, whose figures are the only ones they see (staff,
        industry officers); None for the national role, who may choose one or see every office."""
        if data is not None:
            # The period applied is the one shown: an empty date field gets the day the period
            # runs from or to (``default_period``), not an empty box beside figures it governs.
            data = data.copy()
            given = {}
            for name in ("start", "end"):
                try:
                    given[name] = dt.date.fromisoformat(data.get(name) or "")
                except ValueError:
                    given[name] = None  # blank, or an impossible day the field itself reports
            start, end = default_period(given["start"], given["end"], today=today)
            if not data.get("start"):
                data["start"] = start.isoformat()
            if not data.get("end"):
                data["end"] = end.isoformat()
        super().__init__(data, *args, **kwargs)
        self.today = today
        self.office = office
        if office is not None:  # bound to their office: no choice to offer
            del self.fields["office"]
        if officer:  # an industry officer's district is fixed by their account
            del self.fields["district"]
            del self.fields["department"]
        else:
            districts = (Enterprise.objects.exclude(district="").order_by("district")
                         .values_list("district", flat=True).distinct())
            self.fields["district"].choices = ALL + [(d, d) for d in districts]

    def clean(self):
        data = super().clean()
        start, end = default_period(data.get("start"), data.get("end"), today=self.today)
        if start > end:  # only both days given can disagree: a blank one follows the other
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
            office=self.office if self.office is not None else (d["office"].pk if d.get("office") else None),
        )
