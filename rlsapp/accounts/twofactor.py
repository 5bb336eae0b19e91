"""Optional two-factor sign-in with an authenticator app (TOTP, django-otp) and recovery codes.

Sign-in is two steps once a user has turned it on: the password form (throttled by axes), then
a code. Between the steps the session holds only the pending user's id, for a few minutes;
the user is signed in (django.contrib.auth.login) only after the code is accepted. The
token checks use django-otp's own throttling (growing delays after wrong codes).
"""

import base64
import time
from urllib.parse import urlsplit

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rlsapp.reconfirm import password_reconfirmed

from .forms import SignInForm
from .nexturl import safe_next

PENDING_USER = "twofactor_pending_user"
PENDING_BACKEND = "twofactor_pending_backend"
PENDING_NEXT = "twofactor_pending_next"
PENDING_SINCE = "twofactor_pending_since"
PENDING_SECONDS = 300
# Turning two-factor on starts with the password; the secret is made and shown only after it,
# and the code that confirms it must follow within this time.
SETUP_SINCE = "twofactor_setup_since"
SETUP_SECONDS = 600
RECOVERY_CODES = 10
DEVICE_NAME = "Authenticator app"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


class PasswordForm(forms.Form):
    """The signed-in user's password again, before two-factor is turned on or off."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not password_reconfirmed(self.user, self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your password.")
        return ""


class LoginView(auth_views.LoginView):
    """Step one: the password. With two-factor on, go on to the code instead of signing in."""

    redirect_authenticated_user = True
    form_class = SignInForm

    def get_redirect_url(self):
        """The safe ?next= target, unless it is a sign-in page: signed in, that would loop."""
        url = super().get_redirect_url()
        if url and urlsplit(url).path in (reverse("login"), reverse("login_verify")):
            return ""
        return url

    def form_valid(self, form):
        user = form.get_user()
        if not user_has_device(user):
            return super().form_valid(form)
        next_url = self.get_redirect_url() or resolve_url(self.next_page or "home")
        self.request.session.cycle_key()
        self.request.session.update(
            {
                PENDING_USER: user.pk,
                PENDING_BACKEND: user.backend,
                PENDING_NEXT: next_url,
                PENDING_SINCE: time.time(),
            }
        )
        return redirect("login_verify")


def _pending_user(request):
    session = request.session
    since = session.get(PENDING_SINCE)
    if since is None or time.time() - since > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=session.get(PENDING_USER), is_active=True).first()


def _forget_pending(request):
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_SINCE):
        request.session.pop(key, None)


def _verify(user, token):
    """The device that accepts the token (TOTP first, then a one-time recovery code)."""
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            with transaction.atomic():
                device = model.objects.select_for_update().get(pk=device.pk)
                if device.verify_token(token):
                    return device
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """Step two: the code. Only now is the user signed in."""
    user = _pending_user(request)
    if user is None:
        _forget_pending(request)
        messages.info(request, "Please sign in again.")
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _verify(user, form.cleaned_data["token"])
        if device is not None:
            next_url = request.session.get(PENDING_NEXT)
            backend = request.session.get(PENDING_BACKEND)
            _forget_pending(request)
            auth_login(request, user, backend=backend)
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Each code works once.",
                )
            return redirect(safe_next(request, next_url) or resolve_url("home"))
        form.add_error(
            "token",
            "That code was not accepted. Codes change every 30 seconds and each works once; "
            "after several wrong codes, wait a little before the next try.",
        )
    return render(request, "accounts/login_verify.html", {"form": form})


def _qr_svg(device):
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_setup(request):
    """Turn two-factor on: the password, then scan the QR code, confirm one code, receive
    recovery codes. Without the password a session thief could turn it on and lock the owner
    out, or read a secret the owner might go on to use."""
    user = request.user
    if user_has_device(user):
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("account_settings")
    since = request.session.get(SETUP_SINCE)
    if since is None or time.time() - since > SETUP_SECONDS:
        return _setup_password_step(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    # No recovery codes yet: they are made once this code confirms the app.
    form.fields["token"].help_text = "The 6-digit code your authenticator app shows for rlsapp."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = _turn_on(user, device)
            request.session.pop(SETUP_SINCE, None)
            # A new session key for the stronger sign-in, and every other session ends: one
            # signed in with the password alone would otherwise never meet the code.
            from .signin_logs import end_other_sessions  # it reads PENDING_USER from here

            request.session.cycle_key()
            end_other_sessions(request)
            otp_login(request, device)
            return render(request, "accounts/twofactor_codes.html", {"codes": codes})
        form.add_error("token", "That code did not match: check the phone's clock and try again.")
    context = {
        "form": form,
        "qr_svg": _qr_svg(device),
        # On the phone that holds the authenticator, a QR code cannot be scanned: the same
        # otpauth:// address as a link opens the app instead.
        "otpauth_url": device.config_url,
        "secret": _spaced_secret(device),
    }
    return render(request, "accounts/twofactor_setup.html", context)


def _setup_password_step(request):
    form = PasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # A fresh secret each time: one shown before (an abandoned setup) is never used.
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        request.session[SETUP_SINCE] = time.time()
        return redirect("twofactor_setup")
    return render(request, "accounts/twofactor_password.html", {"form": form})


def _spaced_secret(device):
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def _turn_on(user, device):
    device.confirmed = True
    device.save()
    return _new_recovery_codes(user)


def _new_recovery_codes(user):
    """A fresh set of codes; every earlier code stops working."""
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes, after the password: for codes used up, lost or perhaps seen."""
    if not user_has_device(request.user):
        messages.info(request, "Two-factor sign-in is off: there are no recovery codes.")
        return redirect("account_settings")
    form = PasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            codes = _new_recovery_codes(request.user)
        context = {"codes": codes, "renewed": True}
        return render(request, "accounts/twofactor_codes.html", context)
    return render(request, "accounts/twofactor_recovery_codes.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_disable(request):
    form = PasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            TOTPDevice.objects.filter(user=request.user).delete()
            StaticDevice.objects.filter(user=request.user).delete()
        messages.success(request, "Two-factor sign-in is off. Your password alone now signs in.")
        return redirect("account_settings")
    return render(request, "accounts/twofactor_disable.html", {"form": form})
