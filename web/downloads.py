"""File responses the interfaces share: a stored document and a notice PDF, never cached, never
sniffed."""

from __future__ import annotations

import logging

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from review.exceptions import NotFound

logger = logging.getLogger(__name__)


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document_response(doc) -> FileResponse:
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        logger.error("supplement document %s: stored file %s is missing", doc.pk, doc.file.name)
        raise NotFound(_("The file of this document is missing; please contact the administration.")) from None
    response = FileResponse(handle, as_attachment=True, filename=doc.original_name,
                            content_type=doc.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
