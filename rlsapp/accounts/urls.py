from django.contrib.auth import views as auth_views
from django.urls import path

from . import me, twofactor, views
from .forms import ConfirmingSetPasswordForm, PasswordChangeForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("settings/", views.account_settings, name="account_settings"),
    # Named patient_* so that the isolation test treats the id as a person's.
    path("this-is-me/<int:pk>/", me.this_is_me, name="patient_this_is_me"),
    path("login/", twofactor.LoginView.as_view(), name="login"),
    path("login/code/", twofactor.login_verify, name="login_verify"),
    path("two-factor/", twofactor.twofactor_setup, name="twofactor_setup"),
    path("two-factor/off/", twofactor.twofactor_disable, name="twofactor_disable"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=ConfirmingSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
