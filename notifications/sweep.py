"""The deadline sweep: compare stored deadlines with today, raise alerts, keep the overdue flags.

Overdue is a fact of stored dates; this only reads them. The work is a fixed number of set-based
queries whatever the number of cases (see docs/benchmarks.md): two flag updates, one query per
alert level, one insert of alerts, the recipients' directory, one read of the alerts to fan out,
one insert of deliveries. Exactly once comes from the unique constraints, not from the sweep
being alone: two sweeps at once, or a sweep re-run after a crash, insert nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from review.models import Application, Certificate, ClockStop, Stage
from review.models.enums import APPLICANT_SIDE_REASONS, CLOSED_STATES, EXTERNAL_KINDS, StageState
from review.selectors import calendar_current
from services.sla import BREACH_LEAD_DAYS

from .models import Alert, AlertLevel, Delivery
from .recipients import Directory, unique

APPLICANT_LEAD_DAYS = 30  # DESIGN.md section 5: supplement deadline within 30 days
REGISTRATION_RENEWAL_MONTHS = 6  # Order 47 Art. 82: renewal filed at least six months before expiry
LICENCE_RENEWAL_WD = 90  # Order 53 Art. 17: licence renewal 90 working days before expiry


@dataclass
class SweepResult:
    today: dt.date
    raised: Counter = field(default_factory=Counter)
    deliveries: int = 0
    flagged: int = 0
    cleared: int = 0


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


def _update_flags(today: dt.date) -> tuple[int, int]:
    late = Q(target_due__lt=today) | Q(statutory_due__lt=today, statutory_reference=False)
    running = Q(state=StageState.RUNNING)
    flagged = Stage.objects.filter(running & late, overdue=False).update(overdue=True)
    cleared = Stage.objects.filter(overdue=True).exclude(running & late).update(overdue=False)
    return flagged, cleared


def _stage_alerts(today: dt.date, cal) -> list[Alert]:
    local = Stage.objects.filter(state=StageState.RUNNING).exclude(kind__in=EXTERNAL_KINDS)
    fields = ("pk", "application_id", "target_due", "statutory_due")
    alerts = []

    def add(level, rows, deadline_index):
        for pk, app_id, target, statutory in rows:
            deadline = (target, statutory)[deadline_index]
            alerts.append(Alert(key=f"stage:{pk}", level=level, deadline=deadline, application_id=app_id,
                                stage_id=pk, raised_on=today))

    # Due soon: the target within the stage's own warning lead time (working days).
    leads = sorted(set(local.values_list("warning_days", flat=True).order_by()))
    soon = Q(pk__in=[])
    for lead in leads:
        soon |= Q(warning_days=lead, target_due__gte=today,
                  target_due__lte=cal.add_working_days(today, lead))
    add(AlertLevel.DUE_SOON, local.filter(soon).values_list(*fields), 0)
    add(AlertLevel.OVERDUE, local.filter(target_due__lt=today).values_list(*fields), 0)
    breach_by = cal.add_working_days(today, BREACH_LEAD_DAYS)
    add(AlertLevel.BREACH, local.filter(statutory_reference=False, statutory_due__lte=breach_by)
        .values_list(*fields), 1)
    return alerts


def _applicant_alerts(today: dt.date) -> list[Alert]:
    stops = ClockStop.objects.filter(
        ended_on__isnull=True, reason__in=APPLICANT_SIDE_REASONS,
        applicant_deadline__lte=today + dt.timedelta(days=APPLICANT_LEAD_DAYS),
    ).exclude(stage__application__state__in=CLOSED_STATES)
    return [
        Alert(key=f"stop:{pk}", level=AlertLevel.APPLICANT_OVERDUE, deadline=deadline,
              application_id=app_id, stage_id=stage_id, clock_stop_id=pk, raised_on=today)
        for pk, stage_id, app_id, deadline in stops.values_list(
            "pk", "stage_id", "stage__application_id", "applicant_deadline")
    ]


def _renewal_alerts(today: dt.date, cal) -> list[Alert]:
    """Certificates near expiry with no renewal filed (a renewal of the same product by the same
    enterprise, filed after the certificate was issued and not abandoned)."""
    renewal_filed = Exists(Application.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), product_name=OuterRef("product_name"),
        application_type__in=["renewal", "licence"], created_at__date__gte=OuterRef("issued_on"),
    ).exclude(state__in=["draft", "withdrawn", "refused", "terminated"]))
    due = (Q(kind=Certificate.Kind.REGISTRATION,
             expires_on__lte=_months_later(today, REGISTRATION_RENEWAL_MONTHS))
           | Q(kind=Certificate.Kind.LICENCE,
               expires_on__lte=cal.add_working_days(today, LICENCE_RENEWAL_WD)))
    certs = Certificate.objects.filter(due, renewal__isnull=True).exclude(renewal_filed)
    return [
        Alert(key=f"cert:{pk}", level=AlertLevel.RENEWAL, deadline=expires, application_id=app_id,
              certificate_id=pk, raised_on=today)
        for pk, app_id, expires in certs.values_list("pk", "application_id", "expires_on")
    ]


def _fan_out() -> int:
    """Create the deliveries of every alert that has none yet; safe to run twice at once."""
    todo = list(
        Alert.objects.filter(fanned_out=False)
        .select_related("stage", "application__enterprise", "certificate__enterprise")
    )
    if not todo:
        return 0
    directory = Directory()
    directory.load_assignees({a.stage.assignee_id for a in todo if a.stage and a.stage.assignee_id})
    deliveries = []
    for alert in todo:
        if alert.level in (AlertLevel.APPLICANT_OVERDUE, AlertLevel.RENEWAL):
            people = directory.for_enterprise(alert.application.enterprise)
        else:
            people = directory.for_stage(alert.level, alert.stage)
        deliveries += [
            Delivery(alert=alert, email=r.email, user_id=r.user_id, language=r.language, staff=r.staff)
            for r in unique(people)
        ]
    with transaction.atomic():
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        # Only alerts whose deliveries exist are done; one with nobody to tell stays visible.
        Alert.objects.filter(fanned_out=False).filter(
            Exists(Delivery.objects.filter(alert=OuterRef("pk")))).update(fanned_out=True)
    return len(deliveries)


def deadlines_sweep(*, today: dt.date | None = None) -> SweepResult:
    """One sweep: flags, alerts and their deliveries. Sending is notifications.digests' job."""
    today = today or timezone.localdate()
    cal = calendar_current()
    result = SweepResult(today=today)
    result.flagged, result.cleared = _update_flags(today)
    alerts = _stage_alerts(today, cal) + _applicant_alerts(today) + _renewal_alerts(today, cal)
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    # What this sweep (or a crashed one before it) raised and nobody has been told of yet.
    result.raised = Counter(Alert.objects.filter(fanned_out=False).values_list("level", flat=True))
    result.deliveries = _fan_out()
    return result
