"""Reads of notices, scoped exactly like supplement documents: a notice of a case the caller
cannot see is "not found" (404), never "forbidden"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from notices.models import Notice, NoticeKind
from review.selectors import applications_visible_to
from review.selectors_cases import _id, sees_dossier
from services.exceptions import NotFound

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
    notice = notices.filter(pk=_id(pk), application__in=applications_visible_to(user).values("pk")).first()
    if notice is None:
        raise NotFound(_("No such notice, or it is not one of yours."))
    return notice
