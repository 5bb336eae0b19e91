"""Login throttling with django-axes, adapted to keep email addresses out of the logs."""

from axes.backends import AxesStandaloneBackend


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
