"""One rule for every entry point: input holding a NUL character is a 400 naming where it is.

PostgreSQL text cannot hold U+0000 and psycopg refuses any query that carries one, so a NUL that
reached a look-up, a filter or a form became a 500 (the anonymous look-up with
``reference=CQ202600001%00``, eight admin action forms, three admin list filters). The address,
the query string, form fields, cookies and headers are checked here, before any view runs; JSON
bodies are checked by the API's parser (``api.parsers``), with the same words.
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def nul_message(field: str) -> str:
    return _("%(field)s: contains a NUL character (\\x00), which no field accepts; remove it and send "
             "again.") % {"field": field}


def _found(request) -> str | None:
    if "\x00" in request.path:
        return _("web address")
    # The API's bodies are read by its parsers (JSON: ``api.parsers``; form fields: its
    # serializers' CharFields refuse NUL), which also word an unreadable multipart body.
    form = request.POST if request.method == "POST" and not request.path.startswith("/api/") else {}
    for source in (request.GET, form, request.COOKIES):
        for key in source:
            values = source.getlist(key) if hasattr(source, "getlist") else [source[key]]
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                return key.replace("\x00", "\\x00")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return key[5:].replace("_", "-").title()
    return None


class RefuseNulMiddleware:
    """After LocaleMiddleware (the message is in the visitor's language), before anything reads
    the session, the user or the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _found(request)
        if field is None:
            return self.get_response(request)
        message = nul_message(field)
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "detail": message, "field": field}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
