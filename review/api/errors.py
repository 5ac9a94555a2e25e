"""The one place where domain errors become HTTP responses for the API."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from services.exceptions import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    return drf_exception_handler(exc, context)
