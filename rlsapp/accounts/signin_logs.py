"""What sign-in leaves behind about a person, and for how long.

django-axes records failed sign-ins (AccessAttempt, while they count towards a lockout;
AccessFailureLog if enabled) and successful ones (AccessLog), each with the email address,
the client address, the browser and the time. Deleting an account deletes all of that and
the account's sessions (`forget_user`, on every deletion of a user: the account page, the
admin, the shell). Otherwise `manage.py purge_signin_logs` keeps the logs for
AXES_LOG_RETENTION_DAYS, and attempts only while they still count towards a lockout.
"""

import datetime
from importlib import import_module

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from .signup import SIGNED_UP
from .twofactor import PENDING_USER

AXES_MODELS = (AccessAttempt, AccessLog, AccessFailureLog)


def forget_user(sender, instance, **kwargs):
    """post_delete receiver for the user model."""
    for model in AXES_MODELS:
        model.objects.filter(username__iexact=instance.get_username()).delete()
    _delete_sessions_of(instance.pk, signed_up_as=instance.email)


def _delete_sessions_of(user_pk, keep=None, signed_up_as=None):
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return
    # Sessions are stored encoded, so each live one is read; this runs only when an
    # account is deleted or turns two-factor on.
    ours = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if str(user_pk) in (str(data.get("_auth_user_id")), str(data.get(PENDING_USER))):
            ours.append(session.session_key)
        elif signed_up_as and str(data.get(SIGNED_UP, "")).lower() == signed_up_as.lower():
            # The browser that signed up keeps the address until it confirms there.
            ours.append(session.session_key)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in ours:
        if key != keep:
            # Through the engine, so that cached_db's cached copy goes too.
            store(session_key=key).delete()


def end_other_sessions(request):
    """Sign the account out of every session but this one (turning two-factor on: a
    session signed in with the password alone, perhaps a thief's, must not outlive it)."""
    _delete_sessions_of(request.user.pk, keep=request.session.session_key)


def purge(now=None):
    """Delete logs older than the retention and attempts that no longer count.

    Returns the number of rows deleted per model name."""
    now = now or timezone.now()
    logs_before = now - datetime.timedelta(days=settings.AXES_LOG_RETENTION_DAYS)
    deleted = {}
    for model in (AccessLog, AccessFailureLog):
        deleted[model.__name__], _ = model.objects.filter(attempt_time__lt=logs_before).delete()
    cool_off = get_cool_off() or datetime.timedelta(days=settings.AXES_LOG_RETENTION_DAYS)
    deleted["AccessAttempt"], _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - cool_off
    ).delete()
    return deleted
