"""Login throttling with django-axes, adapted to keep email addresses out of the logs."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
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
