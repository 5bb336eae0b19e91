"""Open sign-up: one answer whether or not an address has an account, and no usable
account until its address is confirmed.

Every valid sign-up ends on "check your email". What the address then receives:
- no account yet: an unconfirmed account is made and a confirmation link mailed;
- an unconfirmed account (an earlier sign-up, never confirmed): it takes the new sign-up's
  password and fields and a fresh link is mailed (the old link dies with the old password);
- a confirmed account: nothing changes, and its owner is told that someone tried, with
  links to sign in or to reset the password.
An address gets at most one of these emails per SIGNUP_MAIL_INTERVAL; a sign-up within it
changes nothing and mails nothing. The password is hashed in every case, so the answer
takes about as long whichever case it is.

The link carries the account id and a token from Django's token generator: an HMAC over
the account's password hash and confirmation state with a timestamp, so it works once,
for EMAIL_CONFIRM_TIMEOUT seconds, and no table holds it. Following it confirms the
address; it signs in only the browser that signed up (any other is sent to sign in), so
someone who signs up with another person's address never gets a session from that
person's click.

To add a sign-up field: add it to SignupForm.Meta.fields (and the model); register()
copies every form field onto the account. Something to do after confirming (accepting an
invitation): pass it as `next` to the sign-up page; the confirmation ends there.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms.models import construct_instance
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

logger = logging.getLogger(__name__)

# Session keys: the address this browser signed up with, where to go once confirmed, and
# the token between the emailed link and the confirm button.
SIGNED_UP = "signup_email"
SIGNUP_NEXT = "signup_next"
CONFIRM_TOKEN = "signup_confirm_token"
# Stands in for the token in the address bar once the token is in the session.
CONFIRM_URL_TOKEN = "confirm"


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "rlsapp.accounts.signup.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        # Changes once confirmed (single use) and with a newer sign-up's password.
        return f"{user.pk}{user.password}{user.email}{user.email_confirmed}{timestamp}"

    def check_token(self, user, token):
        """As Django's, with the confirmation's own lifetime instead of the reset's."""
        if not (user and token and isinstance(token, str)):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - ts > settings.EMAIL_CONFIRM_TIMEOUT:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


confirmation_tokens = EmailConfirmationTokenGenerator()


def register(request, form, next_url=""):
    """Act on a valid SignupForm as the module docstring says; tell the caller nothing."""
    User = get_user_model()
    email = form.cleaned_data["email"]
    password = make_password(form.cleaned_data["password1"])
    now = timezone.now()
    request.session[SIGNED_UP] = email
    request.session[SIGNUP_NEXT] = next_url
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(email__iexact=email).first()
            recent = now - datetime.timedelta(seconds=settings.SIGNUP_MAIL_INTERVAL)
            if user is not None and user.signup_mailed_at and user.signup_mailed_at > recent:
                logger.info("sign-up: this address was mailed recently; nothing sent")
                return
            if user is None or not user.email_confirmed:
                user = construct_instance(form, user or User(), fields=form._meta.fields)
                user.password = password
                user.email_confirmed = False
                user.signup_mailed_at = now
                user.save()
                kind = "confirm"
            else:
                User.objects.filter(pk=user.pk).update(signup_mailed_at=now)
                kind = "exists"
    except IntegrityError:  # the same address signed up at the same moment: that one mails
        logger.info("sign-up: this address is being signed up already; nothing sent")
        return
    try:
        _mail(user, kind)
    except Exception as error:  # a mail server that is away: let them try again at once
        User.objects.filter(pk=user.pk).update(signup_mailed_at=None)
        logger.warning("sign-up email failed (%s)", type(error).__name__)


def _mail(user, kind):
    # Links from SITE_URL, as every other email's, not from the request's Host header: a
    # confirmation link must not go wherever a request that named another host said.
    context = {
        "login_url": settings.SITE_URL + reverse("login"),
        "reset_url": settings.SITE_URL + reverse("password_reset"),
        "hours": settings.EMAIL_CONFIRM_TIMEOUT // 3600,
    }
    if kind == "confirm":
        path = reverse(
            "signup_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": confirmation_tokens.make_token(user),
            },
        )
        context["confirm_url"] = settings.SITE_URL + path
        subject = "rlsapp: confirm your email address"
    else:
        subject = "rlsapp: someone tried to sign up with your address"
    body = render_to_string(f"accounts/email/signup_{kind}.txt", context)
    send_mail(subject, body, None, [user.email])


def user_from_uid(uidb64):
    User = get_user_model()
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        return User.objects.filter(pk=int(pk)).first()
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None


def confirm(user):
    """Mark the address confirmed; False when another request did it first."""
    User = get_user_model()
    done = User.objects.filter(pk=user.pk, email_confirmed=False).update(email_confirmed=True)
    user.email_confirmed = True
    return done == 1


def purge_expired():
    """Delete sign-ups never confirmed whose link has expired; returns how many.

    Such an account was never usable (it cannot sign in), and it holds an email address
    that anyone could have typed, with no sign its owner ever saw it. A later sign-up of
    the address starts afresh. An account is never unconfirmed again once confirmed, so
    nothing that was ever used is touched; nor is one given any person's records (an
    operator can make an unconfirmed account in the admin and share records with it), as
    deleting the account would delete the people it owns.
    """
    User = get_user_model()
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.EMAIL_CONFIRM_TIMEOUT)
    expired = User.objects.filter(
        email_confirmed=False, last_login__isnull=True, memberships__isnull=True
    ).filter(
        Q(signup_mailed_at__lt=cutoff) | Q(signup_mailed_at__isnull=True, date_joined__lt=cutoff)
    )
    _, deleted = expired.delete()
    return deleted.get(User._meta.label, 0)
