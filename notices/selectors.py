"""Reads of notices, scoped exactly like supplement documents: a notice of a case the caller
cannot see is "not found" (404), never "forbidden"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from notices.models import CERTIFICATE_KINDS, Notice, NoticeKind
from review.exceptions import NotFound
from review.selectors import applications_visible_to
from review.selectors_cases import parse_id, sees_dossier

# A document is read by whoever may read what it says (docs/security.md#who-reads-what): these
# carry the dossier (the items asked for, the defects, the reasons for a refusal), which industry
# officers never read; the acceptance and the approval are the progress they follow.
DOSSIER_KINDS = (NoticeKind.MISSING_ITEMS, NoticeKind.SUPPLEMENT, NoticeKind.RECTIFICATION, NoticeKind.REFUSAL)


def _readable(notices, user):
    return notices if user is None or sees_dossier(user) else notices.exclude(kind__in=DOSSIER_KINDS)


def case_notices(application, user=None) -> list[Notice]:
    """The case's notices ``user`` may read (all of them for ``None``: staff pages), oldest first,
    without their PDF bytes (one query)."""
    notices = Notice.objects.filter(application=application)
    return list(_readable(notices, user).defer("pdf", "content").select_related("corrects")
                .order_by("issued_at", "id"))


def notice_get(user, pk) -> Notice:
    notices = _readable(Notice.objects.select_related("application"), user)
    notice = notices.filter(pk=parse_id(pk), application__in=applications_visible_to(user).values("pk")).first()
    if notice is None or not opens_file(user, notice):
        raise NotFound(_("No such notice, or it is not one of yours."))
    return notice


def opens_file(user, notice) -> bool:
    """the certificate or licence itself is the enterprise's (and staff's); an industry
    officer sees that it was issued, with its number and date, not its file."""
    return notice.kind not in CERTIFICATE_KINDS or sees_dossier(user)
