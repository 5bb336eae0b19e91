import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.cache import cache

from rlsapp.domain import formats, regions
from rlsapp.reconfirm import password_reconfirmed

from .models import User


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

    def get_users(self, email):
        address = email.strip().lower().encode()
        key = "password-reset-mailed:" + hashlib.sha256(address).hexdigest()
        if not cache.add(key, True, timeout=settings.PASSWORD_RESET_MAIL_INTERVAL):
            return iter(())
        return super().get_users(email)


class AccountSettingsForm(RegionChoiceMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "region"]  # reminders: the Reminders page
