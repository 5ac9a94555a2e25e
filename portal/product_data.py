"""The applicant's form for what the certificate will print (docs/notices.md; rules in services.product_data)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notices.models import ProductData
from review import permissions as perms
from review.exceptions import ApplicationError, NotFound
from review.selectors_cases import application_get
from services import product_data


class ProductDataForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ProductData
        fields = list(product_data.FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("models_specs", "structure", "intended_use", "production_scope", "change_description")}


@login_required
@require_http_methods(["GET", "POST"])
def product_data_edit(request, pk):
    """The owner edits it until the case is accepted; afterwards the page shows it read-only."""
    try:
        app = application_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from None
    if not perms.is_owner(app, request.user):
        raise PermissionDenied
    current = ProductData.objects.filter(application=app).first() or ProductData(application=app)
    editable = app.accepted_on is None
    form = ProductDataForm(request.POST if request.method == "POST" else None, instance=current,
                           initial={"version": app.version})
    if request.method == "POST" and editable and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in product_data.FIELDS}
        try:
            product_data.product_data_update(application=app, actor=request.user,
                                             expected_version=form.cleaned_data["version"], **changes)
        except ApplicationError as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Product data of %(ref)s saved: the certificate will print it.")
                             % {"ref": app.reference})
            return HttpResponseRedirect(reverse("portal:application", args=[app.pk]))
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "portal/product_data_form.html",
                  {"form": form, "app": app, "editable": editable, "checked": current.checked_on},
                  status=400 if request.method == "POST" else 200)
