"""Public verification of issued documents (no login): by number and code, or by the PDF itself.

Each issued document carries a verification code (printed beside its QR code). ``by_code``
answers for a number and its code; a wrong code and an unknown number get the same ``None``, so
the answer never tells whether a number exists. ``by_file`` answers for a PDF: valid only when
its bytes are exactly those of a document this office issued (SHA-256, looked up by index) and
its signature validates with the office's key; otherwise it says why not (edited, not ours,
signature broken). The interfaces (``/api/v1/notices/verify/``, ``/portal/verify/``) rate-limit
both like the progress look-up.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.utils.translation import gettext as _

from notices import signing
from notices.models import Notice
from review.exceptions import InvalidInput

# No 0/O, 1/I/L: a code read from paper is typed without confusion.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_code() -> str:
    """A fresh verification code, 12 characters in groups of four (about 59 bits)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def _superseded_by(notice: Notice) -> str | None:
    """The number of the document that replaced this one: its correction, or for a certificate the
    renewal's certificate (the renewed certificate records its renewal), or a later certificate with
    the same certificate number."""
    correction = notice.corrections.order_by("issued_at", "pk").values_list("number", flat=True).first()
    if correction:
        return correction
    if notice.kind == "certificate":
        from review.models import Certificate

        renewals = Certificate.objects.filter(application=notice.application_id, renewal__isnull=False)
        renewed = (Notice.objects.filter(application__in=renewals.values("renewal"), kind="certificate")
                   .order_by("issued_at", "pk").values_list("number", flat=True).first())
        if renewed:
            return renewed
        cert_number = dict(notice.content.get("facts", [])).get("注册证编号")
        later = (Notice.objects.filter(kind="certificate", issued_at__gt=notice.issued_at)
                 .exclude(pk=notice.pk).order_by("issued_at", "pk").only("number", "content"))
        for other in later:
            if dict(other.content.get("facts", [])).get("注册证编号") == cert_number:
                return other.number
    return None


def describe(notice: Notice) -> dict:
    """The public facts of a document, as the verification answers give them."""
    return {
        "valid": True,
        "number": notice.number,
        "kind": notice.kind,
        "title": notice.title,
        "reference": notice.application.reference,
        "product_name": notice.application.product_name,
        "issued_on": notice.issued_on,
        "issuer": notice.content.get("office", ""),
        "sha256": notice.sha256,
        "superseded_by": _superseded_by(notice),
    }


def by_code(*, number: str, code: str) -> dict | None:
    """The document with this number (or the certificate number it prints) and this code, or None."""
    wanted = normalise_code(code)
    if len(wanted) != CODE_LENGTH or not number.strip():
        return None
    formatted = "-".join(wanted[i:i + 4] for i in range(0, CODE_LENGTH, 4))
    notice = (Notice.objects.select_related("application").filter(verification_code=formatted)
              .first())
    if notice is None:
        return None
    printed = dict(notice.content.get("facts", []))
    numbers = {notice.number, printed.get("注册证编号"), printed.get("许可证编号")} - {None, ""}
    if number.strip() not in numbers:
        return None
    return describe(notice)


def by_file(data: bytes) -> dict:
    """``{"valid": True, ...}`` for a document issued byte for byte with a valid signature, else
    ``{"valid": False, "reason": ...}`` (Chinese: official documents and their checks are in Chinese)."""
    digest = hashlib.sha256(data).hexdigest()
    notice = Notice.objects.select_related("application").filter(sha256=digest, signed=True).first()
    check = signing.check(data)
    if notice is None:
        if check.valid:
            return {"valid": False, "reason": "签章有效，但本机关没有签发过与该文件完全一致的文书。"}
        return {"valid": False, "reason": f"本机关没有签发过与该文件完全一致的文书。{check.reason}"}
    if not check.valid:
        return {"valid": False, "reason": check.reason}
    return describe(notice)


def read_pdf_upload(upload) -> bytes:
    """The uploaded file's bytes, if it is a PDF of at most ``NOTICE_VERIFY_MAX_BYTES``; else 400."""
    if upload is None:
        raise InvalidInput(_("file: attach the PDF to verify."), {"field": "file"})
    limit = settings.NOTICE_VERIFY_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(_("file: the file is larger than %(mb)d MB; an issued document is far smaller. "
                             "Attach the PDF as you received it.") % {"mb": limit // (1024 * 1024)},
                           {"field": "file"})
    data = upload.read()
    if not data.lstrip()[:5] == b"%PDF-":
        raise InvalidInput(_("file: this is not a PDF file. Attach the document's PDF as you received it."),
                           {"field": "file"})
    return data
