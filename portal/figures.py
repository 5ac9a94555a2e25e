"""The industry officers' figures (/portal/dashboard/): the dashboard's numbers for their district."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from kpi.figures import dashboard_data, filter_form
from kpi.selectors import Scope
from review.selectors_cases import is_read_only


@login_required(login_url="portal:login")
def officer_dashboard(request):
    """Industry officers (the Shanghai plan's three-level sharing, docs/regulatory-basis.md#sh-2-2):
    the same figures for the cases of their district (or park), aggregate only: no case list, no
    names."""
    if not is_read_only(request.user) or not request.user.district:
        raise PermissionDenied(_("This page is for industry officers; staff use the dashboard in the admin."))
    form, today = filter_form(request, officer=True)
    if not form.is_valid():
        return render(request, "portal/figures.html", {"form": form}, status=400)
    data = dashboard_data(form.filters(), today=today, scope=Scope(request.user), lists=False)
    return render(request, "portal/figures.html", {**data, "form": form})
