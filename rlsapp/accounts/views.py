from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from rlsapp.domain.regions import suggest_region
from rlsapp.reminders.models import CalendarFeed

from . import services, signin_logs, twofactor
from . import signup as signup_flow
from .forms import AccountSettingsForm, PasswordResetForm, SignupForm
from .nexturl import safe_next
from .throttling import client_may_ask_for_mail


@require_http_methods(["GET", "POST"])
def signup(request):
    if not settings.SIGNUP_OPEN:
        raise Http404("Sign-up is closed on this server.")
    if request.user.is_authenticated:
        return redirect("home")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    # The region is suggested from the browser's languages, shown and changeable.
    suggested = suggest_region(request.headers.get("Accept-Language"), settings.DEFAULT_REGION)
    form = SignupForm(request.POST or None, initial={"region": suggested})
    if request.method == "POST" and form.is_valid():
        if not client_may_ask_for_mail(request):
            return mail_paused(request)
        signup_flow.register(request, form, next_url)
        return redirect("signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def mail_paused(request):
    context = {"limit": settings.MAIL_FORMS_PER_CLIENT_HOUR}
    return render(request, "registration/mail_paused.html", context, status=429)


def signup_sent(request):
    """The one answer to every valid sign-up, whether or not the address has an account."""
    context = {
        "hours": settings.EMAIL_CONFIRM_TIMEOUT // 3600,
        "minutes": settings.SIGNUP_MAIL_INTERVAL // 60,
    }
    return render(request, "accounts/signup_sent.html", context)


@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64, token):
    """The emailed link. Its token moves into the session and out of the address bar (as
    Django's password reset does), and confirming takes a button: a mail scanner that
    fetches the link confirms nothing."""
    user = signup_flow.user_from_uid(uidb64)
    if token != signup_flow.CONFIRM_URL_TOKEN:
        if signup_flow.confirmation_tokens.check_token(user, token):
            request.session[signup_flow.CONFIRM_TOKEN] = token
            return redirect(request.path.replace(token, signup_flow.CONFIRM_URL_TOKEN))
        return render(request, "accounts/signup_link_invalid.html")
    token = request.session.get(signup_flow.CONFIRM_TOKEN)
    if not signup_flow.confirmation_tokens.check_token(user, token):
        return render(request, "accounts/signup_link_invalid.html")
    if request.method == "GET":
        return render(request, "accounts/signup_confirm.html", {"email": user.email})
    del request.session[signup_flow.CONFIRM_TOKEN]
    if not signup_flow.confirm(user):
        return render(request, "accounts/signup_link_invalid.html")
    if request.session.get(signup_flow.SIGNED_UP) != user.email:
        # Confirmed from a browser that did not sign up: whoever signed up may not be the
        # address's owner, so their password goes and the owner chooses one by reset.
        user.set_unusable_password()
        user.save(update_fields=["password"])
        messages.success(
            request,
            "Your email address is confirmed. As this is not the browser that signed up, "
            "choose your password here: we send a link to your address.",
        )
        return redirect("password_reset")
    next_url = request.session.pop(signup_flow.SIGNUP_NEXT, "")
    del request.session[signup_flow.SIGNED_UP]
    login(request, user, backend="rlsapp.accounts.backends.ConfirmedEmailBackend")
    messages.success(request, "Your email address is confirmed. Welcome to rlsapp.")
    return redirect(next_url or "home")


def password_reset(request):
    """A reset link needs mail; without it, say who can help instead of pretending."""
    if not settings.MAIL_CONFIGURED:
        return render(request, "registration/password_reset_no_mail.html")
    return PasswordResetView.as_view()(request)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def form_valid(self, form):
        if not client_may_ask_for_mail(self.request):
            return mail_paused(self.request)
        response = super().form_valid(form)
        # The email goes once the answer is written out: the server calls close() after
        # sending it (gunicorn, runserver and the test client alike), so the answer takes
        # as long with an account as without one.
        response._resource_closers.append(form.send_outgoing)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_account_settings(form.save(commit=False), form.changed_data)
        messages.success(request, "Account settings saved.")
        return redirect("account_settings")
    context = {"form": form, "two_factor_on": user_has_device(request.user)}
    if context["two_factor_on"]:
        context["recovery_codes_left"] = twofactor.recovery_codes_left(request.user)
    return render(request, "accounts/settings.html", context)


@login_required
@require_POST
def end_other_sessions(request):
    """For a device lost or left signed in: every other session of the account ends."""
    signin_logs.end_other_sessions(request)
    messages.success(request, "Every other session of this account is signed out; this one stays.")
    return redirect("account_settings")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    """Offers a new calendar feed address: whoever knew the old password may have copied
    the feed's, which works without signing in."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_calendar_feed"] = CalendarFeed.objects.filter(user=self.request.user).exists()
        return context
