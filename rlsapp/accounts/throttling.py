"""Login throttling with django-axes, adapted to keep email addresses out of the logs."""

import hashlib

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, skipped when no request is given.

    Every sign-in form passes the request, so every sign-in is throttled. Code that calls
    authenticate() without one (tests' client.login, management commands) has no client
    address to throttle by; axes would raise instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_str(username, ip_address, user_agent, path_info, request):
    """What axes writes to the log about a failed sign-in: never the email address."""
    return f"{{ip_address: {ip_address!r}, path_info: {path_info!r}}}"


class SignInAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter.

    AXES_LOCKOUT_PARAMETERS is [email and address, address]. Axes compares the larger of the
    two counts with one AXES_FAILURE_LIMIT; here the email-and-address count meets
    AXES_FAILURE_LIMIT and the address count, across every email, meets
    AXES_ADDRESS_FAILURE_LIMIT. Both count failures within the cool-off time.
    """

    def get_failures(self, request, credentials=None):
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair

    def reset_user_attempts(self, request, credentials=None):
        """A successful sign-in forgets that email's failures from that address only.

        Axes would forget every failure of the address, so a sprayer with an account of
        their own could sign in to it to start the address count again.
        """
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count


def client_may_ask_for_mail(request) -> bool:
    """Counts one sign-up or password-reset request from the client's address; False once
    the address made MAIL_FORMS_PER_CLIENT_HOUR of them within the hour.

    Each address that is asked about gets at most one email per interval, but a client
    naming new addresses was unbounded: the server mailed whoever it was told to, as often
    as asked, and kept an unconfirmed account for each sign-up. Every valid request counts,
    whether or not an email goes out, so the limit tells nothing about accounts. The client
    address is the one the sign-in throttle uses (AXES_PROXY_COUNT); the count lives in the
    cache, as the per-address intervals do.
    """
    address = get_client_ip_address(request) or ""
    key = "mail-forms:" + hashlib.sha256(address.encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= settings.MAIL_FORMS_PER_CLIENT_HOUR
