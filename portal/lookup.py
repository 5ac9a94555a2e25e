"""The public progress look-up page (办件查询): no login, the same selector and rate limit as the API."""

from __future__ import annotations

import math

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from forecast.selectors import case_forecast
from review import replica
from review.selectors_lookup import application_lookup
from web.throttles import LimitUnavailable, LookupThrottle

# Django's own length messages read "ensure this value has at least 18 characters (it has 6)".
CREDIT_CODE_LENGTH = gettext_lazy("The unified social credit code has 18 characters; you entered %(show_value)d.")


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Acceptance number"), max_length=30,
        error_messages={
            "required": gettext_lazy("Enter the acceptance number."),
            "max_length": gettext_lazy("An acceptance number has at most 30 characters; you entered "
                                       "%(show_value)d."),
        },
        help_text=gettext_lazy("As printed on the acceptance notice (受理通知书)."))
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code of the applicant"), min_length=18, max_length=18,
        help_text=gettext_lazy("18 characters, as printed on the business licence."),
        error_messages={
            "required": gettext_lazy("Enter the applicant's unified social credit code."),
            "min_length": CREDIT_CODE_LENGTH, "max_length": CREDIT_CODE_LENGTH,
        })


@require_http_methods(["GET", "POST"])
def lookup(request):
    """GET shows the empty form; POST (with the CSRF token) looks up and shows the result on the
    same page. A POST, so that the credit code never travels in the address: not in the browser's
    history, a proxy's or the server's access log, or a ``Referer`` sent onwards. Query
    parameters on a GET are dropped for the same reason: an old bookmark is redirected to the
    bare address and shows the empty form (the page would otherwise repeat them in its links).

    Only a well-formed look-up counts towards ``LOOKUP_RATE`` (shared with the API): the limit is
    there against enumerating acceptance numbers and credit codes, which needs queries; a form with
    a field missing or a credit code of the wrong length is answered without touching the
    database, so a typing mistake does not use up someone's allowance."""
    if request.method == "GET" and request.GET:
        return redirect(request.path)
    form = LookupForm(request.POST if request.method == "POST" else None)
    result, status, not_found, wait = None, 200, False, None
    if form.is_bound:
        if not form.is_valid():
            status = 400
        else:
            throttle = LookupThrottle()
            try:
                allowed = throttle.allow_request(request, None)
            except LimitUnavailable as exc:  # the cache is down: this limit fails closed
                form.add_error(None, str(exc.detail))
                status = 503
            else:
                if not allowed:
                    wait = math.ceil(throttle.wait() or 60)
                    form.add_error(None, _("Too many look-ups from your address. Try again in %(n)d minutes.")
                                   % {"n": max(1, math.ceil(wait / 60))})
                    status = 429
                else:
                    with replica.reading():
                        result = application_lookup(**form.cleaned_data, forecast=case_forecast)
                    if result is None:
                        not_found, status = True, 404
    response = render(request, "portal/lookup.html",
                      {"form": form, "result": result, "not_found": not_found}, status=status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response
