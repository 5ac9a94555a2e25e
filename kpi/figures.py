"""The dashboard's figures assembled for a reader: the staff dashboard, the industry officers'
figures on the portal and `kpi_report` all show the same numbers from this one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clock.sla import BREACH, RUNNING_LEVELS, STATUTORY_NEAR
from review.permissions import ALL_OFFICES
from review.selectors import calendar_current

from . import charts
from .forms import KpiFilterForm
from .selectors import (
    STATE_LABELS,
    URGENT_LIMIT,
    WORKLOAD_STATES,
    Scope,
    applicant_waits,
    case_figures,
    period_months,
    stage_table,
    trend,
    urgent_stages,
    workload,
)

# The urgent list's rank (kpi.selectors.urgent_stages) is the level's index in RUNNING_LEVELS,
# named by the one label map: 已超法定时限, 临近法定时限, 已超目标时限, 临近目标时限.
URGENCY_LABELS = dict(enumerate(STATE_LABELS[level] for level in RUNNING_LEVELS[:4]))
STATUTORY_URGENCIES = {RUNNING_LEVELS.index(BREACH), RUNNING_LEVELS.index(STATUTORY_NEAR)}


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
            due = s.statutory_due if s.urgency in STATUTORY_URGENCIES else s.target_due
            s.days_left = cal.working_days_between(today, due) if due else None
            s.days_late = -s.days_left if s.days_left is not None and s.days_left < 0 else None
    data["charts"] = charts_for(data)
    return data


def charts_for(data) -> dict:
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


def reader_office(user) -> int | None:
    """The office whose figures the reader sees: their own (staff, industry officers), or None for
    the national role (``review.view_all_offices``), who sees every office's
    (docs/dashboard.md#offices). Someone of no office and not national sees none."""
    if user.has_perm(ALL_OFFICES):
        return None
    if user.office_id is None:
        raise PermissionDenied(_("Your account belongs to no office: ask an administrator to set its office."))
    return user.office_id


def filter_form(request, *, officer=False):
    """The filter form of a request (the default period when it has no query) and today; the
    filters hold the reader's office (``reader_office``)."""
    today = timezone.localdate()
    office = reader_office(request.user)
    form = KpiFilterForm(request.GET or {}, today=today, officer=officer, office=office)
    return form, today
