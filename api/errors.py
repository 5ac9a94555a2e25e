"""The one place where errors become HTTP responses for the API.

Every error body has one shape, documented in the schema as ``Error``: ``code`` (stable, for
programs), ``detail`` (for people, in the caller's language, naming the field and the fix), and
where it applies ``field``, ``errors`` (every field's messages) or ``version`` (the current
version, after a 409 conflict).
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from review.exceptions import ApplicationError


def _first(errors, path=""):
    """The first (field, message) of a DRF error structure, however nested."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = key if not path else f"{path}.{key}"
            if key == "non_field_errors":
                name = path
            return _first(value, name)
    if isinstance(errors, list) and errors:
        return _first(errors[0], path)
    return path, str(errors)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first(exc.detail)
        response.data = {"code": "invalid", "detail": f"{field}: {message}" if field else message,
                         "field": field, "errors": response.data}
    elif isinstance(exc, Http404):
        response.data = {"code": "not_found", "detail": _("Not found.")}
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = {"code": "permission_denied", "detail": _("You are not permitted to do this.")}
    elif isinstance(exc, exceptions.Throttled):
        response.data = {"code": "throttled", "detail": throttled_message(exc.wait)}
    elif isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("Multipart form parse error"):
        # DRF's MultiPartParser words it in English whatever the caller's language.
        response.data = {"code": "parse_error", "detail": _(
            "Multipart body: cannot be read; send the form as multipart/form-data with its boundary, as "
            "a browser or curl -F does.")}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"code": codes if isinstance(codes, str) else exc.default_code,
                         "detail": str(exc.detail) if not isinstance(exc.detail, (dict, list))
                         else str(exc.default_detail)}
    return response


def throttled_message(wait: float | None) -> str:
    """The product's words, in whole minutes (DRF's "请求已被限流。 预计 3583 秒后可用。" had a
    stray space and counted seconds); ``Retry-After`` keeps the seconds for programs."""
    if wait is None:
        return _("Too many requests. Try again later.")
    minutes = max(1, math.ceil(wait / 60))
    return ngettext("Too many requests. Try again in %(n)d minute.",
                    "Too many requests. Try again in %(n)d minutes.", minutes) % {"n": minutes}


def _api_error(request, status: int, code: str, detail: str):
    return JsonResponse({"code": code, "detail": detail}, status=status)


def bad_request(request, exception=None):
    """``handler400`` (a suspicious request: a bad Host header, too many fields...)."""
    if request.path.startswith("/api/"):
        return _api_error(request, 400, "bad_request", _("The request cannot be read; check its address, "
                                                         "headers and body against docs/api.md."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """``handler403``, for refusals outside DRF's views (CSRF, Django's own checks)."""
    if request.path.startswith("/api/"):
        return _api_error(request, 403, "permission_denied", _("You are not permitted to do this."))
    return defaults.permission_denied(request, exception)


def server_error(request):
    """``handler500``: an integration parses JSON even when something broke on our side."""
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "server_error",
                          _("Something went wrong on our side. Read the application again before repeating a "
                            "change: it may have been made."))
    return defaults.server_error(request)


def page_not_found(request, exception=None):
    """``handler404``: an address under /api/ that matches no route gets the API's JSON error
    body (integrations parse it); everything else gets Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
