"""Celery tasks; each calls a function of this package (reused by `scan_deadlines`).

Beat runs ``deadlines_sweep_task`` every 15 minutes and ``digests_send_task`` at 08:30
Asia/Shanghai (the schedule is data: migration notifications.0002). Sends retry with back-off;
whatever still fails is left failed in the database and retried by the next sweep.
"""

import logging
from smtplib import SMTPException

from celery import shared_task

from .digests import digest_addresses, digest_send_to, digests_send
from .emails import outbound_send, outbound_send_pending
from .sweep import deadlines_sweep

log = logging.getLogger(__name__)
RETRY = {"autoretry_for": (SMTPException, OSError), "retry_backoff": 30, "retry_backoff_max": 600,
         "retry_jitter": True, "max_retries": 5}


@shared_task(name="notifications.deadlines_sweep")
def deadlines_sweep_task():
    """Raise alerts, then resend what failed before: outbox e-mails and failed digests."""
    result = deadlines_sweep()
    sent, failed = outbound_send_pending()
    log.info("sweep %s: raised %s, %d deliveries; outbox sent %d, failed %d",
             result.today, dict(result.raised), result.deliveries, sent, failed)
    retried = digests_send(today=result.today, retry_only=True)  # failed digests (working days)
    return {"raised": dict(result.raised), "deliveries": result.deliveries,
            "digests_retried": len(retried.sent)}


@shared_task(name="notifications.digests_send")
def digests_send_task():
    """The morning digests: one task per address, so one refusing server address does not hold
    back the others, and each retries on its own."""
    from django.utils import timezone

    from review.selectors import calendar_current

    today = timezone.localdate()
    if not calendar_current().is_working_day(today):
        log.info("digests held: %s is not a working day", today)
        return 0
    addresses = digest_addresses(today=today)
    for email in addresses:
        digest_send_task.delay(email)
    return len(addresses)


@shared_task(name="notifications.digest_send", **RETRY)
def digest_send_task(email: str):
    return digest_send_to(email)


@shared_task(name="notifications.outbound_send", **RETRY)
def outbound_send_task(pk: int):
    return outbound_send(pk)
