"""Certificates and licences issued, with their expiry, for the renewal watch."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Certificate(models.Model):
    """A registration certificate (注册证) or production licence (生产许可证) this office issued.

    Valid five years (Order 47 Art. 82; Order 53 Art. 14); renewal is filed at least six months
    before expiry for a certificate (Order 47 Art. 82) and 90 working days before for a licence
    (Order 53 Art. 17).
    """

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration certificate")
        LICENCE = "licence", pgettext_lazy("certificate kind", "Production licence")
        # Order 47 Art. 81: a change registration's document (变更注册文件) is used together with
        # the original certificate: same number, same expiry. Recorded, never watched for renewal.
        CHANGE = "change", _("Change registration document")

    application = models.ForeignKey(
        "review.Application", on_delete=models.PROTECT, related_name="certificates",
        verbose_name=_("application"),
    )
    enterprise = models.ForeignKey(
        "review.Enterprise", on_delete=models.PROTECT, related_name="certificates",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=60)
    product_name = models.CharField(_("product"), max_length=200)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, db_index=True,
        help_text=_("Empty only for a change document whose original certificate is not on record."))
    renewal = models.ForeignKey(
        "review.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="renews",
        verbose_name=_("renewal application"),
    )

    class Meta:
        verbose_name = _("certificate or licence")
        verbose_name_plural = _("certificates and licences")
        ordering = ["expires_on"]
        # One certificate in force per number: a renewal keeps the number (Order 47 Art. 115), so
        # the renewed row (``renewal`` set) and change documents (Art. 81) may share it.
        constraints = [models.UniqueConstraint(
            fields=["kind", "number"], condition=models.Q(renewal__isnull=True) & ~models.Q(kind="change"),
            name="certificate_number_current_once")]

    def __str__(self) -> str:
        return f"{self.number} {self.product_name}"
