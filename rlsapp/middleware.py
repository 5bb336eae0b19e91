"""Site-wide request handling: a plain 503 when the database is down, bodies too large,
private signed-in pages and idle sessions."""

import logging
import sys
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import server_error as default_server_error

from .filesizes import describe_size

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
MESSAGE = (
    "rlsapp cannot reach its database just now. Nothing you sent in this request was saved. "
    "Please try again in a minute."
)


BUSY_RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "rlsapp was busy with another change to the same records and could not wait any longer. "
    "Nothing you sent in this request was saved. Please try again."
)
# PostgreSQL's lock timeout, deadlock and serialization failures: a wait, not an outage.
_BUSY_SQLSTATES = {"55P03", "40P01", "40001"}


def is_lock_wait(exception) -> bool:
    """Whether a database error is a lock that could not be had in time (SQLite or PostgreSQL)."""
    cause = exception.__cause__
    if getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return str(exception) in ("database is locked", "database table is locked")


def database_unavailable_response(exception=None):
    # Plain text on purpose: rendering a template could touch the database again.
    busy = exception is not None and is_lock_wait(exception)
    response = HttpResponse(
        BUSY_MESSAGE if busy else MESSAGE, status=503, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS)
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
        if is_lock_wait(exception):
            logger.warning("Database busy (%s) on %s", type(exception).__name__, request.path)
        else:
            logger.error("Database unavailable (%s) on %s", type(exception).__name__, request.path)
        return database_unavailable_response(exception)


def server_error(request, *args, **kwargs):
    """handler500: the same 503 for database failures raised outside a view (e.g. middleware)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable_response(exception)
    return default_server_error(request, *args, **kwargs)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the app's own page, with its styles. Django's has inline styles the
    policy blocks and explains the check to a developer; the reason stays in the log."""
    return render(request, "403_csrf.html", status=403)


class RequestSizeLimitMiddleware:
    """413 for a request body over MAX_REQUEST_BYTES, judged by its Content-Length.

    Answered with the app's page: the file limit (IMPORT_MAX_BYTES, as the import form
    states it; the body may be a little larger for the form's other fields) and a way back.
    Placed after the session and user are known but before anything reads the body.
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
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = reverse("home")
            context = {"limit": describe_size(settings.IMPORT_MAX_BYTES), "back": back}
            return render(request, "request_too_large.html", context, status=413)
        return self.get_response(request)


class BrowserFeaturesMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response.

    Django's SecurityMiddleware sends neither. The app uses no camera, microphone, location,
    payment or USB device, so a script that got in (or a page that framed ours) cannot ask
    for them; and no other site may embed our pages, JSON or files as images or scripts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class PrivatePagesMiddleware:
    """Cache-Control: private, no-store on every response to a request with a session.

    Signed-in pages hold health data; a shared computer's browser cache or the back button
    after signing out must not show them, nor may a proxy keep them. Every signed-in request
    carries the session cookie, and the cookie alone decides (no database read). Static
    files are answered by WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A page with a form carries a CSRF token tied to this browser's cookie (sign-up,
        # password reset, before any session): no shared cache may hand it to another.
        # Django notes a token written into the page in CSRF_COOKIE_NEEDS_UPDATE, or has set
        # the cookie already where a view has its own csrf_protect.
        has_token = (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or settings.CSRF_COOKIE_NAME in response.cookies
        )
        if settings.SESSION_COOKIE_NAME in request.COOKIES or has_token:
            patch_cache_control(response, private=True, no_store=True)
        return response


LAST_ACTIVE = "last_active"
# When this session signed in: it ends SESSION_LIFETIME_HOURS later, however active.
SIGNED_IN_AT = "signed_in_at"
# Activity is written to the session at most this often, so most page views do not
# write the session row (cached pages run only the session and user queries).
ACTIVITY_RESOLUTION_SECONDS = 300


def note_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: the session starts active, saved with the sign-in itself."""
    now = int(time.time())
    request.session[LAST_ACTIVE] = now
    request.session[SIGNED_IN_AT] = now


def _over(now, since, hours) -> bool:
    """Whether more than `hours` (0: no limit) have passed since `since` (None: unknown)."""
    return bool(hours) and since is not None and now - since > hours * 3600


class IdleSessionTimeoutMiddleware:
    """Ends a signed-in session unused for SESSION_IDLE_TIMEOUT_HOURS, and any signed-in
    session SESSION_LIFETIME_HOURS after it signed in (0: never, for either). Django's
    own expiry moves on with every save of the session, so an active (or stolen) session
    would otherwise last for ever."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle_hours = settings.SESSION_IDLE_TIMEOUT_HOURS
        lifetime_hours = settings.SESSION_LIFETIME_HOURS
        if (idle_hours or lifetime_hours) and settings.SESSION_COOKIE_NAME in request.COOKIES:
            try:
                response = self._check(request, idle_hours, lifetime_hours)
            except DATABASE_ERRORS:
                # Outside a view, so DatabaseUnavailableMiddleware would not see it.
                return database_unavailable_response()
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, idle_hours, lifetime_hours):
        session = request.session
        if SESSION_KEY not in session:
            return None
        now = int(time.time())
        started, last = session.get(SIGNED_IN_AT), session.get(LAST_ACTIVE)
        if _over(now, started, lifetime_hours):
            after = f"{_hours_in_words(lifetime_hours)} after signing in"
            return self._end(request, f"You were signed out {after}. Please sign in again.")
        if _over(now, last, idle_hours):
            after = f"after {_hours_in_words(idle_hours)} without activity"
            return self._end(request, f"You were signed out {after}. Please sign in again.")
        if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVE] = now
        if started is None:
            # Signed in before the lifetime was kept: it is counted from now.
            session[SIGNED_IN_AT] = now
        return None

    def _end(self, request, message):
        logout(request)
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())


def _hours_in_words(hours):
    if hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours:g} hour{'s' if hours != 1 else ''}"
