"""Digests: one e-mail per recipient with all their alerts not yet sent, grouped by level.

Sending never happens inside a transaction that could roll back after the mail left: deliveries
are first *claimed* (marked sending, committed), then the message is sent, then marked sent (or
failed with the error). A worker that dies between send and mark leaves a stale claim, which is
retried after ``CLAIM_TIMEOUT``: at worst one duplicate digest, never a lost alert.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from review.selectors import calendar_current

from .models import LEVEL_ORDER, AlertLevel, Delivery, SendState

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = dt.timedelta(minutes=15)


@dataclass
class DigestResult:
    held: bool = False
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _sendable(now, retry_only: bool = False) -> Q:
    """Owed deliveries: pending ones (unless only retrying), failed ones, and stale claims."""
    states = [SendState.FAILED] if retry_only else [SendState.PENDING, SendState.FAILED]
    return Q(state__in=states) | Q(state=SendState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)


def case_link(application, *, staff: bool) -> str:
    if staff:
        path = reverse("admin:review_application_change", args=[application.pk])
    else:
        try:
            path = reverse("portal:application", args=[application.pk])
        except NoReverseMatch:
            path = "/portal/"
    return settings.SITE_URL.rstrip("/") + path


def _claim(email: str, retry_only: bool) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(Delivery.objects.select_for_update(skip_locked=True)
                   .filter(_sendable(now, retry_only), email=email).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(state=SendState.SENDING, claimed_at=now)
    return ids


def _render(deliveries: list[Delivery], today: dt.date):
    cal = calendar_current()
    first = deliveries[0]
    groups = []
    for level in LEVEL_ORDER:
        rows = []
        for d in deliveries:
            alert = d.alert
            if alert.level != level:
                continue
            late = cal.working_days_between(alert.deadline, today) if alert.deadline < today else 0
            rows.append({
                "reference": alert.application.reference,
                "product": alert.application.product_name,
                "stage": alert.stage.get_kind_display() if alert.stage else (
                    alert.certificate.get_kind_display() if alert.certificate else ""),
                "deadline": alert.deadline,
                "days_late": late,
                "link": case_link(alert.application, staff=d.staff),
            })
        if rows:
            groups.append({"label": AlertLevel(level).label, "level": level, "rows": rows})
    context = {"groups": groups, "today": today, "count": len(deliveries),
               "name": first.user.get_full_name() if first.user else ""}
    subject = _("[Review tracker] %(n)d deadline alerts for %(day)s") % {"n": len(deliveries), "day": today}
    text = render_to_string("notifications/digest.txt", context)
    html = render_to_string("notifications/digest.html", context)
    return subject, text, html


def digest_send_to(email: str, *, today: dt.date | None = None, retry_only: bool = False) -> bool:
    """Send one address its digest. Returns True if a message left; raises if the server refused
    (after marking the deliveries failed), so a Celery task can retry with back-off."""
    today = today or timezone.localdate()
    ids = _claim(email, retry_only)
    if not ids:
        return False
    deliveries = list(Delivery.objects.filter(pk__in=ids).select_related(
        "user", "alert__application", "alert__stage", "alert__certificate").order_by("alert__deadline"))
    with translation.override(deliveries[0].language or settings.LANGUAGE_CODE):
        subject, text, html = _render(deliveries, today)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:
        Delivery.objects.filter(pk__in=ids).update(
            state=SendState.FAILED, attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        log.warning("digest to %s failed: %s", email, exc)
        raise
    Delivery.objects.filter(pk__in=ids).update(
        state=SendState.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="")
    return True


def digest_addresses(*, retry_only: bool = False) -> list[str]:
    now = timezone.now()
    return sorted(set(Delivery.objects.filter(_sendable(now, retry_only)).values_list("email", flat=True)))


def digests_send(*, today: dt.date | None = None, force: bool = False,
                 retry_only: bool = False) -> DigestResult:
    """Send every digest owed, on working days only (DESIGN.md section 5). ``retry_only``: just
    the failed ones (the 15-minute sweep's retry between two mornings)."""
    today = today or timezone.localdate()
    result = DigestResult()
    if not force and not calendar_current().is_working_day(today):
        result.held = True
        return result
    for email in digest_addresses(retry_only=retry_only):
        try:
            if digest_send_to(email, today=today, retry_only=retry_only):
                result.sent.append(email)
        except Exception as exc:  # recorded on the deliveries; the next run retries
            result.failed[email] = f"{type(exc).__name__}: {exc}"
    return result
