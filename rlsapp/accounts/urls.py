from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import me, twofactor, views
from .forms import ConfirmingSetPasswordForm, PasswordChangeForm

signup_urls = [
    path("", views.signup, name="signup"),
    path("sent/", views.signup_sent, name="signup_sent"),
    path("confirm/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
]
# Django's password views, with our forms wherever a new password is chosen.
password_urls = [
    path(
        "change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path("change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("reset/", views.password_reset, name="password_reset"),
    path("reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=ConfirmingSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
urlpatterns = [
    path("signup/", include(signup_urls)),
    path("settings/", views.account_settings, name="account_settings"),
    path("sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    # Named patient_* so that the isolation test treats the id as a person's.
    path("this-is-me/<int:pk>/", me.this_is_me, name="patient_this_is_me"),
    path("login/", twofactor.LoginView.as_view(), name="login"),
    path("login/code/", twofactor.login_verify, name="login_verify"),
    path("two-factor/", twofactor.twofactor_setup, name="twofactor_setup"),
    path("two-factor/off/", twofactor.twofactor_disable, name="twofactor_disable"),
    path("two-factor/recovery-codes/", twofactor.recovery_codes, name="twofactor_recovery_codes"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", include(password_urls)),
]
