"""Writes the access log's one row per request (access_log.py), after the response."""

from . import access_log


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        note = access_log._note(request)
        token = access_log._current.set(note)
        try:
            response = self.get_response(request)
        finally:
            access_log._current.reset(token)
        access_log.write(request, response, getattr(request, "_access_view_action", None))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        action = getattr(view_func, "access_log_action", None)
        if action:
            request._access_view_action = action
