"""Official notices (受理通知书, 补正通知书, 一次性告知书, 整改通知书, 不予注册决定书, 准予注册通知书).

A notice is issued by the workflow command whose transition it announces, in the same
transaction: its number, the facts it states (``content``) and the PDF bytes are written once and
never change. A correction is a new notice that names the one it corrects (``corrects``).
The PDF is kept in the database, so a rolled-back transition leaves no orphan file behind.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice (受理通知书)")
    MISSING_ITEMS = "missing_items", _("One-time notice of missing items (一次性告知书)")
    SUPPLEMENT = "supplement", _("Supplement notice (补正通知书)")
    RECTIFICATION = "rectification", _("Rectification notice (整改通知书)")
    REFUSAL = "refusal", _("Refusal decision (不予注册/不予许可决定书)")
    APPROVAL = "approval", _("Approval notice (准予注册/准予许可通知书)")
    CERTIFICATE = "certificate", _("Registration certificate (医疗器械注册证)")
    CHANGE_DOCUMENT = "change_document", _("Change registration document (医疗器械注册变更文件)")
    LICENCE = "licence", _("Production licence (医疗器械生产许可证)")


# The documents that are the certificate or licence itself (not a notice about it): the officer's
# view shows that one was issued, never its file.
CERTIFICATE_KINDS = (NoticeKind.CERTIFICATE, NoticeKind.CHANGE_DOCUMENT, NoticeKind.LICENCE)


class ImmutableError(Exception):
    """Raised when code tries to change or delete an issued notice."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("an issued notice never changes; issue a correction instead")

    def delete(self):
        raise ImmutableError("an issued notice is never deleted; issue a correction instead")


class Notice(models.Model):
    application = models.ForeignKey(
        "review.Application", on_delete=models.PROTECT, related_name="notices", verbose_name=_("application"))
    stage = models.ForeignKey(
        "review.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage"))
    clock_stop = models.ForeignKey(
        "review.ClockStop", null=True, blank=True, on_delete=models.PROTECT, related_name="notices",
        verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    number = models.CharField(_("document number"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("issued by"))
    content = models.JSONField(_("content"), help_text=_("The facts the document states, as printed."))
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
        verbose_name=_("corrects"))
    verification_code = models.CharField(
        _("verification code"), max_length=20, blank=True,
        help_text=_("Printed on the document with its QR code; with the number it verifies the document. "
                    "Documents issued before signing was introduced have none."))
    signed = models.BooleanField(_("signed"), default=False)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("official notice")
        verbose_name_plural = _("official notices")
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["application", "issued_at"]), models.Index(fields=["sha256"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("an issued notice never changes; issue a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("an issued notice is never deleted; issue a correction instead")

    @property
    def filename(self) -> str:
        return f"{self.application.reference}-{self.kind}-{self.pk}.pdf"


class NoticeCounter(models.Model):
    """The last sequence number used per office, document code and year (locked while numbering)."""

    office = models.ForeignKey("review.Office", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "code", "year"], name="notice_counter_per_office")]

    def __str__(self) -> str:
        return f"{self.code} {self.year}: {self.last}"


class ProductData(models.Model):
    """What the certificate (or licence) will print about the product and the registrant.

    Entered by the applicant with the intent and editable until the case is accepted; the reviewer
    checks it during the review. Unlike a notice it changes (until acceptance), so it lives apart.
    """

    application = models.OneToOneField(
        "review.Application", on_delete=models.PROTECT, related_name="product_data", verbose_name=_("application"))
    registrant_address = models.CharField(_("registrant's address (住所)"), max_length=200, blank=True)
    production_address = models.CharField(_("production address"), max_length=300, blank=True)
    agent_name = models.CharField(_("agent's name"), max_length=200, blank=True,
                                  help_text=_("Only where the registrant has an agent."))
    agent_address = models.CharField(_("agent's address"), max_length=200, blank=True)
    models_specs = models.TextField(_("models and specifications"), blank=True,
                                    help_text=_("For an IVD reagent: the package sizes (包装规格)."))
    structure = models.TextField(_("structure and composition"), blank=True,
                                 help_text=_("For an IVD reagent: the main components (主要组成成分)."))
    intended_use = models.TextField(_("intended use"), blank=True)
    attachments = models.CharField(_("attachments"), max_length=300, blank=True,
                                   help_text=_("E.g. 产品技术要求."))
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True,
                                            help_text=_("Production licence only."))
    enterprise_head = models.CharField(_("head of the enterprise"), max_length=60, blank=True,
                                       help_text=_("Production licence only."))
    production_scope = models.TextField(_("production scope"), blank=True, help_text=_("Production licence only."))
    change_description = models.TextField(
        _("what changes"), blank=True, help_text=_("Change registration only: as the change document will state it."))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("checked by"))
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product data for the certificate")
        verbose_name_plural = _("product data for the certificates")

    def __str__(self) -> str:
        return str(self.application)
