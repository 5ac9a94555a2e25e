"""The staff performance dashboard (/dashboard/, the admin's look) and its downloads. The
figures come from kpi.figures, as do the industry officers' (portal) and kpi_report's."""

from __future__ import annotations

import io

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kpi import exports
from kpi.figures import dashboard_data, filter_form
from kpi.selectors import Scope, case_list

PERMISSION = "kpi.view_dashboard"


def _staff_only(request):
    """Anonymous: the admin's sign-in. Staff without the permission: a 403 in the admin's look,
    saying who the dashboard is for, with the way back to the admin (the project's 403 page is
    the enterprise portal's). Everyone else (enterprises, officers): that portal 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if request.user.is_staff and not request.user.has_perm(PERMISSION):
        return render(request, "dashboard/forbidden.html", {
            **admin.site.each_context(request), "title": _("Not permitted"),
            "message": _("The dashboard is for supervisors, directors and staff given its permission."),
        }, status=403)
    if not (request.user.is_staff and request.user.has_perm(PERMISSION)):
        raise PermissionDenied(_("The dashboard is for supervisors, directors and staff given its permission."))
    return None


def dashboard(request):
    refused = _staff_only(request)
    if refused:
        return refused
    form, today = filter_form(request)
    # The admin's own context (user tools: language, password, log out; the sidebar's apps), so
    # the dashboard reads as one of the admin's pages.
    chrome = {**admin.site.each_context(request), "title": _("Performance dashboard")}
    if not form.is_valid():
        return render(request, "dashboard/dashboard.html", {**chrome, "form": form}, status=400)
    scope = Scope(request.user)  # their office's cases; the national reader's, every office's
    data = dashboard_data(form.filters(), today=today, scope=scope)
    query = request.GET.urlencode()
    return render(request, "dashboard/dashboard.html", {
        **chrome, **data, "form": form, "query": query, "scope": scope,
        "csv_tables": [(name, title) for name, title, _h, _r in exports.tables(data)]
        + [("case_list", _("Case list"))],
    })


def export(request, fmt: str):
    refused = _staff_only(request)
    if refused:
        return refused
    form, today = filter_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(str(e) for errs in form.errors.values() for e in errs),
                                      content_type="text/plain; charset=utf-8")
    filters = form.filters()
    stamp = f"{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
    if fmt == "xlsx":
        # Every table in one workbook; the case list (up to every case) is its own workbook, since
        # openpyxl writes about 40,000 cells a second here (docs/benchmarks.md). Each opens with
        # the period and the filters it was made for.
        buf = io.BytesIO()
        about = exports.filters_table(filters, today=today)
        if request.GET.get("table") == "case_list":
            exports.write_xlsx([about, exports.case_list_table(case_list(filters, scope=Scope(request.user)))], buf)
            stamp = f"{exports.FILE_NAMES['case_list']}-{stamp}"
        else:
            data = dashboard_data(filters, today=today, scope=Scope(request.user), urgent_limit=None)
            exports.write_xlsx([about, *exports.tables(data)], buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="kpi-{stamp}.xlsx"'
        return response
    name = request.GET.get("table", "stages")
    if name not in exports.TABLE_NAMES:
        return HttpResponseBadRequest(
            _("table: choose one of %(names)s.") % {"names": ", ".join(exports.TABLE_NAMES)},
            content_type="text/plain; charset=utf-8")
    if name == "case_list":
        table = exports.case_list_table(case_list(filters, scope=Scope(request.user)))
        response = StreamingHttpResponse(_csv_stream(table), content_type="text/csv; charset=utf-8")
    else:
        data = dashboard_data(filters, today=today, scope=Scope(request.user), lists=name == "urgent",
                              urgent_limit=None)
        table = next(t for t in exports.tables(data, include_lists=name == "urgent") if t[0] == name)
        response = HttpResponse(exports.csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-{exports.FILE_NAMES[name]}-{stamp}.csv"'
    return response


def _csv_stream(table):
    import csv

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yield "\ufeff"
    for cells in exports.csv_cells(table):
        yield writer.writerow(cells)
