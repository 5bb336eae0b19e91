from django import forms
from django.contrib.auth import forms as auth_forms

from rlsapp.reconfirm import password_reconfirmed

from .models import User


class SignupForm(auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ["email"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


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


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email_reminders"]
