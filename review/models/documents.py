"""Documents an applicant uploads to answer a supplement request, kept outside the web root."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible(path="review.models.documents.SupplementStorage")
class SupplementStorage(FileSystemStorage):
    """Files under ``settings.SUPPLEMENT_UPLOAD_ROOT``, read at each use (tests point it elsewhere).

    No URL: no static or media route serves this directory. The only ways out are the download
    views, which first check that the case is visible to the caller.
    """

    @property
    def base_location(self):
        return str(settings.SUPPLEMENT_UPLOAD_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("supplement documents have no public URL; use the download view")


class SupplementDocument(models.Model):
    """One file of an applicant's answer to a supplement, missing-items or rectification request.

    Written by ``services.documents.supplement_answer`` in the same transaction as the stage's
    resume; the content type is what the file's bytes are, not what the browser claimed.
    """

    clock_stop = models.ForeignKey(
        "review.ClockStop", on_delete=models.PROTECT, related_name="documents",
        verbose_name=_("request answered"),
    )
    file = models.FileField(_("file"), upload_to="supplements/", storage=SupplementStorage(), max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplement document")
        verbose_name_plural = _("supplement documents")
        ordering = ["clock_stop_id", "id"]

    def __str__(self) -> str:
        return self.original_name
