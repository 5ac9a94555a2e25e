"""A notice's PDF on the portal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from notices.selectors import notice_get
from review.exceptions import NotFound
from web.downloads import pdf_response


@login_required
def portal_download(request, pk):
    """Portal: a notice of a visible case (login required by the URL's decorator)."""
    try:
        notice = notice_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from None
    return pdf_response(notice.pdf, notice.filename, inline=request.GET.get("view") == "1")
