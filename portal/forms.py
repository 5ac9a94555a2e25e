"""Portal forms: input shape only; the services validate the domain rules and name the field."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from review.models.enums import ApplicationType, Category, DeviceClass, Pathway
from review.validators import validate_single_line
from services.filetypes import ALLOWED_EXTENSIONS


class LoginForm(AuthenticationForm):
    """Django's sign-in form with autocomplete hints for password managers and phones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class IntentForm(forms.Form):
    product_name = forms.CharField(
        label=_("Product name"), max_length=200, validators=[validate_single_line],
        help_text=_("As it will appear on the registration certificate."))
    device_class = forms.ChoiceField(label=_("Device class"), choices=DeviceClass.choices,
                                     widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, widget=forms.RadioSelect)
    application_type = forms.ChoiceField(label=_("Application type"), choices=ApplicationType.choices)
    pathway = forms.ChoiceField(label=_("Pathway"), choices=Pathway.choices, initial=Pathway.STANDARD)
    complex_product = forms.BooleanField(
        label=_("Complex product"), required=False,
        help_text=_("Complex structure or working principle, or many applicable standards."))
    key_project = forms.BooleanField(label=_("Key project (pre-submission service)"), required=False)
    needs_testing = forms.BooleanField(label=_("Registration testing by the testing centre"), required=False)
    with_production_licence = forms.BooleanField(
        label=_("Production licence in parallel"), required=False,
        help_text=_("Registration and production licence reviewed together, with one merged inspection."))
    qms_on_change = forms.BooleanField(label=_("The change touches the quality system"), required=False)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); checked by services.documents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            if not data and self.required:  # no file chosen: the widget gives [], which no item checks
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SupplementAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000,
        help_text=_("Describe what you supply, item by item, in the order of the request."),
        error_messages={"required": _("Describe what you supply, item by item.")})
    files = MultipleFileField(
        label=_("Documents"),
        error_messages={"required": _("Attach the documents that answer the request: at least one file.")},
        help_text=_("PDF, images (JPEG, PNG, TIFF), Word, Excel, PowerPoint, OpenDocument or zip; "
                    "up to %(mb)d MB each. Several files can be chosen at once."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, max_mb: int = 20, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {"mb": max_mb}


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class Checkbox(forms.CheckboxInput):
    """A checkbox that submits ``true``, so the page's query string is the API's (true/false only).
    Named so that its ``widget_type`` stays "checkbox" for the field template."""

    def __init__(self):
        super().__init__(attrs={"value": "true"})


class GuideForm(forms.Form):
    """The service guide's case profile (a GET form; the service checks every value)."""

    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"))
    device_class = forms.ChoiceField(label=_("Device class"), choices=DeviceClass.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    application_type = forms.ChoiceField(label=_("Application type"), choices=ApplicationType.choices)
    pathway = forms.ChoiceField(label=_("Pathway"), choices=Pathway.choices)
    complex_product = forms.BooleanField(
        label=_("Complex product"), required=False, widget=Checkbox(),
        help_text=_("Complex structure or working principle, or many applicable standards."))
    key_project = forms.BooleanField(label=_("Key project (pre-submission service)"), required=False,
                                     widget=Checkbox())
    needs_testing = forms.BooleanField(label=_("Registration testing by the testing centre"), required=False,
                                       widget=Checkbox())
    with_licence = forms.BooleanField(
        label=_("Production licence in parallel"), required=False, widget=Checkbox(),
        help_text=_("Registration and production licence reviewed together, with one merged inspection."))

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = list(jurisdictions.items())


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=_("Why do you withdraw?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
