"""The public document verification page (/portal/verify/): no login, the same rules and rate
limit as the API (``services.notice_verification``, ``api.verify``).

A QR code on a document opens this page with its number and code in the address: the page
verifies at once and shows the answer under the filled-in form."""

from __future__ import annotations

import math

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from review.exceptions import ApplicationError
from services import notice_verification
from services.notice_verification import read_pdf_upload
from web.throttles import VerifyThrottle


class VerifyCodeForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Document number"), max_length=80,
        help_text=gettext_lazy("As printed under the title, e.g. 渝药监械证〔2026〕0001号; for a certificate "
                               "its certificate number works too."),
        error_messages={"required": gettext_lazy("Enter the document number.")})
    code = forms.CharField(
        label=gettext_lazy("Verification code"), max_length=20,
        help_text=gettext_lazy("12 letters and digits beside the QR code, e.g. 7KQ4-M2XD-9PHT."),
        error_messages={"required": gettext_lazy("Enter the verification code.")})


class VerifyFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The document's PDF"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
        help_text=gettext_lazy("The file as you received it, at most 20 MB. It is checked and not kept."),
        error_messages={"required": gettext_lazy("Choose the PDF file to verify.")})


def _allowed(request) -> int | None:
    """None when the request may go on, else the seconds to wait (rate limit shared with the API)."""
    throttle = VerifyThrottle()
    if throttle.allow_request(request, None):
        return None
    return math.ceil(throttle.wait() or 60)


@require_http_methods(["GET", "POST"])
def verify(request):
    code_form = VerifyCodeForm(request.GET if request.GET else None)
    file_form = VerifyFileForm(request.POST, request.FILES) if request.method == "POST" else VerifyFileForm()
    result, status, not_found, wait = None, 200, False, None
    bound = file_form if request.method == "POST" else code_form if code_form.is_bound else None
    if bound is not None:
        if not bound.is_valid():
            status = 400
        else:
            try:
                data = read_pdf_upload(bound.cleaned_data["file"]) if bound is file_form else None
            except ApplicationError as exc:
                bound.add_error("file", exc.message)
                status = 400
            else:
                wait = _allowed(request)
                if wait is not None:
                    bound.add_error(None, _("Too many verifications from your address. Try again in %(n)d "
                                            "minutes.") % {"n": max(1, math.ceil(wait / 60))})
                    status = 429
                elif data is not None:
                    result = notice_verification.by_file(data)
                else:
                    result = notice_verification.by_code(**bound.cleaned_data)
                    if result is None:
                        not_found, status = True, 404
    response = render(request, "portal/verify.html", {
        "code_form": code_form, "file_form": file_form, "result": result, "not_found": not_found,
        "by_file": bound is file_form}, status=status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response
