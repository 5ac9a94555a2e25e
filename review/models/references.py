from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceCounter(models.Model):
    """The last case number handed out under one prefix (jurisdiction + year).

    One row per prefix, locked (``SELECT … FOR UPDATE``) by the transaction that creates a case,
    so concurrent intents get consecutive numbers instead of colliding on ``max + 1``.
    """

    prefix = models.CharField(_("prefix"), max_length=20, unique=True)
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last:05d}"
