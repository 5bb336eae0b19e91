import hashlib
import logging
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core import validators
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template import loader

from rlsapp.domain import formats, regions
from rlsapp.reconfirm import password_reconfirmed

from .models import User

logger = logging.getLogger(__name__)


def _same_address(asked, stored):
    """As Django's reset form compares them (CVE-2019-19844): the database's case-insensitive
    match can pair different Unicode addresses, and the link must go to the one stored."""
    return _folded(asked) == _folded(stored)


def _folded(text):
    return unicodedata.normalize("NFKC", text).casefold()


def region_field_choices():
    """Each region with how it writes a number and a date, so the choice shows what it does."""
    return [(r.code, formats.region_label(r)) for r in regions.REGIONS.values()]


class RegionChoiceMixin:
    """The region field, each choice showing how it writes numbers and dates. Left out of a
    POST (an older client), the account keeps its region, a new one gets the suggestion."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_field_choices()
        self.fields["region"].required = False

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if region:
            return region
        if self.instance.pk:
            return self.instance.region
        return self.initial.get("region") or settings.DEFAULT_REGION


class SignupForm(RegionChoiceMixin, auth_forms.UserCreationForm):
    """Open sign-up. Its answer never depends on whether the address has an account:
    signup.register() decides what to mail. A field added to Meta.fields (and the model)
    is saved onto the new account by register() with no other change."""

    class Meta:
        model = User
        fields = ["email", "region"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        # The model's "already exists" error would tell anyone the address has an account.
        pass


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]

    def save(self, commit=True):
        # The operator vouches for the address of an account made in the admin.
        self.instance.email_confirmed = True
        return super().save(commit=commit)


class ConfirmingSetPasswordForm(auth_forms.SetPasswordForm):
    """Choosing a password from an emailed reset link proves the address, as the
    confirmation link does: an unconfirmed account becomes usable."""

    def save(self, commit=True):
        self.user.email_confirmed = True
        return super().save(commit=commit)


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SignInForm(auth_forms.AuthenticationForm):
    """Django's, with the email's length checked on the server. Django gives the field its
    max_length after making it, so only the browser's maxlength held it: a longer one reached
    authenticate(), and axes' record of the failure (255 characters) failed on PostgreSQL,
    a 500 for anyone who posted one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(validators.MaxLengthValidator(field.max_length))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked through the re-confirmation throttle."""

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_reconfirmed(self.user, old_password):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return old_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, mailing each address at most once per PASSWORD_RESET_MAIL_INTERVAL.

    Counted for every address asked about, with or without an account, so the answer and
    its timing say nothing about accounts; kept in the cache (the address only hashed).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outgoing = []

    def get_users(self, email):
        """Every active account with this address, whether or not its password is usable.

        Django leaves out unusable passwords (for sites whose accounts sign in elsewhere).
        Here every account signs in with a password, and two flows leave it unusable on
        purpose and send the person here to choose one: a sign-up confirmed from another
        browser, and `add_user --link`.
        """
        address = email.strip().lower().encode()
        key = "password-reset-mailed:" + hashlib.sha256(address).hexdigest()
        if not cache.add(key, True, timeout=settings.PASSWORD_RESET_MAIL_INTERVAL):
            return iter(())
        matches = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in matches if _same_address(email, user.email))

    def save(self, *args, **kwargs):
        """The link names SITE_URL's host and scheme, as every other email's links do, not
        the request's Host header: a reset link must not go wherever a request said."""
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(*args, **kwargs)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, **kw
    ):
        """Written now, sent by send_outgoing() once the answer has gone (PasswordResetView):
        an address with an account would otherwise make the answer wait for the mail server,
        and the time taken would tell that it has one."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if kw.get("html_email_template_name"):
            html = loader.render_to_string(kw["html_email_template_name"], context)
            message.attach_alternative(html, "text/html")
        self.outgoing.append(message)

    def send_outgoing(self):
        for message in self.outgoing:
            try:
                message.send()
            except Exception as error:
                # The class only: an SMTP refusal's text quotes the address.
                logger.warning("password reset email failed (%s)", type(error).__name__)
        self.outgoing = []


class AccountSettingsForm(RegionChoiceMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "region"]  # reminders: the Reminders page
