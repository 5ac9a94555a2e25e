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

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from clock.periods import LICENCE_RENEWAL_OPENS_WD, REGISTRATION_RENEWAL_MONTHS, add_months
from review.deadlines import (
    APPLICANT_LEAD_DAYS,
    applicant_due_q,
    due_soon_q,
    past_statutory_q,
    past_target_q,
    statutory_near_q,
)
from review.models import Application, Certificate, ClockStop, Stage
from review.models.enums import CLOSED_STATES, EXTERNAL_KINDS, StageState
from review.selectors import calendar_current

from .models import Alert, AlertLevel, Delivery, SendState
from .recipients import Directory


@dataclass
class SweepResult:
    today: dt.date
    raised: Counter = field(default_factory=Counter)
    deliveries: int = 0


def _insert_select(queryset, today: dt.date) -> None:
    """INSERT the alerts a candidate queryset describes, in the database, skipping those raised
    before (the unique constraint): no Python object per alert, which matters at 100k cases."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. no running stage at all: nothing to raise
        return
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("key", "level", "deadline", "application_id", "stage_id",
                                       "raised_on", "created_at", "fanned_out"))
    # "WHERE true" lets SQLite parse ON CONFLICT after INSERT ... SELECT.
    statement = (f"INSERT INTO {q(Alert._meta.db_table)} ({columns}) "
                 f"SELECT s.*, %s, %s, %s FROM ({sql}) s WHERE true ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(statement, [today, timezone.now(), False, *params])


def _raise_stage_alerts(today: dt.date, cal) -> None:
    local = Stage.objects.filter(state=StageState.RUNNING).exclude(kind__in=EXTERNAL_KINDS).order_by()

    def candidates(queryset, level, deadline_field):
        # Leave out what was raised before (an anti-join): a steady sweep then inserts nothing
        # instead of having the unique constraint refuse each late stage again, row by row,
        # every 15 minutes. The constraint stays the guard against two sweeps at once.
        raised = Alert.objects.filter(stage_id=OuterRef("pk"), level=level, deadline=OuterRef(deadline_field))
        # Annotations only, added in the column order of _insert_select.
        return queryset.filter(~Exists(raised)).annotate(
            a_key=Concat(Value("stage:"), Cast("pk", CharField())), a_level=Value(level),
            a_deadline=F(deadline_field), a_application=F("application_id"), a_stage=F("pk"),
        ).values("a_key", "a_level", "a_deadline", "a_application", "a_stage")

    # Each level's own condition (review.deadlines), not the exclusive level: a stage past its
    # target and its statutory limit gets both alerts, each to its readers (docs/operations.md).
    leads = sorted(set(local.values_list("warning_days", flat=True).distinct()))
    for level, condition, deadline in (
            (AlertLevel.DUE_SOON, due_soon_q(today, cal, leads), "target_due"),
            (AlertLevel.OVERDUE, past_target_q(today), "target_due"),
            (AlertLevel.STATUTORY_NEAR, statutory_near_q(today, cal), "statutory_due"),
            (AlertLevel.BREACH, past_statutory_q(today), "statutory_due")):
        _insert_select(candidates(local.filter(condition), level, deadline), today)


def _applicant_alerts(today: dt.date) -> list[Alert]:
    stops = ClockStop.objects.filter(applicant_due_q(today)).exclude(stage__application__state__in=CLOSED_STATES)
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
    # The alert's deadline is the expiry (its key since the watch began); the filing window is
    # said at send time from clock.periods.renewal_window. A registration
    # certificate is watched from APPLICANT_LEAD_DAYS before its last filing day (six months
    # before expiry), as a supplement deadline is: alerted on that day itself, the enterprise
    # learnt of it when it was already too late. A licence's window opens 90 WD before expiry
    # and closes 30 WD before: the watch starts when it opens.
    due = (Q(kind=Certificate.Kind.REGISTRATION,
             expires_on__lte=add_months(today + dt.timedelta(days=APPLICANT_LEAD_DAYS),
                                        REGISTRATION_RENEWAL_MONTHS))
           | Q(kind=Certificate.Kind.LICENCE,
               expires_on__lte=cal.add_working_days(today, LICENCE_RENEWAL_OPENS_WD)))
    certs = Certificate.objects.filter(due, renewal__isnull=True).exclude(renewal_filed)
    return [
        Alert(key=f"cert:{pk}", level=AlertLevel.RENEWAL, deadline=expires, application_id=app_id,
              certificate_id=pk, raised_on=today)
        for pk, app_id, expires in certs.values_list("pk", "application_id", "expires_on")
    ]


def _insert_deliveries(rows: list[tuple]) -> None:
    """All deliveries at once, rows of (alert, address, user, language, staff, the alert's
    raised_on); duplicates (a concurrent sweep) are skipped; then their alerts marked fanned out.

    Only alerts whose deliveries exist are done; one with nobody to tell stays visible. The alerts
    given rows are exactly those: each row was inserted, or was already there (a concurrent sweep's,
    the unique constraint). Marked by their ids, not by probing the deliveries table for each
    un-fanned alert (docs/benchmarks.md). Call inside a transaction.
    """
    if not rows:
        return
    told = sorted({row[0] for row in rows})
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        # COPY into a scratch table, then one INSERT ... ON CONFLICT from it: COPY cannot skip
        # duplicates, and one INSERT with the rows as parameters sends them through Django's
        # client-side binding, 250,000 rows quoted into one SQL text for the server to parse: more
        # than half of a cold sweep's time (docs/benchmarks.md#the-sweep).
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE sweep_deliveries (a bigint, e varchar, u bigint, l varchar, "
                           "s boolean, r date) ON COMMIT DROP")
            with cursor.cursor.copy("COPY sweep_deliveries FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {q(Delivery._meta.db_table)} (alert_id, email, user_id, language, staff, state, "
                "attempts, last_error, raised_on) SELECT a, e, u, l, s, %s, 0, '', r FROM sweep_deliveries "
                "ON CONFLICT DO NOTHING", [SendState.PENDING])
            # Dropped now, not only at commit: a caller's outer transaction may sweep again.
            cursor.execute("DROP TABLE sweep_deliveries")
            cursor.execute(f"UPDATE {q(Alert._meta.db_table)} SET fanned_out = true "
                           "WHERE id = ANY(%s) AND NOT fanned_out", [told])
    else:  # SQLite (demo): the ORM is fast enough at demo sizes
        Delivery.objects.bulk_create(
            [Delivery(alert_id=a, email=e, user_id=u, language=lang, staff=st, raised_on=raised_on)
             for a, e, u, lang, st, raised_on in rows],
            ignore_conflicts=True)
        for i in range(0, len(told), 500):  # a bounded number of parameters per statement
            Alert.objects.filter(pk__in=told[i:i + 500], fanned_out=False).update(fanned_out=True)


def _fan_out() -> int:
    """Create the deliveries of every alert that has none yet; safe to run twice at once.

    Read as plain tuples and resolved once per (level, stage kind, department, assignee) or per
    enterprise: the recipients of 35,000 alerts are a few hundred distinct lists.
    """
    waiting = Alert.objects.filter(fanned_out=False)
    # The steady sweep's whole fan-out: one probe of the partial index (alert_not_fanned_out). Asked
    # first and alone, so the joined read below is planned only when there is work, never on the
    # statistics of a table just filled by a cold sweep (a whole-table hash join for no rows).
    if not waiting.exists():
        return 0
    todo = list(waiting.values_list(
        "pk", "level", "stage__kind", "stage__department_id", "stage__assignee_id",
        "application__enterprise_id", "application__enterprise__contact_email", "application__office_id",
        "raised_on"))
    directory = Directory()
    directory.load_assignees({row[4] for row in todo if row[4]})
    cache: dict[tuple, list] = {}
    rows = []
    for pk, level, kind, department_id, assignee_id, enterprise_id, contact, office_id, raised_on in todo:
        if level in (AlertLevel.APPLICANT_OVERDUE, AlertLevel.RENEWAL):
            key = ("enterprise", enterprise_id, office_id)
            if key not in cache:
                cache[key] = directory.for_enterprise(enterprise_id, contact, office_id)
        else:
            key = (level, kind, department_id, assignee_id, office_id)
            if key not in cache:
                cache[key] = directory.for_stage(level, kind, department_id, assignee_id, office_id)
        rows += [(pk, r.email, r.user_id, r.language, r.staff, raised_on) for r in cache[key]]
    with transaction.atomic():
        _insert_deliveries(rows)
    return len(rows)


def deadlines_sweep(*, today: dt.date | None = None) -> SweepResult:
    """One sweep: alerts and their deliveries. Sending is notifications.digests' job."""
    today = today or timezone.localdate()
    cal = calendar_current()
    result = SweepResult(today=today)
    _raise_stage_alerts(today, cal)
    Alert.objects.bulk_create(_applicant_alerts(today) + _renewal_alerts(today, cal), ignore_conflicts=True)
    # What this sweep (or a crashed one before it) raised and nobody has been told of yet.
    result.raised = Counter({row["level"]: row["n"] for row in Alert.objects.filter(fanned_out=False)
                             .values("level").annotate(n=Count("pk")).order_by()})
    result.deliveries = _fan_out()
    return result
