"""Re-entering the password while signed in (to change it, delete the account, turn
two-factor on or off), throttled per user.

Sign-in guessing is throttled by axes, but a stolen session could guess the password
through these forms instead. Wrong passwords are counted per user in the cache; at
PASSWORD_RECONFIRM_LIMIT within PASSWORD_RECONFIRM_WINDOW_SECONDS the session is ended
(ReconfirmLimitMiddleware) and, until the window passes, every re-confirmation of that user
ends the session without the password being checked. Signing in again needs the password,
which axes throttles. A module of its own, not an app's: forms of several apps use it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.shortcuts import redirect

MESSAGE = (
    "Too many wrong passwords: you have been signed out. Sign in again; changing your "
    "password, deleting the account and turning two-factor on or off wait an hour, or "
    "reset your password by email."
)


class TooManyWrongPasswords(Exception):
    """Raised from a form's password check; the middleware ends the session."""


def _key(user):
    return f"password-reconfirm-failures:{user.pk}"


def password_reconfirmed(user, password):
    """True if `password` is the user's; False if not; raises TooManyWrongPasswords at the limit."""
    key = _key(user)
    limit = settings.PASSWORD_RECONFIRM_LIMIT
    if cache.get(key, 0) >= limit:
        raise TooManyWrongPasswords
    if user.check_password(password):
        cache.delete(key)
        return True
    # The window runs from the first wrong password: incr keeps the entry's expiry.
    cache.add(key, 0, timeout=settings.PASSWORD_RECONFIRM_WINDOW_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.PASSWORD_RECONFIRM_WINDOW_SECONDS)
        failures = 1
    if failures >= limit:
        raise TooManyWrongPasswords
    return False


class ReconfirmLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, TooManyWrongPasswords):
            return None
        logout(request)
        messages.error(request, MESSAGE)
        return redirect("login")
