"""Alerts raised by the deadline sweep, their deliveries, and the outbox of case e-mails.

Exactly once is a database fact: an alert is unique per (subject, level, deadline), a delivery per
(alert, address). Sent is a database fact too: a delivery or an outbox e-mail is marked sent only
after the mail server accepted it; until then it stays pending (or failed, with the error) and the
next sweep tries again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from review.deadlines import LABELS


class AlertLevel(models.TextChoices):
    """docs/operations.md#alert-levels-and-recipients. The labels say what is true: "near" is never
    worded as "passed"."""

    # A stage's levels in the words every page uses (review.deadlines.LABELS).
    DUE_SOON = "due_soon", LABELS["due_soon"]
    OVERDUE = "overdue", LABELS["overdue"]
    STATUTORY_NEAR = "statutory_near", LABELS["statutory_near"]
    BREACH = "breach", LABELS["breach"]
    APPLICANT_OVERDUE = "applicant_overdue", _("Applicant's deadline")
    RENEWAL = "renewal", _("Renewal due")


# Worst first: a case listed in a digest appears once, under the first of these it has.
LEVEL_ORDER = [AlertLevel.BREACH, AlertLevel.STATUTORY_NEAR, AlertLevel.OVERDUE, AlertLevel.DUE_SOON,
               AlertLevel.APPLICANT_OVERDUE, AlertLevel.RENEWAL]
# Levels that stay in every daily digest until they are dealt with
# (docs/operations.md#alert-levels-and-recipients).
STILL_LATE_LEVELS = (AlertLevel.BREACH, AlertLevel.OVERDUE)


class SendState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")


class Alert(models.Model):
    """One deadline that needs someone's attention. ``key`` names the subject (a stage, a clock
    stop or a certificate), so a moved deadline is a new alert and an unmoved one never repeats."""

    key = models.CharField(max_length=40)
    level = models.CharField(_("level"), max_length=20, choices=AlertLevel.choices)
    deadline = models.DateField(_("deadline"))
    application = models.ForeignKey(
        "review.Application", on_delete=models.CASCADE, related_name="alerts",
        verbose_name=_("application"),
    )
    stage = models.ForeignKey("review.Stage", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="alerts", verbose_name=_("stage"))
    clock_stop = models.ForeignKey("review.ClockStop", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="alerts")
    certificate = models.ForeignKey("review.Certificate", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="alerts",
                                    verbose_name=_("certificate or licence"))
    raised_on = models.DateField(_("raised on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # No index on the flag itself: every alert but those of the sweep running is fanned out, so the
    # partial index below (the few not yet told) is what the sweep's first question reads.
    fanned_out = models.BooleanField(default=False,
                                     help_text="Its deliveries exist (set in the same transaction).")

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "level", "deadline"], name="alert_once_per_deadline"),
        ]
        indexes = [models.Index(fields=["id"], condition=models.Q(fanned_out=False), name="alert_not_fanned_out")]
        permissions = [
            ("receive_breach_alerts", _("Receives statutory-breach escalations (directors)")),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.key} {self.deadline}"


class Delivery(models.Model):
    """One alert for one recipient; many deliveries to one address go out as one digest."""

    # Insert cost: deliveries are written 100,000 at a time by the cold sweep, which
    # is two thirds of its time. So no index of its own on ``alert`` (the unique constraint
    # ``delivery_once_per_address`` starts with it), and no database-level foreign-key checks
    # on either key: PostgreSQL checks each inserted row against ``alert`` and ``user`` and
    # locks the referenced rows, 2.8 s of 4.5 s for 109,075 rows (docs/benchmarks.md). Integrity
    # holds without them: the sweep, the only writer, inserts only alert ids it read in the same
    # transaction and user ids from the directory; alerts and users are removed only through the
    # ORM, whose CASCADE and SET_NULL reach these rows (tests/notifications/test_delivery_keys.py).
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries", db_index=False,
                              db_constraint=False)
    email = models.EmailField(_("address"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("recipient"), db_constraint=False)
    language = models.CharField(max_length=10, default="zh-hans")
    staff = models.BooleanField(default=True, help_text="Links into the admin (else the portal).")
    state = models.CharField(_("state"), max_length=10, choices=SendState.choices,
                             default=SendState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The year partition's key on PostgreSQL (review/partitions.py, docs/deployment.md#yearly-partitions):
    # the alert's own ``raised_on``, which the one writer (notifications.sweep) copies from the
    # alert it read in the same transaction. A function of ``alert``, so the unique constraint below, which
    # must hold the partition key, is unique exactly when (alert, address) is.
    raised_on = models.DateField(_("alert raised on"), editable=False)

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        ordering = ["email", "alert__level"]
        # One plain btree on state (``db_index=True`` adds a second, LIKE-pattern index on
        # PostgreSQL, which no query here uses).
        indexes = [models.Index(fields=["state"], name="delivery_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["alert", "email", "raised_on"], name="delivery_once_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.alert}"


class DigestDay(models.Model):
    """One address's daily digest for one working day: the exactly-once record of the reminder
    part (what is still late), which has no new delivery to claim. Sent only after the mail server
    accepted it, like a delivery; a failed one is retried the same day."""

    email = models.EmailField(_("address"))
    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=10, choices=SendState.choices,
                             default=SendState.SENDING, db_index=True)
    cases = models.PositiveIntegerField(_("cases listed"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        ordering = ["-day", "email"]
        constraints = [models.UniqueConstraint(fields=["email", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.email} {self.day}"


class OutboundEmail(models.Model):
    """A case e-mail to an enterprise (state change, supplement request): a transactional outbox.

    Written in the transaction of the change it reports, so it exists exactly when the change does;
    sent after commit by a task, or by the next sweep if the broker or the mail server was down.
    """

    application = models.ForeignKey("review.Application", on_delete=models.CASCADE,
                                    related_name="emails", verbose_name=_("application"))
    event = models.CharField(_("event"), max_length=40)
    to = models.EmailField(_("to"))
    language = models.CharField(max_length=10, default="zh-hans")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    html = models.TextField(blank=True)
    state = models.CharField(_("state"), max_length=10, choices=SendState.choices,
                             default=SendState.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case e-mail")
        verbose_name_plural = _("case e-mails")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
