"""The dashboard for staff (/dashboard/, the admin's look) and for industry officers (the portal:
their district's cases, aggregate figures only), and its downloads."""

from __future__ import annotations

import io

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from review.selectors import calendar_current
from review.selectors_cases import is_read_only

from . import charts, exports
from .forms import KpiFilterForm
from .selectors import (
    STATE_LABELS,
    URGENT_LIMIT,
    WORKLOAD_STATES,
    Scope,
    applicant_waits,
    case_figures,
    case_list,
    period_months,
    stage_table,
    trend,
    urgent_stages,
    workload,
)

PERMISSION = "kpi.view_dashboard"
# The deadline states by one name each, the same in the list, the workload chart and the downloads
# (selectors.WORKLOAD_STATES): 已超法定时限, 已超目标时限, 临近法定时限, 临近目标时限.
URGENCY_LABELS = {0: STATE_LABELS["breach"], 1: STATE_LABELS["overdue"],
                  2: STATE_LABELS["statutory_near"], 3: STATE_LABELS["due_soon"]}


def dashboard_data(filters, *, today, scope: Scope, lists: bool = True,
                   urgent_limit: int | None = URGENT_LIMIT) -> dict:
    """Every figure of the page. ``urgent_limit``: how many of the overdue and due-soon stages to
    list (the page shows the most urgent; the downloads pass ``None`` and hold every one)."""
    cal = calendar_current()
    data = {
        "filters": filters, "today": today,
        "stages": stage_table(filters, today=today, scope=scope),
        "cases": case_figures(filters, scope=scope),
        "trend": trend(filters, scope=scope),
        "workload": workload(filters, today=today, cal=cal, scope=scope),
        "workload_states": WORKLOAD_STATES,
        "applicant": applicant_waits(filters, today=today, scope=scope),
        "urgency_labels": {k: str(v) for k, v in URGENCY_LABELS.items()},
    }
    if lists:
        urgent, urgent_total = urgent_stages(filters, today=today, cal=cal, scope=scope, limit=urgent_limit)
        data["urgent"] = list(urgent)
        data["urgent_total"] = urgent_total
        for s in data["urgent"]:
            s.urgency_label = data["urgency_labels"][s.urgency]
            s.admin_url = reverse("admin:review_application_change", args=[s.application_id])
            due = s.statutory_due if s.urgency in (0, 2) else s.target_due
            s.days_left = cal.working_days_between(today, due) if due else None
            s.days_late = -s.days_left if s.days_left is not None and s.days_left < 0 else None
    data["charts"] = _charts(data)
    return data


def _charts(data) -> dict:
    # Every month of the period on the axis; a month in which no stage of a kind finished is a
    # gap in its line, not a zero.
    months = period_months(data["filters"])
    labels = [m.strftime("%Y-%m") for m in months]
    kinds = []
    for r in data["trend"]:
        if (r["kind"], r["label"]) not in kinds:
            kinds.append((r["kind"], r["label"]))
    by = {(r["month"], r["kind"]): r for r in data["trend"]}
    avg_series = [(label, [by[(m, k)]["avg"] if (m, k) in by else None for m in months]) for k, label in kinds]
    rate_series = [(label, [by[(m, k)]["on_target"] if (m, k) in by else None for m in months])
                   for k, label in kinds]
    return {
        "trend_days": charts.line_chart(title=_("Average working days by month of completion"),
                                        x_labels=labels, series=avg_series) if kinds else "",
        "trend_rate": charts.line_chart(title=_("On time against the target, by month (%)"), x_labels=labels,
                                        series=rate_series, y_max=100, unit="%") if kinds else "",
        "workload": charts.stacked_bars(
            title=_("Open stages by kind and deadline state"),
            rows=[(r["label"], r["counts"]) for r in data["workload"]],
            states=[(k, str(label), color) for k, label, color in WORKLOAD_STATES]) if data["workload"] else "",
    }


def _form(request, *, officer=False):
    today = timezone.localdate()
    form = KpiFilterForm(request.GET or None, today=today, officer=officer)
    if not request.GET:
        form = KpiFilterForm({}, today=today, officer=officer)
    return form, today


def _staff_only(request):
    """Anonymous: the admin's sign-in. Staff without the permission: a 403 in the admin's look,
    saying who the dashboard is for, with the way back to the admin (the project's 403 page is
    the enterprise portal's). Everyone else (enterprises, officers): that portal 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if request.user.is_staff and not request.user.has_perm(PERMISSION):
        return render(request, "kpi/forbidden.html", {
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
    form, today = _form(request)
    # The admin's own context (user tools: language, password, log out; the sidebar's apps), so
    # the dashboard reads as one of the admin's pages.
    chrome = {**admin.site.each_context(request), "title": _("Performance dashboard")}
    if not form.is_valid():
        return render(request, "kpi/dashboard.html", {**chrome, "form": form}, status=400)
    data = dashboard_data(form.filters(), today=today, scope=Scope())
    query = request.GET.urlencode()
    return render(request, "kpi/dashboard.html", {
        **chrome, **data, "form": form, "query": query,
        "csv_tables": [(name, title) for name, title, _h, _r in exports.tables(data)]
        + [("case_list", _("Case list"))],
    })


def export(request, fmt: str):
    refused = _staff_only(request)
    if refused:
        return refused
    form, today = _form(request)
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
            exports.write_xlsx([about, exports.case_list_table(case_list(filters))], buf)
            stamp = f"{exports.FILE_NAMES['case_list']}-{stamp}"
        else:
            data = dashboard_data(filters, today=today, scope=Scope(), urgent_limit=None)
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
        table = exports.case_list_table(case_list(filters))
        response = StreamingHttpResponse(_csv_stream(table), content_type="text/csv; charset=utf-8")
    else:
        data = dashboard_data(filters, today=today, scope=Scope(), lists=name == "urgent", urgent_limit=None)
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
    _name, _title, headers, rows = table
    yield "\ufeff" + writer.writerow([str(h) for h in headers])
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


@login_required(login_url="portal:login")
def officer_dashboard(request):
    """Industry officers (Shanghai seed 003, three-level sharing): the same figures for the cases
    of their district (or park), aggregate only: no case list, no names."""
    if not is_read_only(request.user) or not request.user.district:
        raise PermissionDenied(_("This page is for industry officers; staff use the dashboard in the admin."))
    form, today = _form(request, officer=True)
    if not form.is_valid():
        return render(request, "kpi/officer_dashboard.html", {"form": form}, status=400)
    data = dashboard_data(form.filters(), today=today, scope=Scope(request.user), lists=False)
    return render(request, "kpi/officer_dashboard.html", {**data, "form": form})
