"""Answer 503 with a plain message when the database is down, instead of a stack trace."""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
MESSAGE = (
    "rlsapp cannot reach its database just now. Nothing you sent in this request was saved. "
    "Please try again in a minute."
)


def database_unavailable_response():
    # Plain text on purpose: rendering a template could touch the database again.
    response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # The class name only: driver messages may quote SQL parameters (health values).
        logger.error("Database unavailable (%s) on %s", type(exception).__name__, request.path)
        return database_unavailable_response()


def server_error(request, *args, **kwargs):
    """handler500: the same 503 for database failures raised outside a view (e.g. middleware)."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable_response()
    return default_server_error(request, *args, **kwargs)


class RequestSizeLimitMiddleware:
    """413 for a request body over MAX_REQUEST_BYTES, judged by its Content-Length.

    A reverse proxy should bound bodies too (chunked uploads carry no Content-Length).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit_mb = settings.MAX_REQUEST_BYTES / 1024 / 1024
            return HttpResponse(
                f"That upload is too large: the limit is {limit_mb:.1f} MB.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
