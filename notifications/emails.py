"""Case e-mails (to enterprises, and to the reviewer when an answer arrives), through a
transactional outbox.

``case_event_queue`` is called by services.workflow inside the transaction of the change: the
outbox row exists exactly when the change does. After commit a task sends it; if the broker is
down the publish fails quietly (logged) and the next sweep sends what is pending. A transition
never fails because the broker or the mail server is down.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from review.models import User
from review.permissions import FILE, MODEL_BACKEND, STAGE_KIND_PERMISSION

from .digests import CLAIM_TIMEOUT, case_link
from .models import OutboundEmail, SendState

log = logging.getLogger(__name__)

# Log actions that the enterprise hears about (case state changes and requests to it).
EVENTS = {"submit", "advance", "withdraw", "refuse", "terminate", "suspend", "resume",
          "pause_supplement", "pause_missing_items", "pause_rectification", "refuse_lapsed",
          "deemed_accepted"}
# Events whose free text is the reason for them; for the others (a request, a resumption) it is
# the office's note to the enterprise, and is labelled so.
REASON_EVENTS = {"withdraw", "refuse", "terminate", "suspend", "refuse_lapsed"}


def _addresses(enterprise) -> list[tuple[str, str]]:
    users = list(User.objects.with_perm(FILE, include_superusers=False, backend=MODEL_BACKEND)
                 .filter(enterprise=enterprise, is_active=True).exclude(email=""))
    if enterprise.contact_email:
        lang = next((u.language for u in users if u.email == enterprise.contact_email), "zh-hans")
        return [(enterprise.contact_email, lang)]
    return [(u.email, u.language) for u in users]


_quiet = threading.local()


@contextmanager
def case_emails_suppressed():
    """For loading history (seed_demo): the changes are real, but nobody is told of the past."""
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = False


def case_event_queue(application, entry) -> list[OutboundEmail]:
    """Queue the enterprise's e-mail for a log entry (same transaction); send after commit."""
    if entry.action not in EVENTS or getattr(_quiet, "on", False):
        return []
    if (entry.details or {}).get("discarded_draft"):
        return []  # the enterprise discarded its own unfiled draft: nothing to tell it
    rows = []
    forecast = _acceptance_forecast(application, entry)
    for email, language in _addresses(application.enterprise):
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {"case": application, "entry": entry, "link": case_link(application, staff=False),
                       "forecast": _forecast_text(forecast),
                       "state": application.get_state_display(), "event": entry.get_action_display(),
                       "items": entry.details.get("items") or [],
                       "deadline": entry.details.get("applicant_deadline"),
                       "note_is_reason": entry.action in REASON_EVENTS,
                       "greeting": _("%(name)s:") % {"name": application.enterprise.name}}
            subject = _("[%(ref)s] %(event)s: %(product)s") % {
                "ref": application.reference, "event": entry.get_action_display(),
                "product": application.product_name}
            row = OutboundEmail(
                application=application, event=entry.action, to=email, language=language,
                subject=subject[:200], body=render_to_string("notifications/case_event.txt", context),
                html=render_to_string("notifications/case_event.html", context))
            for notice in _just_issued(application):
                _add_document(row, notice)
            rows.append(row)
    if rows:
        rows = OutboundEmail.objects.bulk_create(rows)
        ids = [r.pk for r in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


# the e-mail that announces a change names the documents the change issued, with their
# numbers and a link. A document and the e-mail of its change are written in the same transaction,
# in either order; "the same change" is told by time, within this window.
_SAME_CHANGE = timezone.timedelta(seconds=30)


def _just_issued(application):
    from notices.models import Notice

    return list(Notice.objects.filter(application=application, issued_at__gte=timezone.now() - _SAME_CHANGE)
                .only("pk", "number", "title", "kind", "application_id").order_by("pk"))


def _document_lines(row, notice) -> tuple[str, str]:
    from django.urls import reverse
    from django.utils.html import format_html

    link = settings.SITE_URL.rstrip("/") + reverse("portal:notice", args=[notice.pk])
    with translation.override(row.language or settings.LANGUAGE_CODE):
        if notice.kind == "acceptance":
            lead = _("Accepted (已受理). Acceptance number: %(ref)s. Acceptance notice %(number)s:") % {
                "ref": notice.application.reference, "number": notice.number}
        else:
            lead = _("Document issued: %(title)s, number %(number)s:") % {"title": notice.title,
                                                                          "number": notice.number}
    return f"{lead} {link}", format_html('<p>{} <a href="{}">{}</a></p>', lead, link, link)


def _add_document(row, notice) -> bool:
    if notice.number in row.body:
        return False
    text, html = _document_lines(row, notice)
    row.body = f"{row.body.rstrip()}\n\n{text}\n"
    if row.html:
        row.html = row.html.replace("</body>", f"{html}</body>") if "</body>" in row.html else row.html + html
    return True


def document_issued(application, notice) -> None:
    """Name ``notice`` in the enterprise's e-mails already queued for this change (same transaction)."""
    rows = OutboundEmail.objects.filter(application=application, state=SendState.PENDING,
                                        created_at__gte=timezone.now() - _SAME_CHANGE)
    for row in rows:
        if _add_document(row, notice):
            row.save(update_fields=["body", "html"])


def _acceptance_forecast(application, entry):
    """On acceptance (docs/forecast.md): the completion forecast, or ``False`` for other events."""
    accepted = entry.action == "advance" and entry.from_state == "acceptance"
    if not (entry.action == "deemed_accepted" or accepted):
        return False
    from forecast.selectors import case_forecast

    return case_forecast(application)


def _forecast_text(forecast) -> str:
    if forecast is False:
        return ""
    from forecast.selectors import forecast_caveat, forecast_words

    words = forecast_words(forecast).rstrip("。.")
    stop = "。" if translation.get_language() == "zh-hans" else ". "
    return f"{words}{stop}{forecast_caveat()}"


def answer_received_queue(application, stage, stop, documents=()) -> list[OutboundEmail]:
    """Tell the reviewer (the stage's assignee, else its handlers) that the applicant answered a
    supplement, missing-items or rectification request, with the documents that came with it;
    same outbox, same guarantees."""
    perm = STAGE_KIND_PERMISSION[stage.kind]
    if stage.assignee_id and stage.assignee.email and stage.assignee.is_active:
        users = [stage.assignee]
    else:
        users = list(User.objects.with_perm(perm, include_superusers=False, backend=MODEL_BACKEND)
                     .filter(is_active=True).exclude(email=""))
        users = [u for u in users if u.department_id == stage.department_id] or users
    rows = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {"case": application, "stage": stage.get_kind_display(), "stop": stop,
                       "reason": stop.get_reason_display(), "link": case_link(application, staff=True),
                       "target_due": stage.target_due, "statutory_due": stage.statutory_due,
                       "documents": documents}
            subject = _("[%(ref)s] Answer received: %(stage)s") % {
                "ref": application.reference, "stage": stage.get_kind_display()}
            rows.append(OutboundEmail(
                application=application, event="answer_received", to=user.email, language=user.language,
                subject=subject[:200], body=render_to_string("notifications/answer_received.txt", context)))
    if rows:
        rows = OutboundEmail.objects.bulk_create(rows)
        ids = [r.pk for r in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids: list[int]) -> None:
    from .tasks import outbound_send_task

    for i, pk in enumerate(ids):
        try:
            outbound_send_task.delay(pk)
        except Exception as exc:  # broker down: the rows stay pending; the sweep sends them
            # One wait for the broker's timeout per response, not one per e-mail.
            log.warning("could not queue case e-mails %s (%s); the next sweep will send them", ids[i:], exc)
            return


def outbound_send(pk: int) -> bool:
    """Send one outbox e-mail if it is still owed; mark sent only after the server accepted."""
    now = timezone.now()
    with transaction.atomic():
        claimed = OutboundEmail.objects.select_for_update(skip_locked=True).filter(
            Q(state__in=[SendState.PENDING, SendState.FAILED])
            | Q(state=SendState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT), pk=pk,
        ).update(state=SendState.SENDING, claimed_at=now)
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=pk)
    message = EmailMultiAlternatives(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except Exception as exc:
        OutboundEmail.objects.filter(pk=pk).update(
            state=SendState.FAILED, attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    OutboundEmail.objects.filter(pk=pk).update(state=SendState.SENT, sent_at=timezone.now(),
                                               attempts=F("attempts") + 1, last_error="")
    return True


def outbound_send_pending() -> tuple[int, int]:
    """Send every outbox e-mail still owed (the sweep's retry). Returns (sent, failed)."""
    now = timezone.now()
    owed = OutboundEmail.objects.filter(
        Q(state__in=[SendState.PENDING, SendState.FAILED])
        | Q(state=SendState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)).values_list("pk", flat=True)
    sent = failed = 0
    for pk in list(owed):
        try:
            sent += outbound_send(pk)
        except Exception:
            failed += 1
    return sent, failed
