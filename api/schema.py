"""Pieces of the OpenAPI description shared by the API views (drf-spectacular)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (see api/errors.py)."""

    code = serializers.CharField(help_text="Stable code: invalid, parse_error, not_authenticated, "
                                           "authentication_failed, permission_denied, not_found, "
                                           "not_allowed_now, conflict, unsupported_media_type, throttled.")
    detail = serializers.CharField(help_text="What went wrong and what to do, in the caller's language.")
    field = serializers.CharField(required=False, help_text="The input field at fault (400).")
    errors = serializers.DictField(required=False, help_text="Every field's messages (400).")
    version = serializers.IntegerField(required=False, help_text="The current version (409 conflict).")
    pages = serializers.IntegerField(required=False, help_text="How many pages the list has (404 for a page "
                                                               "past the last; `field` is `page`).")


_WHY = {
    400: "Bad input: `field` names the parameter and `detail` says what to enter (`parse_error`: the "
         "body is not readable JSON or multipart; `detail` says where).",
    401: "Not signed in: send `Authorization: Token <key>` or a session cookie.",
    403: "Signed in but not permitted: industry officers are read-only; enterprises act on their "
         "own cases only, and only as the workflow allows them.",
    404: "No such object, or not visible to the caller (another enterprise's case is a 404, never "
         "a 403, so its existence is not disclosed).",
    405: "Method not allowed on this address.",
    409: "Not possible now (`not_allowed_now`: the case or stage is in another state), or the "
         "caller's copy is stale (`conflict`: someone else changed it; reload and use the new "
         "`version`).",
    413: "Upload too large.",
    429: "Too many requests from this client (`throttled`): `detail` says how many minutes to wait, "
         "`Retry-After` the seconds.",
    415: "Unsupported media type: send JSON (or multipart/form-data where documented).",
    503: "Unavailable for a moment (`unavailable`): the look-up's limit per address cannot be checked "
         "while its counts are unreachable; try again in a few minutes.",
}


def errors(*codes: int) -> dict:
    """The documented error responses of an endpoint."""
    return {code: OpenApiResponse(ErrorSerializer, description=_WHY[code]) for code in codes}
