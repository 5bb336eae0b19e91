"""The admin for staff who signed in with two-factor only.

Django's admin asks only for is_staff, and sends anyone else signed in to its sign-in page,
which (ours, for signed-in users) sends them straight back: a redirect loop. Here a staff
session must also be verified by django-otp (signed in with a code), and anyone signed in
who may not use the admin gets a 403 page saying why. Visitors still go to sign in.
"""

import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect, render
from django_otp import user_has_device


class TwoFactorAdminConfig(AdminConfig):
    default_site = "rlsapp.accounts.admin_site.TwoFactorAdminSite"


def _verified(request):
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


class TwoFactorAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and _verified(request)

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @functools.wraps(checked)
        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                return self._forbidden(request)
            return checked(request, *args, **kwargs)

        return inner

    def password_change(self, request, extra_context=None):
        """The app's own page (its sign-in page is the app's too): Django's admin form checks
        the old password with no count, so a stolen staff session could guess the password
        there; the app's counts wrong passwords (rlsapp.reconfirm)."""
        return redirect("password_change")

    def _forbidden(self, request):
        user = request.user
        context = {
            "staff": user.is_active and user.is_staff,
            "has_device": user_has_device(user),
        }
        return render(request, "registration/admin_forbidden.html", context, status=403)
